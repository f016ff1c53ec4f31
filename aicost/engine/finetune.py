"""Fine-tuned models: the training (and, where billed, the hosting) a fine-tune costs, spread over
the horizon (docs/formulas.md "Fine-tuning").

    per run   = training tokens x epochs x training price per 1M / 1,000,000
    runs      = 1 + floor(horizon / retrain_every_months)  (1 when never retrained)
    per month = runs x per run / horizon + hosting per hour x hours a month

An option on a fine-tuned model listed under ``fine_tuning:`` carries it (a cascade, once for each
fine-tuned model among its stages); a model with no training price in the tables is unpriced.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aicost.engine.attempt import pt


def monthly(entry: Any, plan_values: dict, horizon: Any) -> Any:
    """What a fine-tune of ``entry`` costs a month (NaN: no training price in the tables)."""
    rate = entry.spec.training_per_mtok
    hosting = entry.spec.hosting_per_hour
    per_run = pt(plan_values["training_tokens"]) * pt(plan_values["epochs"]) * (
        np.nan if rate is None else float(rate)) / 1e6
    every = pt(plan_values.get("retrain_every_months", 0.0))
    with np.errstate(all="ignore"):
        runs = np.where(every > 0, 1.0 + np.floor((horizon - 1e-9) / np.where(every > 0, every, 1.0)), 1.0)
        out = runs * per_run / horizon
    if hosting is not None:
        out = out + float(hosting) * pt(plan_values.get("hosting_hours_per_month", 730.0))
    return out


def apply(plan, values: dict, nh: int, cascades: list, tasks: Any) -> tuple[list, list] | None:
    """Per task, the fine-tuning cost of each visible hosted option and cascade (as parts for
    ``cat``), and where it has no price; None when the scenario fine-tunes nothing."""
    plans = values.get("fine_tuning") or {}
    if not plans:
        return None
    horizon = pt(values["value"]["horizon_months"])
    memo: dict[str, Any] = {}

    def month_of(r: int) -> Any:
        ref = plan.row_quality[r][-1] if plan.row_quality[r][0] == "stage" else plan.row_quality[r][1]
        if ref not in plans:
            return None
        if ref not in memo:
            memo[ref] = monthly(plan.rows[r].entry, plans[ref], horizon)
        return memo[ref]

    with np.errstate(all="ignore"):
        def per_task(month: Any) -> Any:
            return np.where(tasks > 0, month / np.where(tasks > 0, tasks, 1.0), np.inf)

        hosted = [month_of(r) for r in range(nh)]
        width = np.broadcast_shapes((1, 1), *(np.shape(m) for m in hosted if m is not None),
                                    np.shape(tasks))[-1]
        rows = np.zeros((nh, width))
        for r, m in enumerate(hosted):
            if m is not None:
                rows[r] = np.broadcast_to(per_task(m), (1, width))[0]
        parts, missing = [rows], [np.isnan(rows)]
        for c in cascades:
            seen, total = set(), 0.0
            for r in c.rows:
                m = month_of(r)
                ref = plan.row_quality[r][-1]
                if m is not None and ref not in seen:
                    seen.add(ref)
                    total = total + m
            cost = per_task(total) if seen else np.zeros((1, 1))
            parts.append(np.broadcast_to(np.asarray(cost, dtype=float), (1, np.shape(cost)[-1] if np.ndim(cost) else 1)))
            missing.append(np.isnan(parts[-1]))
    return parts, missing
