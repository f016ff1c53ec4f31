"""Evaluate every option of a plan on scenario values that may be arrays (sweeps, samples)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import formulas as F
from . import gpu as G
from .plan import Plan

METERS = ("input", "cached_input", "cache_write", "output", "reasoning")
COST_METERS = (*METERS, "gpu", "ops", "review", "fallback", "fixed")

#: Reasons an option is not a real choice, as boolean masks in the result's ``flags``.
INELIGIBLE = ("not_offered", "too_slow", "context_too_long", "no_fit", "over_rate_limit")
UNPRICED = ("no_cached_price", "no_long_context_price")
#: Extra metrics of self-hosted rows (NaN on hosted rows).
GPU_METRICS = ("gpu_hours", "replicas", "utilisation", "busy_replica_hours", "gpu_monthly_cost",
               "cost_per_mtok_output")


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


def _per_model(plan: Plan, values: dict, key: str, default: Any) -> np.ndarray:
    rows = []
    for section, ref in plan.quality_refs:
        models = values["models"] if section == "models" else values["self_hosted"]["models"]
        v = models[ref].get(key)
        rows.append(pt(default if v is None else v))
    shape = np.broadcast_shapes(*(r.shape for r in rows))
    stacked = np.stack([np.broadcast_to(r, shape) for r in rows])
    return stacked[plan.model_index].reshape(len(plan), -1)  # (O, 1) or (O, P)


def evaluate(plan: Plan, values: dict) -> dict[str, Any]:
    """All metrics of ``domain.md`` for every option: arrays of shape (options, points).

    ``values`` is a scenario as plain data (``Scenario.model_dump()``), in which any number
    may be replaced by a 1-D array of points. Returns metric arrays plus boolean ``flags``.
    """
    o, nh = len(plan), plan.n_hosted
    h = pt(values["caching"]["hit_rate"])
    tasks = pt(values["volume"]["tasks_per_month"])

    # ---- one attempt's tokens and, for hosted rows, its cost --------------------------------
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
        fresh, cached, written = F.call_tokens(inp, pt(step["cached_prefix_tokens"]), h, plan.caching, plan.min_cache)
        out, reas = pt(step["output_tokens"]), pt(step["reasoning_tokens"])
        costs = F.call_cost(fresh, cached, written, out, reas, rates)
        for m, tokens in zip(METERS, (fresh, cached, written, out, reas)):
            meter_cost[m] = meter_cost[m] + calls * costs[m]
            meter_tokens[m] = meter_tokens[m] + calls * tokens
        need_cached = need_cached | ((cached > 0) & np.isnan(rates["cached_input"]))
        need_long = need_long | (long & np.isnan(plan.long_rates["input"]) & (calls > 0))
        too_long = too_long | ((inp > plan.context_window) & (calls > 0))
    cost_attempt = sum(meter_cost[m] for m in METERS)

    # ---- retries: every option --------------------------------------------------------------
    q = values["quality"]
    p = _per_model(plan, values, "p_success", None)
    d = _per_model(plan, values, "detection_rate", q["detection_rate"])
    k = _per_model(plan, values, "attempts_allowed", q["attempts_allowed"])
    attempts, s, u, g = F.retry_outcomes(p, d, k)
    shape = np.broadcast_shapes(np.shape(cost_attempt), attempts.shape, tasks.shape, (o, 1))
    cost_attempt = np.array(np.broadcast_to(cost_attempt, shape))
    ai_monthly = tasks * attempts * cost_attempt  # hosted rows; GPU rows are replaced below
    ai_monthly = np.array(np.broadcast_to(ai_monthly, shape))
    meters = {f"meter_cost.{m}": np.array(np.broadcast_to(tasks * attempts * meter_cost[m], shape)) for m in METERS}
    extra = {k_: np.full(shape, np.nan) for k_ in GPU_METRICS}
    meters["meter_cost.gpu"] = np.zeros(shape)
    meters["meter_cost.ops"] = np.zeros(shape)
    no_fit = np.zeros((o, 1), bool)

    # ---- self-hosted rows: the fleet's month ------------------------------------------------
    if plan.gpu:
        gp = plan.gpu
        a_g = np.broadcast_to(attempts, shape)[nh:]
        busy_per_attempt = 0.0
        out_per_attempt = 0.0
        for j, step in enumerate(values["attempt"]["steps"]):
            outp = pt(step["output_tokens"]) + pt(step["reasoning_tokens"])
            secs = G.seconds_per_request(gp["t_p"][:, j:j + 1], gp["share"][:, j:j + 1], gp["in_p"][:, j:j + 1],
                                         gp["out_p"][:, j:j + 1], np.maximum(pt(step["input_tokens"]), 1.0),
                                         np.maximum(outp, 1.0))
            busy_per_attempt = busy_per_attempt + pt(step["calls"]) * secs
            out_per_attempt = out_per_attempt + pt(step["calls"]) * outp
        sh = values["self_hosted"]
        busy = tasks * a_g * busy_per_attempt / 3600.0
        gpu_hours, replicas, util = G.fleet(busy, gp["gpus_per_replica"], gp["gpus_per_instance"], gp["always_on"],
                                            pt(sh["min_replicas"]), pt(sh["target_utilisation"]),
                                            pt(values["volume"]["peak_to_average"]))
        gpu_cost = gpu_hours * gp["per_gpu_hour"]
        ops = pt(sh["ops_monthly"]) * np.ones_like(gpu_cost)
        monthly_gpu = gpu_cost + ops
        tokens_out = tasks * a_g * out_per_attempt
        with np.errstate(all="ignore"):
            extra["cost_per_mtok_output"][nh:] = np.where(tokens_out > 0, monthly_gpu / tokens_out * 1e6, np.nan)
            cost_attempt[nh:] = np.where(tasks * a_g > 0, monthly_gpu / (tasks * a_g), np.inf)
        ai_monthly[nh:] = monthly_gpu
        extra["gpu_hours"][nh:] = gpu_hours
        extra["replicas"][nh:] = replicas
        extra["utilisation"][nh:] = util
        extra["busy_replica_hours"][nh:] = busy
        extra["gpu_monthly_cost"][nh:] = monthly_gpu
        for m in METERS:
            meters[f"meter_cost.{m}"][nh:] = 0.0
        meters["meter_cost.gpu"][nh:] = gpu_cost
        meters["meter_cost.ops"][nh:] = ops
        no_fit[nh:] = ~gp["fits"]

    # ---- people, per outcome, per month, ROI --------------------------------------------------
    people = values["people"]
    with np.errstate(all="ignore"):
        ai = np.where(tasks > 0, ai_monthly / np.where(tasks > 0, tasks, 1.0), attempts * cost_attempt)
    _, review, fallback = F.task_costs(attempts, cost_attempt, s, u, g, pt(people["review_share"]),
                                       pt(people["cost_per_review"]), pt(people["human_cost_per_task"]))
    cps, cprt = F.per_outcome(ai, review, fallback, s, g)
    val = values["value"]
    fixed = pt(val["fixed_monthly"])
    monthly, benefit, net, roi, payback = F.monthly_and_roi(
        tasks, ai_monthly + tasks * (review + fallback), fixed, s,
        None if val["value_per_success"] is None else pt(val["value_per_success"]),
        None if val["baseline_cost_per_task"] is None else pt(val["baseline_cost_per_task"]),
        pt(val["build_cost"]), pt(val["horizon_months"]),
    )

    # ---- peak load against the organisation's rate limits (hosted) ---------------------------
    per_minute = tasks * attempts / (F.HOURS_PER_MONTH * 60.0)
    peak = per_minute * pt(values["volume"]["peak_to_average"])
    calls_per_attempt = sum(pt(st["calls"]) for st in values["attempt"]["steps"])
    tokens_per_attempt = sum(pt(st["calls"]) * (pt(st["input_tokens"]) + pt(st["output_tokens"])
                                                + pt(st["reasoning_tokens"])) for st in values["attempt"]["steps"])
    input_per_attempt = sum(pt(st["calls"]) * pt(st["input_tokens"]) for st in values["attempt"]["steps"])
    peak_rpm = peak * calls_per_attempt
    peak_tpm = peak * tokens_per_attempt
    daily_input = tasks * attempts * input_per_attempt / (F.HOURS_PER_MONTH / 24.0)
    lim = plan.limits or {"rpm": np.inf, "tpm": np.inf, "queue": np.inf}
    over = (peak_rpm > lim["rpm"]) | (peak_tpm > lim["tpm"]) | (daily_input > lim["queue"])

    need = latency_need_seconds(values["latency"])
    flags = {
        "not_offered": ~plan.offered,
        "too_slow": plan.tier_latency > need,
        "context_too_long": too_long,
        "no_fit": no_fit,
        "over_rate_limit": np.asarray(over, bool),
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
        "task_cost": ai + review + fallback,
        "cost_per_success": cps,
        "cost_per_resolved_task": cprt,
        "monthly_cost": monthly,
        "monthly_benefit": benefit,
        "net_monthly": net,
        "roi": roi,
        "payback_months": payback,
        **extra,
        **meters,
        "peak_rpm": peak_rpm,
        "peak_tpm": peak_tpm,
        "daily_input_tokens": daily_input,
    }
    for m in METERS:
        out[f"meter_tokens.{m}"] = tasks * attempts * meter_tokens[m]
    out["meter_cost.review"] = tasks * review
    out["meter_cost.fallback"] = tasks * fallback
    out["meter_cost.fixed"] = fixed * np.ones_like(monthly)

    full = np.broadcast_shapes(*(np.shape(v) for v in out.values()), *(f.shape for f in flags.values()), shape)
    result = {key: np.broadcast_to(np.asarray(v, dtype=float), full) for key, v in out.items()}
    result["flags"] = {key: np.broadcast_to(f, full) for key, f in flags.items()}
    return result
