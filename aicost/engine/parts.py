"""Helpers of the evaluation: the retry outcomes of rows and self-hosted options, and array
splicing (kept apart from aicost.engine.evaluate)."""

from __future__ import annotations

import numpy as np

from aicost.engine import formulas as F
from aicost.engine.attempt import pt


def _quality(values: dict, source: tuple, key: str) -> np.ndarray:
    """p_success, detection_rate or attempts_allowed of one row or self-hosted option."""
    q = values["quality"]
    if source[0] == "stage":
        _, cascade, i, model = source
        v = values["cascades"][cascade]["stages"][i].get(key)
        if v is None:
            v = (values["models"].get(model) or {}).get(key)
    elif source[0] == "models":
        v = values["models"][source[1]].get(key)
    else:
        v = values["self_hosted"]["models"][source[1]].get(key)
    if v is None:
        v = q.get(key)
    return pt(v)


def _stack(rows: list[np.ndarray]) -> np.ndarray:
    shape = np.broadcast_shapes(*(r.shape for r in rows)) if rows else (1,)
    return np.stack([np.broadcast_to(r, shape) for r in rows]).reshape(len(rows), -1)


def _outcomes(values: dict, sources: list[tuple]):
    if not sources:
        return [np.zeros((0, 1))] * 4
    p = _stack([_quality(values, s, "p_success") for s in sources])
    d = _stack([_quality(values, s, "detection_rate") for s in sources])
    k = _stack([_quality(values, s, "attempts_allowed") for s in sources])
    return F.retry_outcomes(p, d, k)


def _put_tail(arr: np.ndarray, start: int, tail) -> np.ndarray:
    """A new (options, points) array: ``arr`` with rows ``start:`` replaced by ``tail``, as wide as
    the wider of the two."""
    arr = np.asarray(arr, dtype=float)
    width = np.broadcast_shapes((1, arr.shape[-1]), (1, np.shape(tail)[-1] if np.ndim(tail) == 2 else 1))[1]
    out = np.array(np.broadcast_to(arr, (arr.shape[0], width)))
    out[start:] = np.broadcast_to(tail, out[start:].shape)
    return out
