"""Schemas of the input files (pydantic models, no I/O), and two helpers they share."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, BeforeValidator

SUPPORTED_VERSION = 1


def _not_a_boolean(v: Any) -> Any:
    """YAML reads yes, no, true and false as booleans, and pydantic would take them for 1 and 0:
    a number field refuses them (``p_success: yes`` is a mistake, never 100%)."""
    if isinstance(v, bool):
        raise ValueError(f"expected a number, got {str(v).lower()} (a yes/no value)")
    return v


#: Put on every number of an input schema (see :func:`_not_a_boolean`).
NOT_BOOL = BeforeValidator(_not_a_boolean)

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


