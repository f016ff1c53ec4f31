"""A request mix (docs/formulas.md "Segments and routing"): every option judged on the mix of
segments, and one more option that routes each segment to its own best option, through a router
that may misroute.

Each segment is evaluated as the scenario with its own attempt and success rates, over all the
tasks; a figure that is a sum over tasks (costs, meters, outcome probabilities, attempts, peak
load) blends by the segments' shares, and the ratios (per success, ROI, payback) are formed again
from the blend. With shares summing to 1 the fixed costs count once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from aicost.base.constants import RANKINGS
from aicost.engine import formulas as F
from aicost.engine.attempt import pt

#: Figures formed again from the blended sums (never blended themselves).
RATIOS = ("cost_per_attempt", "cost_per_success", "cost_per_resolved_task", "total_cost_per_success", "roi",
          "payback_months", "latency_seconds", "tier_latency", "latency_lower_bound")


@dataclass(frozen=True)
class RoutedOption:
    """Each segment's requests sent to that segment's best option (per point of a sweep or sample)."""

    id: str = "routed/by-segment"
    name: str = "by segment"
    kind: str = "routed"
    caching: bool = False
    provider: str = "routed"
    model: str = "best per segment"
    tier: str = "mixed"
    rows: tuple = ()


def segment_values(values: dict, name: str) -> dict:
    """The scenario as one segment sees it: its attempt, and each model's success rates on it."""
    seg = values["segments"][name]
    out = dict(values)
    out["segments"], out["router"] = {}, None
    if seg.get("attempt"):
        out["attempt"] = seg["attempt"]
    models = {}
    for ref, m in (values.get("models") or {}).items():
        over = (seg.get("models") or {}).get(ref) or {}
        mm = dict(m)
        for k in ("p_success", "detection_rate", "format_failure_rate"):
            if over.get(k) is not None:
                mm[k] = over[k]
        if over.get("effort") and m.get("effort"):
            mm["effort"] = {lv: {**x, **{k: v for k, v in (over["effort"].get(lv) or {}).items() if v is not None}}
                            for lv, x in m["effort"].items()}
        models[ref] = mm
    out["models"] = models
    return out


def shares(values: dict) -> list:
    """Each segment's share; the one left out is the rest."""
    given = [values["segments"][n]["share"] for n in values["segments"]]
    rest = 1.0 - sum(pt(x) for x in given if x is not None)
    w = [pt(x) if x is not None else np.maximum(rest, 0.0) for x in given]
    total = sum(w)  # 1 as loaded; a sweep of one share among shares all given keeps them in proportion
    with np.errstate(all="ignore"):
        return [np.where(total > 0, x / np.where(total > 0, total, 1.0), 0.0) for x in w]


def _pick(metric: np.ndarray, usable: np.ndarray, by: str) -> np.ndarray:
    """Per point, the option that ranks first on ``by`` among the usable ones (-1: none)."""
    x = np.where(usable & np.isfinite(metric), metric if RANKINGS[by] == "min" else -metric, np.inf)
    best = np.argmin(x, axis=0)
    return np.where(np.isfinite(np.min(x, axis=0)), best, -1)


def evaluate_mix(plan, values: dict, meters: bool) -> dict[str, Any]:
    """Every option of the plan on the mix, then the routed option; shape (options + 1, points)."""
    from aicost.engine.evaluate import evaluate, usable
    from aicost.engine.parts import _finish

    names = list(values["segments"])
    ms = [evaluate(p, segment_values(values, n), meters) for n, (_, p) in zip(names, plan.segments)]
    w = shares(values)
    router = values.get("router")
    acc = pt(router["accuracy"]) if router else 1.0
    fee = router_fee(plan, values) if router else 0.0
    tasks = pt(values["volume"]["tasks_per_month"])
    # as wide as the widest swept or sampled input (segment results, shares, accuracy, router, volume)
    width = max([np.shape(m["cost_per_success"])[-1] for m in ms] + [np.size(x) for x in (*w, acc, fee, tasks)])
    acc = np.broadcast_to(np.ravel(acc), (width,))
    n = np.shape(ms[0]["cost_per_success"])[0]
    keys = [k for k in ms[0] if k != "flags"]
    # ---- the routed option: each segment's best, reached with the router's accuracy ---------------
    by = values["options"]["rank_by"]
    picks = [_pick(np.broadcast_to(m[by], (n, width)), np.broadcast_to(usable(m), (n, width)), by) for m in ms]

    def at(m, k, j):  # m[k] at option j per point (NaN where no option is usable)
        a = np.broadcast_to(np.asarray(m[k], dtype=float), (n, width))
        got = np.take_along_axis(a, np.maximum(j, 0)[None, :], axis=0)[0]
        return np.where(j >= 0, got, np.nan)

    def routed(m_s, s):  # segment s's requests: its own pick at the accuracy, else the others' picks
        k_out = {}
        others = [t for t in range(len(ms)) if t != s]
        rest = sum(w[t] for t in others) if others else 0.0
        for k in keys:
            own = at(m_s, k, picks[s])
            if others and router:
                with np.errstate(all="ignore"):
                    wrong = sum(np.broadcast_to(w[t], (1, width))[0] / np.where(np.broadcast_to(rest, (1, width))[0]
                                > 0, np.broadcast_to(rest, (1, width))[0], 1.0) * at(m_s, k, picks[t]) for t in others)
                k_out[k] = acc * own + (1 - acc) * wrong
            else:
                k_out[k] = own
        return k_out

    route = [routed(m, s) for s, m in enumerate(ms)]
    blended: dict[str, Any] = {}
    for k in keys:
        if k in RATIOS:
            continue
        blended[k] = np.concatenate([sum(np.broadcast_to(w[s], (1, width)) * np.broadcast_to(ms[s][k], (n, width))
                                         for s in range(len(ms))),
                                     sum(np.broadcast_to(w[s], (1, width)) * route[s][k][None, :]
                                         for s in range(len(ms)))])
    extra = np.concatenate([np.zeros((n, np.size(fee))), np.reshape(fee, (1, -1))])
    for k in ("ai_cost_per_task", "task_cost"):
        blended[k] = blended[k] + extra
    blended["monthly_cost"] = blended["monthly_cost"] + tasks * extra
    blended["net_monthly"] = blended["net_monthly"] - tasks * extra
    if meters:
        blended["meter_cost.router"] = tasks * extra * np.ones((1, width))
    # ---- ratios again from the sums ---------------------------------------------------------------
    A, S, Gv = blended["expected_attempts"], blended["p_success"], blended["p_given_up"]
    ai, review, fallback = blended["ai_cost_per_task"], blended["review_cost_per_task"], blended["fallback_cost_per_task"]
    cps, cprt = F.per_outcome(ai, review, fallback, S, Gv)
    val = values["value"]
    build, horizon = pt(val["build_cost"]), pt(val["horizon_months"])
    with np.errstate(all="ignore"):
        blended["cost_per_attempt"] = ai / A
        denom = build + horizon * blended["monthly_cost"]
        net = blended["net_monthly"]
        blended["roi"] = np.where(denom > 0, (horizon * net - build) / np.where(denom > 0, denom, 1.0), np.nan)
        blended["payback_months"] = np.where(net > 0, build / np.where(net > 0, net, 1.0), np.nan)
    blended["cost_per_success"], blended["cost_per_resolved_task"] = cps, cprt
    blended["total_cost_per_success"] = F.total_per_success(blended["monthly_cost"], build, horizon, tasks, S)
    lat = [np.broadcast_to(m["latency_seconds"], (n, width)) for m in ms]
    blended["latency_seconds"] = np.concatenate([sum(np.broadcast_to(w[s], (1, width)) * lat[s]
                                                     for s in range(len(ms))),
                                                 sum(np.broadcast_to(w[s], (1, width)) * route[s]["latency_seconds"]
                                                     [None, :] for s in range(len(ms)))])
    for k in ("tier_latency", "latency_lower_bound"):
        blended[k] = np.concatenate([np.max([np.broadcast_to(m[k], (n, width)) for m in ms], axis=0),
                                     np.max([r[k] for r in route], axis=0)[None, :]])
    flags = {}
    for f in ms[0]["flags"]:
        flags[f] = np.concatenate([np.any([np.broadcast_to(m["flags"][f], (n, width)) for m in ms], axis=0),
                                   np.zeros((1, width), bool)])
    floor = values["quality"]  # the quality floor holds on the mix (each segment's pick cleared it on its own)
    if floor.get("min_success") is not None:
        flags["below_min_success"] = np.broadcast_to(S < pt(floor["min_success"]), (n + 1, width))
    if floor.get("max_silent_failure") is not None:
        flags["over_silent_failure"] = np.broadcast_to(blended["p_silent_failure"] > pt(floor["max_silent_failure"]),
                                                       (n + 1, width))
    flags["no_route"] = np.concatenate([np.zeros((n, width), bool), np.any([p < 0 for p in picks], axis=0)[None, :]])
    flags["no_router_price"] = np.concatenate([np.zeros((n, width), bool),
                                               np.broadcast_to(bool(router) & ~np.isfinite(fee), (1, width))])
    return _finish(plan, blended, flags, n + 1)


def choices(plan, values: dict) -> list[dict]:
    """At the scenario's point: each segment's share, its best option and that option's figures on
    the segment (for the report)."""
    from aicost.engine.evaluate import evaluate, usable

    by = values["options"]["rank_by"]
    out = []
    w = shares(values)
    for k, (name, p) in enumerate(plan.segments):
        m = evaluate(p, segment_values(values, name), meters=False)
        j = int(_pick(m[by][:, :1], usable(m)[:, :1], by)[0])
        out.append({"segment": name, "share": float(np.ravel(w[k])[0]),
                    "option": p.options[j].id if j >= 0 else None,
                    "figures": {k: float(m[k][j, 0]) for k in ("cost_per_success", "p_success", "ai_cost_per_task")}
                    if j >= 0 else None})
    return out


def router_price(book, values: dict, as_of) -> dict | None:
    """The router's rates from the tables (NaN where its tier has no price)."""
    r = values.get("router")
    if not r:
        return None
    hits = book.resolve(r["model"], (values.get("options") or {}).get("providers"))
    price = book.price(hits[0], r["tier"], as_of) if hits else None
    if price is None:
        return {"input": np.nan, "output": np.nan, "label": r["model"]}
    return {"input": float(price.input), "output": float(price.output),
            "label": f"{hits[0].provider}/{hits[0].id}:{r['tier']}"}


def router_fee(plan, values: dict):
    """The router's call per task at these values: (input x input rate + output x output rate) / 1e6."""
    r, rates = values["router"], plan.router or {"input": np.nan, "output": np.nan}
    with np.errstate(invalid="ignore"):
        return (pt(r["input_tokens"]) * rates["input"] + pt(r["output_tokens"]) * rates["output"]) / F.MTOK
