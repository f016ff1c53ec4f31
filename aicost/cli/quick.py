"""A command's option values converted without a pydantic adapter each (issue 24).

typer 0.2x converts every parameter of the invoked command, the defaults included, through a
pydantic ``TypeAdapter`` built on the spot; the first one loads pydantic's schema machinery
(``pydantic.main``, ``pydantic.fields``, its plugin loader), which a bare ``import pydantic``
does not, and together they cost more than aicost's own work on a warm ``aicost compare``.

:class:`QuickCommand` is typer's own command (same parser, context, help, errors, exit codes
and completion) whose parameters first try a plain converter for the values that need no
judgement: a str, an int in its bounds, a Path as typer checks it, an Enum choice given exactly,
lists of those, and the defaults. Anything else (a value it is not sure of, an unusual
annotation or option setting) goes to typer's own converter, built as typer would build it, so
typer reports every error itself. A typer without lazily built converters (before 0.2x) is
used as it is. tests/cli/test_quick.py checks both paths give every command the same arguments.
"""

from __future__ import annotations

import os
import re
from enum import Enum
from pathlib import Path
from typing import Any, Callable, get_args, get_origin

from typer.core import TyperCommand

#: An int as pydantic and Python read it alike: no sign, spaces, underscores or leading zeros.
_INT = re.compile(r"(?:0|[1-9][0-9]{0,17})\Z")


class Unsure(Exception):
    """A value the plain converter leaves to typer's own."""


def _text(value: Any) -> str:
    if not isinstance(value, str) or "\0" in value:
        raise Unsure
    try:
        value.encode("utf-8")  # (a command line that is not UTF-8 arrives with surrogates)
    except UnicodeEncodeError:
        raise Unsure from None
    return value


def _choice(enum: type[Enum], info: Any) -> Callable[[Any], Any] | None:
    if not info.case_sensitive:
        return None
    by_text: dict[str, Enum] = {}
    for member in enum:
        by_text.setdefault(str(member.value), member)  # typer takes the first that matches

    def convert(value: Any) -> Any:
        if isinstance(value, enum):
            return value
        member = by_text.get(_text(value))
        if member is None:
            raise Unsure
        return member

    return convert


def _int(info: Any) -> Callable[[Any], Any] | None:
    if info.clamp:
        return None
    low, high = info.min, info.max

    def convert(value: Any) -> Any:
        if type(value) is not int:
            if not (isinstance(value, str) and _INT.match(value)):
                raise Unsure
            value = int(value)
        if (low is not None and value < low) or (high is not None and value > high):
            raise Unsure
        return value

    return convert


def _path(info: Any) -> Callable[[Any], Any] | None:
    if info.exists or not info.file_okay or not info.dir_okay or info.writable or info.resolve_path \
            or info.allow_dash or info.path_type is not None:
        return None

    def convert(value: Any) -> Any:
        if isinstance(value, Path):
            return value
        if not _text(value):
            raise Unsure
        try:
            os.stat(value)
        except OSError:
            return Path(value)
        if info.readable and not os.access(value, os.R_OK):
            raise Unsure  # typer says it is not readable
        return Path(value)

    return convert


def _str(value: Any) -> Any:
    return _text(value)


def _bool(value: Any) -> Any:
    if not isinstance(value, bool):
        raise Unsure
    return value


def converter(annotation: Any, info: Any) -> Callable[[Any], Any] | None:
    """The plain converter of one parameter, or None where it has none (typer's own does it all)."""
    if getattr(info, "parser", None) is not None or getattr(info, "click_type", None) is not None:
        return None
    if get_origin(annotation) is list:
        args = get_args(annotation)
        one = converter(args[0], info) if len(args) == 1 else None
        if one is None:
            return None

        def each(value: Any) -> Any:
            if not isinstance(value, (list, tuple)):
                raise Unsure
            return [one(v) for v in value]

        return each
    if annotation is str:
        return _str
    if annotation is bool:
        return _bool
    if annotation is int:
        return _int(info)
    if annotation is Path:
        return _path(info)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _choice(annotation, info)
    return None


class Plain:
    """Stands in for typer's runtime converter of one parameter until a value needs the real one."""

    def __init__(self, convert: Callable[[Any], Any]):
        self.convert = convert
        self.delegated = 0  # values handed to typer's own converter (the tests read it)

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        if value is None:  # as typer's: nothing given and no default
            return () if (param.multiple or param.nargs == -1) else None
        if ctx.token_normalize_func is None:
            try:
                return self.convert(value)
            except Unsure:
                pass
        self.delegated += 1
        param._runtime_param = None  # typer builds its own, as it would have, and keeps it
        return param.get_runtime_param().coerce(value, param=param, ctx=ctx)


def install(param: Any) -> None:
    """Give one typer parameter a plain converter, where typer builds its converters lazily."""
    if getattr(param, "_runtime_param", False) is not None or not hasattr(param, "get_runtime_param"):
        return  # not a typer 0.2x parameter, or its converter is built already
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or getattr(descriptor, "file_annotation", None) is not None:
        return
    convert = converter(descriptor.annotation, descriptor.parameter_info)
    if convert is not None:
        param._runtime_param = Plain(convert)


class QuickCommand(TyperCommand):
    """typer's command, with plain converters installed before its arguments are parsed."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        for param in self.get_params(ctx):  # (its own, and the help option)
            install(param)
        return super().parse_args(ctx, args)
