"""Validate a parsed YAML document against an input schema; every problem with its file and line."""

from __future__ import annotations

import typing
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from aicost.base.errors import InputError, Problem, did_you_mean
from aicost.inputs.yamlio import Document, dotted
from aicost.model import SUPPORTED_VERSION

M = TypeVar("M", bound=BaseModel)

#: Problems worked out per file (each with its line and a did-you-mean); the rest are counted.
MAX_PROBLEMS = 1_000


def validate(doc: Document, model: type[M], data: Any = None) -> M:
    """Validate ``doc.data`` (or ``data``) against ``model``; raise InputError with all problems."""
    data = doc.data if data is None else data
    if not isinstance(data, dict):
        raise InputError(doc.problem((), "expected a mapping of keys at the top level"))
    version = data.get("version")
    if "version" in model.model_fields and version != SUPPORTED_VERSION:
        if version is None:
            msg = f"missing 'version: {SUPPORTED_VERSION}' (the format version this file is written for)"
        else:
            msg = f"format version {version!r} is not supported; this aicost reads version {SUPPORTED_VERSION}"
        raise InputError(doc.problem(("version",) if version is not None else (), msg))
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # a file of 100,000 typos: the first ones worked out with their lines, the rest counted
        problems = [_problem(doc, data, model, err) for err in errors[:MAX_PROBLEMS]]
        raise InputError(problems, more=max(0, len(errors) - MAX_PROBLEMS)) from None


def _problem(doc: Document, data: Any, model: type, err: dict) -> Problem:
    path, node = _data_path(data, err["loc"])
    kind = err["type"]
    ctx = err.get("ctx") or {}
    got = err.get("input")
    if kind == "extra_forbidden":
        key = path[-1]
        allowed = _allowed_keys(model, path[:-1])
        return doc.problem(path, f"unknown key '{key}'{did_you_mean(str(key), allowed)}")
    if kind == "missing":
        return Problem(doc.file, doc.line_of(path[:-1]), dotted(path), "required key is missing")
    if kind == "literal_error" and path and err["loc"][-1] == "[key]":
        expected = ctx.get("expected", "")
        return doc.problem(path, f"unknown name '{path[-1]}' (expected {expected})")
    return doc.problem(path, _message(kind, err["msg"], ctx, got))


def _data_path(data: Any, loc: tuple) -> tuple[tuple, Any]:
    """Turn a pydantic location into a path through the user's data (dropping artefacts)."""
    path: list = []
    node = data
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int) and not isinstance(node, list):
            continue  # a single mapping accepted where a list is allowed
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        elif isinstance(node, (dict, list)) or node is None:
            node = None
        else:
            continue  # a union member's name or a validator's tag: not part of the data
        path.append(part)
    return tuple(path), node


_MESSAGES = {
    "greater_than_equal": "must be at least {ge}",
    "greater_than": "must be greater than {gt}",
    "less_than_equal": "must be at most {le}",
    "less_than": "must be less than {lt}",
    "finite_number": "must be a finite number",
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "decimal_parsing": "must be a number",
    "decimal_type": "must be a number",
    "int_parsing": "must be a whole number",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "dict_type": "must be a mapping of keys",
    "model_type": "must be a mapping of keys",
    "model_attributes_type": "must be a mapping of keys",
    "list_type": "must be a list",
    "date_type": "must be a date (YYYY-MM-DD)",
    "date_parsing": "must be a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "must be a date (YYYY-MM-DD)",
    "too_short": "must not be empty",
    "string_too_short": "must not be empty",
    "string_pattern_mismatch": "must be lowercase letters, digits, '.', '_' or '-'",
}


def _message(kind: str, msg: str, ctx: dict, got: Any) -> str:
    if kind in ("value_error", "assertion_error"):
        text = msg.split(", ", 1)[1] if ", " in msg else msg
        return text
    if kind == "too_long" or kind == "too_short" and int(ctx.get("min_length", 1)) > 1:
        bound, n = ("at least", ctx.get("min_length")) if kind == "too_short" else ("at most", ctx.get("max_length"))
        return f"needs {bound} {n} items (got {ctx.get('actual_length', '?')})"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')} (got {_show(got)})"
    template = _MESSAGES.get(kind)
    text = template.format(**{k: _num(v) for k, v in ctx.items()}) if template else msg
    if kind not in ("missing", "too_short", "string_too_short", "dict_type", "model_type", "list_type") and got is not None:
        text += f" (got {_show(got)})"
    return text


def _num(v: Any) -> str:
    return format(v, "g") if isinstance(v, float) else str(v)


def _show(v: Any) -> str:
    if isinstance(v, (dict, list)):
        return "a mapping" if isinstance(v, dict) else "a list"
    if isinstance(v, str):
        return repr(v)
    return _num(v)


def _allowed_keys(model: type, path: tuple) -> list[str]:
    """Field names accepted at ``path`` inside ``model`` (for 'did you mean')."""
    for tp in _types_at(model, path):
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return list(tp.model_fields)
    return []


def _types_at(tp: Any, path: tuple) -> list:
    current = [tp]
    for part in path:
        nxt = []
        for t in current:
            for u in _unwrap(t):
                if isinstance(u, type) and issubclass(u, BaseModel):
                    if isinstance(part, str) and part in u.model_fields:
                        nxt.append(u.model_fields[part].annotation)
                elif typing.get_origin(u) is dict:
                    nxt.append(typing.get_args(u)[1])
                elif typing.get_origin(u) is list and isinstance(part, int):
                    nxt.append(typing.get_args(u)[0])
        current = nxt
    return [u for t in current for u in _unwrap(t)]


def _unwrap(tp: Any) -> list:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(tp)[0])
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return [u for a in typing.get_args(tp) for u in _unwrap(a)]
    if origin is list:
        # a list of models also accepts a single mapping in some places
        return [tp] + _unwrap(typing.get_args(tp)[0])
    return [tp]
