"""Schemas of the input files (pydantic models, no I/O), and two helpers they share."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

SUPPORTED_VERSION = 1

def repeated(names: list) -> list:
    """Names that occur more than once, sorted (for "must be unique" checks)."""
    return sorted({n for n in names if names.count(n) > 1})


def freeze(value: Any) -> Any:
    """A validated model as plain data: namespaces with the same attribute names, lists, dicts.

    What the rest of aicost holds (and caches) after validation, so that using or unpickling
    it needs no schema classes.
    """
    from types import SimpleNamespace

    if isinstance(value, BaseModel):
        return SimpleNamespace(**{k: freeze(getattr(value, k)) for k in type(value).model_fields})
    if isinstance(value, dict):
        return {k: freeze(v) for k, v in value.items()}
    if isinstance(value, list):
        return [freeze(v) for v in value]
    return value


