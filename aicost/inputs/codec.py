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


_CLASSES: dict[str, type] = {}


def _classes() -> dict[str, type]:
    """The classes an entry may hold, by tag (imported when first needed, then kept)."""
    if _CLASSES:
        return _CLASSES
    from aicost.inputs.gpubook import GpuBook, Sourced
    from aicost.inputs.pricebook import ModelEntry, PriceBook, ProviderInfo
    from aicost.inputs.ranges import Range
    from aicost.inputs.yamlio import Document

    _CLASSES.update({c.__name__: c for c in (Document, ModelEntry, ProviderInfo, PriceBook, GpuBook, Sourced,
                                             Range)})
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
    classes = _classes()
    made: dict[int, Any] = {}

    def dec(v: Any) -> Any:
        if isinstance(v, list):
            return [dec(x) for x in v]
        if not isinstance(v, dict):
            return v
        tag = v.get("~")
        build = _SIMPLE.get(tag)
        if build is not None:
            return build(v["v"], dec)
        if tag == "@":
            return made[v["v"]]
        if tag == "d":
            out: dict = {}
            made[v["#"]] = out
            for k, x in zip(v["k"], v["v"]):
                out[dec(k)] = dec(x)
            return out
        if tag == "ns":
            ns = SimpleNamespace()
            made[v["#"]] = ns
            ns.__dict__.update(dec(v["v"]))
            return ns
        cls = classes.get(tag) if isinstance(tag, str) else None
        if cls is None:
            raise NotData(f"unknown tag {tag!r}")
        obj = cls.__new__(cls)
        made[v["#"]] = obj
        state = dec(v["v"])
        if not isinstance(state, dict) or not all(isinstance(k, str) for k in state):
            raise NotData(f"bad state for {tag}")
        obj.__dict__.update(state)
        return obj

    return dec(json.loads(blob))


_SIMPLE: dict[Any, Callable[[Any, Callable], Any]] = {
    "t": lambda v, dec: tuple(dec(x) for x in v),
    "D": lambda v, dec: Decimal(v),
    "date": lambda v, dec: date.fromisoformat(v),
}
