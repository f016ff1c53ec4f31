"""One-at-a-time sensitivity of an option to each ranged input (``aicost sensitivity``)."""

from __future__ import annotations

import copy

import numpy as np

from aicost.engine.evaluate import evaluate
from aicost.engine.plan import Plan
from aicost.inputs.overrides import set_path


def tornado(plan: Plan, values: dict, ranges: list, option: int, metric: str = "cost_per_success") -> list[dict]:
    """One-at-a-time sensitivity: the metric of ``option`` with each ranged input at its low and
    at its high (the others at their likely values), largest swing first."""
    if not ranges:
        return []
    n = len(ranges)
    v = copy.deepcopy(values)
    for j, r in enumerate(ranges):  # point 2j: range j at its low, point 2j+1: at its high; others likely
        x = np.full(2 * n, r.likely)
        x[2 * j], x[2 * j + 1] = r.low, r.high
        set_path(v, r.path, x)
    m = evaluate(plan.subset([option]), v)[metric][0]
    base = evaluate(plan.subset([option]), values)[metric][0, 0]
    rows = []
    for j, r in enumerate(ranges):
        lo, hi = float(m[2 * j]), float(m[2 * j + 1])
        rows.append({"field": r.to_dict()["field"], "dist": r.dist, "low": r.low, "likely": r.likely, "high": r.high,
                     "metric_at_low": lo, "metric_at_likely": float(base), "metric_at_high": hi,
                     "swing": abs(hi - lo) if np.isfinite(lo) and np.isfinite(hi) else None})
    rows.sort(key=lambda r: (r["swing"] is None, -(r["swing"] or 0.0), r["field"]))
    return rows
