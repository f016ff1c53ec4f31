"""Monte Carlo over ranged inputs: percentiles and the chance each option is the cheapest.

Every ranged input is sampled once (see :mod:`aicost.inputs.ranges`); all options are evaluated on
the same samples by the same vectorised engine as a single point, in chunks so that memory
stays bounded. Per option: P10 / P50 / P90 of cost per success, monthly cost and ROI over the
samples where it is eligible and priced, and ``p_cheapest``, the share of samples in which it
has the lowest cost per success among those usable there.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from aicost.engine.evaluate import evaluate, usable
from aicost.engine.plan import Plan
from aicost.inputs.overrides import set_path
from aicost.inputs.ranges import sample

SUMMARISED = ("cost_per_success", "monthly_cost", "roi")
PERCENTILES = (10, 50, 90)
CHUNK = 4096
WORKERS = max(1, min(4, __import__("os").cpu_count() or 1))


def simulate(plan: Plan, values: dict, ranges: list, n: int, seed: int | None,
             chunk: int = CHUNK, progress=None) -> dict[str, Any]:
    """Evaluate every option on ``n`` samples of the ranges; the summaries by option."""
    from concurrent.futures import ThreadPoolExecutor

    # an option its model does not offer on its tier can never be usable: leave it out of the runs
    point = evaluate(plan, values, meters=False)
    live = [i for i in range(len(plan)) if not point["flags"]["not_offered"][i, 0]]
    full_plan, plan = plan, plan.subset(live)
    draws = sample(ranges, n, seed)
    starts = list(range(0, n, chunk))

    def run(start):  # numpy releases the GIL in its loops: chunks run on every core
        stop = min(n, start + chunk)
        v = copy.deepcopy(values)
        for path, x in draws.items():
            set_path(v, path, x[start:stop])
        m = evaluate(plan, v, meters=False)
        size = stop - start
        return ({k: np.broadcast_to(m[k], (len(plan), size)) for k in SUMMARISED},
                np.broadcast_to(usable(m, "cost_per_success"), (len(plan), size)), stop)

    parts = []
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for part in pool.map(run, starts):
            parts.append(part)
            if progress:
                progress(part[2])
    arrays = {k: np.concatenate([p[0][k] for p in parts], axis=1) for k in SUMMARISED}  # live options only
    ok = np.concatenate([p[1] for p in parts], axis=1)
    live_cps = np.where(ok, arrays["cost_per_success"], np.inf)
    p_live = joint_p_cheapest([live_cps])
    cps = np.full((len(full_plan), n), np.inf)
    cps[live] = live_cps

    def percentiles(j):
        mask = ok[j]
        summary: dict[str, Any] = {"usable_share": float(mask.mean()), "p_cheapest": float(p_live[j])}
        for k in SUMMARISED:
            x = arrays[k][j] if mask.all() else arrays[k][j][mask]
            x = x[np.isfinite(x)]
            summary[k] = (None if x.size == 0 else
                          {f"p{q}": float(v) for q, v in zip(PERCENTILES, np.percentile(x, PERCENTILES))})
        return summary

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        live_summaries = dict(zip(live, pool.map(percentiles, range(len(live)))))
    never = {"usable_share": 0.0, "p_cheapest": 0.0, **{k: None for k in SUMMARISED}}
    out = [live_summaries.get(i, dict(never)) for i in range(len(full_plan))]
    return {"samples": n, "seed": seed, "options": out, "cps": cps}


def joint_p_cheapest(cps_blocks: list[np.ndarray]) -> np.ndarray:
    """``p_cheapest`` over several blocks of options evaluated on the same draws."""
    cps = np.concatenate(cps_blocks, axis=0)
    n = cps.shape[1]
    low = np.min(cps, axis=0)
    tied = (cps == low) & np.isfinite(low)  # options with exactly the lowest cost share that sample's win
    with np.errstate(all="ignore"):
        share = np.where(tied, 1.0 / np.maximum(tied.sum(axis=0), 1), 0.0)
    return share.sum(axis=1) / n


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
