"""The cache's data format: JSON that can only ever be data.

Validated inputs are plain values (numbers, text, lists, dicts, dates, decimals), namespaces
and a few of aicost's own dataclasses. They are written as JSON with tagged objects, and read
back by building only those: a tag that is not on the list below is an error (the entry is a
miss), so an entry, whatever it holds, cannot run code as a pickle can. An object met twice (a
file's document, shared by every model it prices) is written once and referred to after.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, Callable


class NotData(ValueError):
    """A value the format does not hold (on writing), or a tag it does not know (on reading)."""


def _yamlio() -> tuple[type, ...]:
    from aicost.inputs.yamlio import Document

    return (Document,)


def _pricebook() -> tuple[type, ...]:
    from aicost.inputs.pricebook import ModelEntry, PriceBook, ProviderInfo

    return ModelEntry, PriceBook, ProviderInfo


def _gpubook() -> tuple[type, ...]:
    from aicost.inputs.gpubook import GpuBook, Sourced

    return GpuBook, Sourced


def _ranges() -> tuple[type, ...]:
    from aicost.inputs.ranges import Range

    return (Range,)


#: The classes an entry may hold, by tag, and the module of each (imported when an entry first
#: holds one of its classes: a price book or a scenario without ranges never loads the GPU book's
#: or the ranges' module).
_HOMES: dict[str, Callable[[], tuple[type, ...]]] = {
    "Document": _yamlio, "ModelEntry": _pricebook, "PriceBook": _pricebook, "ProviderInfo": _pricebook,
    "GpuBook": _gpubook, "Sourced": _gpubook, "Range": _ranges}
_CLASSES: dict[str, type] = {}


def _class(tag: Any) -> type:
    """The class of a tag on the list; anything else is :class:`NotData`."""
    cls = _CLASSES.get(tag) if isinstance(tag, str) else None
    if cls is None:
        home = _HOMES.get(tag) if isinstance(tag, str) else None
        if home is None:
            raise NotData(f"unknown tag {tag!r}")
        _CLASSES.update({c.__name__: c for c in home()})
        cls = _CLASSES[tag]
    return cls


def _classes() -> dict[str, type]:
    """Every class an entry may hold, by tag (for writing)."""
    for tag in _HOMES:
        _class(tag)
    return _CLASSES


def dumps(value: Any) -> bytes:
    memo: dict[int, int] = {}
    keep: list = []  # holds what memo's ids refer to, so that no id is reused while writing
    names = {cls: name for name, cls in _classes().items()}

    def enc(v: Any) -> Any:
        if v is None or isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, list):
            return [enc(x) for x in v]
        if isinstance(v, tuple):
            return {"~": "t", "v": [enc(x) for x in v]}
        if isinstance(v, Decimal):
            return {"~": "D", "v": str(v)}
        if isinstance(v, date):
            if type(v) is not date:
                raise NotData(f"not a plain date: {type(v).__name__}")
            return {"~": "date", "v": v.isoformat()}
        seen = memo.get(id(v))
        if seen is not None:
            return {"~": "@", "v": seen}
        memo[id(v)] = len(memo)
        keep.append(v)
        ref = memo[id(v)]
        if isinstance(v, dict):
            return {"~": "d", "#": ref, "k": [enc(k) for k in v], "v": [enc(x) for x in v.values()]}
        if type(v) is SimpleNamespace:
            return {"~": "ns", "#": ref, "v": enc(dict(vars(v)))}
        name = names.get(type(v))
        if name is None:
            raise NotData(f"not data the cache holds: {type(v).__name__}")
        state = v.__getstate__() if hasattr(type(v), "__getstate__") and type(v).__getstate__ is not object.__getstate__ \
            else dict(vars(v))
        return {"~": name, "#": ref, "v": enc(state)}

    return json.dumps(enc(value), separators=(",", ":"), allow_nan=True).encode()


def loads(blob: bytes) -> Any:
    """An entry read back. JSON's own parser builds the lists, text and numbers; each tagged object
    is turned into its value as the parser closes it (innermost first), so an object is always
    complete before a later reference to it: an entry that refers to an object inside itself (a
    cycle, which :func:`dumps` never writes) is refused like an unknown tag."""
    made: dict[int, Any] = {}

    def build(v: dict) -> Any:
        tag = v.get("~")
        simple = _SIMPLE.get(tag)
        if simple is not None:
            return simple(v["v"])
        if tag == "@":
            ref = v["v"]
            if type(ref) is not int or ref not in made:
                raise NotData("a reference to an object not read before it")
            return made[ref]
        if tag == "d":
            keys, values = v["k"], v["v"]
            if type(keys) is not list or type(values) is not list or len(keys) != len(values):
                raise NotData("bad dict")
            out = made[v["#"]] = dict(zip(keys, values))
            return out
        state = v.get("v")
        if type(state) is not dict or not all(type(k) is str for k in state):
            raise NotData(f"bad state for {tag!r}")
        if tag == "ns":
            obj: Any = SimpleNamespace()
        else:
            cls = _class(tag)
            obj = cls.__new__(cls)
        obj.__dict__.update(state)
        made[v["#"]] = obj
        return obj

    return json.loads(blob, object_hook=build)


_SIMPLE: dict[Any, Callable[[Any], Any]] = {
    "t": tuple,
    "D": Decimal,
    "date": date.fromisoformat,
}
