"""Evaluate every option of a plan on scenario values that may be arrays (sweeps, samples)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import formulas as F
from .plan import Plan

METERS = ("input", "cached_input", "cache_write", "output", "reasoning")
PEOPLE_METERS = ("review", "fallback")

#: Reasons an option is not a real choice, as boolean masks in the result's ``flags``.
INELIGIBLE = ("not_offered", "too_slow", "context_too_long")
UNPRICED = ("no_cached_price", "no_long_context_price")


def pt(x: Any) -> np.ndarray:
    """A scenario number as an array that broadcasts against (options, points)."""
    a = np.asarray(x, dtype=float)
    return a.reshape(1, -1) if a.ndim == 1 else a


def latency_need_seconds(latency: dict) -> np.ndarray:
    if latency.get("p95_seconds") is not None:
        return pt(latency["p95_seconds"])
    if latency.get("minutes") is not None:
        return pt(latency["minutes"]) * 60.0
    return pt(latency["deadline_hours"]) * 3600.0


def _per_model(plan: Plan, models: dict, key: str, default: Any) -> np.ndarray:
    rows = []
    for ref in plan.model_refs:
        v = models[ref].get(key)
        rows.append(pt(default if v is None else v))
    shape = np.broadcast_shapes(*(r.shape for r in rows)) if rows else ()
    stacked = np.stack([np.broadcast_to(r, shape) for r in rows]) if rows else np.zeros((0,))
    # stacked: (M, [1, P]) -> pick each option's model -> (O, P) or (O, 1)
    out = stacked[plan.model_index]
    return out.reshape(len(plan), -1)


def evaluate(plan: Plan, values: dict) -> dict[str, np.ndarray]:
    """All metrics of ``domain.md`` for every option: arrays of shape (options, points).

    ``values`` is a scenario as plain data (``Scenario.model_dump()``), in which any number
    may be replaced by a 1-D array of points. Returns metric arrays plus boolean ``flags``.
    """
    o = len(plan)
    caching = plan.caching
    h = pt(values["caching"]["hit_rate"])

    meter_cost = {m: 0.0 for m in METERS}
    meter_tokens = {m: 0.0 for m in METERS}
    need_cached = np.zeros((o, 1), bool)
    need_long = np.zeros((o, 1), bool)
    too_long = np.zeros((o, 1), bool)
    for step in values["attempt"]["steps"]:
        calls = pt(step["calls"])
        inp = pt(step["input_tokens"])
        long = inp > plan.threshold
        rates = {k: np.where(long, plan.long_rates[k], plan.rates[k]) for k in plan.rates}
        fresh, cached, written = F.call_tokens(inp, pt(step["cached_prefix_tokens"]), h, caching, plan.min_cache)
        out, reas = pt(step["output_tokens"]), pt(step["reasoning_tokens"])
        costs = F.call_cost(fresh, cached, written, out, reas, rates)
        for m, tokens in zip(METERS, (fresh, cached, written, out, reas)):
            meter_cost[m] = meter_cost[m] + calls * costs[m]
            meter_tokens[m] = meter_tokens[m] + calls * tokens
        need_cached = need_cached | ((cached > 0) & np.isnan(rates["cached_input"]))
        need_long = need_long | (long & np.isnan(plan.long_rates["input"]) & (calls > 0))
        too_long = too_long | ((inp > plan.context_window) & (calls > 0))

    cost_attempt = sum(meter_cost[m] for m in METERS)

    q = values["quality"]
    p = _per_model(plan, values["models"], "p_success", None)
    d = _per_model(plan, values["models"], "detection_rate", q["detection_rate"])
    k = _per_model(plan, values["models"], "attempts_allowed", q["attempts_allowed"])
    attempts, s, u, g = F.retry_outcomes(p, d, k)

    people = values["people"]
    ai, review, fallback = F.task_costs(
        attempts, cost_attempt, s, u, g,
        pt(people["review_share"]), pt(people["cost_per_review"]), pt(people["human_cost_per_task"]),
    )
    cps, cprt = F.per_outcome(ai, review, fallback, s, g)

    val = values["value"]
    tasks = pt(values["volume"]["tasks_per_month"])
    fixed = pt(val["fixed_monthly"])
    task_cost = ai + review + fallback
    monthly, benefit, net, roi, payback = F.monthly_and_roi(
        tasks, task_cost, fixed, s,
        None if val["value_per_success"] is None else pt(val["value_per_success"]),
        None if val["baseline_cost_per_task"] is None else pt(val["baseline_cost_per_task"]),
        pt(val["build_cost"]), pt(val["horizon_months"]),
    )

    need = latency_need_seconds(values["latency"])
    flags = {
        "not_offered": ~plan.offered,
        "too_slow": plan.tier_latency > need,
        "context_too_long": too_long,
        "no_cached_price": need_cached & plan.offered,
        "no_long_context_price": need_long & plan.offered,
    }

    out: dict[str, Any] = {
        "cost_per_attempt": cost_attempt,
        "expected_attempts": attempts,
        "p_success": s,
        "p_silent_failure": u,
        "p_given_up": g,
        "ai_cost_per_task": ai,
        "review_cost_per_task": review,
        "fallback_cost_per_task": fallback,
        "task_cost": task_cost,
        "cost_per_success": cps,
        "cost_per_resolved_task": cprt,
        "monthly_cost": monthly,
        "monthly_benefit": benefit,
        "net_monthly": net,
        "roi": roi,
        "payback_months": payback,
    }
    # monthly cost by meter: tokens are per month (tasks x attempts x per-attempt tokens)
    per_month = tasks * attempts
    for m in METERS:
        out[f"meter_cost.{m}"] = per_month * meter_cost[m]
        out[f"meter_tokens.{m}"] = per_month * meter_tokens[m]
    out["meter_cost.review"] = tasks * review
    out["meter_cost.fallback"] = tasks * fallback
    out["meter_cost.fixed"] = fixed * np.ones_like(monthly)

    shape = np.broadcast_shapes(*(np.shape(v) for v in out.values()), *(f.shape for f in flags.values()), (o, 1))
    result = {key: np.broadcast_to(np.asarray(v, dtype=float), shape) for key, v in out.items()}
    result["flags"] = {key: np.broadcast_to(f, shape) for key, f in flags.items()}
    return result

