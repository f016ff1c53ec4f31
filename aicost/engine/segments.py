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


#: Flags a mix judges on the whole mix, not per segment (a segment alone is evaluated at all the tasks).
MIX_FLAGS = ("over_rate_limit",)
#: Flags that do not stop one segment's requests from being served by an option (the floor is judged on
#: the whole traffic of an option, the rate limit on the mix).
NOT_SERVING = ("over_rate_limit", "below_min_success", "over_silent_failure")


def _serves(m: dict, drop: tuple = NOT_SERVING) -> np.ndarray:
    """Where an option can serve a segment's requests: eligible and priced, the mix-level flags aside."""
    from aicost.engine.evaluate import INELIGIBLE, UNPRICED

    bad = np.zeros(np.shape(m["cost_per_success"]), bool)
    for key in INELIGIBLE + UNPRICED:
        if key in m["flags"] and key not in drop:
            bad = bad | m["flags"][key]
    return ~bad


def _with_refused(values: dict, r) -> dict:
    """A segment's values with the refused share of the mix's load (engine.resilience)."""
    return {**values, "resilience": {**values["resilience"], "_refused": r}}


def _routes(w: list, acc, n_seg: int, width: int) -> list[list]:
    """route[s][t]: the share of segment s's requests sent to segment t's pick: the accuracy to its
    own, the rest to the others in proportion to their shares (all to its own when there are none)."""
    out = []
    for s in range(n_seg):
        rest = sum((np.broadcast_to(w[t], (1, width))[0] for t in range(n_seg) if t != s), np.zeros(width))
        row = []
        for t in range(n_seg):
            if t == s:
                row.append(np.where(rest > 0, acc, 1.0))
            else:
                with np.errstate(all="ignore"):
                    row.append(np.where(rest > 0, (1 - acc) * np.broadcast_to(w[t], (1, width))[0]
                                        / np.where(rest > 0, rest, 1.0), 0.0))
        out.append(row)
    return out


def singles(plan, values: dict, meters: bool) -> tuple[list[dict], list[dict], list[dict]]:
    """Each segment as a single option sees it: its values (with the refused share of the whole
    mix's load on each option, under resilience:), its evaluation without outages and failover
    (the load it offers), and its evaluation."""
    from aicost.engine.evaluate import evaluate
    from aicost.engine.resilience import refused_share

    plans = [p for _, p in plan.segments]
    seg_vals = [segment_values(values, name) for name in values["segments"]]
    res = values.get("resilience")
    bare = [evaluate(p, {**v, "resilience": None} if res else v, meters=False) for p, v in zip(plans, seg_vals)]
    if not res:
        return seg_vals, bare, [evaluate(p, v, meters) for p, v in zip(plans, seg_vals)] if meters else bare
    w, ptoa = shares(values), pt(values["volume"]["peak_to_average"])
    load = {k: sum(x * b[k] for x, b in zip(w, bare)) / ptoa for k in ("peak_rpm", "peak_tpm")}
    r_mix = refused_share(values, load["peak_rpm"], load["peak_tpm"], bare[0]["limit_rpm"], bare[0]["limit_tpm"])
    used = [_with_refused(v, r_mix) for v in seg_vals]
    return used, bare, [evaluate(p, v, meters) for p, v in zip(plans, used)]


def evaluate_mix(plan, values: dict, meters: bool) -> dict[str, Any]:
    """Every option of the plan on the mix, then the routed option; shape (options + 1, points).

    Rate limits and 429s are judged on the load each option carries: the whole mix for a single
    option, the requests routed to it for the routed option's picks."""
    from aicost.engine.evaluate import evaluate
    from aicost.engine.parts import _finish
    from aicost.engine.resilience import refused_share

    names = list(values["segments"])
    plans = [p for _, p in plan.segments]
    seg_vals, bare, ms = singles(plan, values, meters)
    w = shares(values)
    res = values.get("resilience")
    router = values.get("router")
    acc = pt(router["accuracy"]) if router and len(names) > 1 else 1.0
    fee = router_fee(plan, values) if router else 0.0
    tasks = pt(values["volume"]["tasks_per_month"])
    ptoa = pt(values["volume"]["peak_to_average"])
    n = np.shape(bare[0]["cost_per_success"])[0]
    width = max([np.shape(m["cost_per_success"])[-1] for m in bare]
                + [np.size(x) for x in (*w, acc, fee, tasks, ptoa)])

    def wide(x, rows=n):
        return np.broadcast_to(np.asarray(x, dtype=float), (rows, width))

    def mix_load(key, share_of):  # per option: sum over segments of the requests it gets x the load they bring
        return sum(share_of(s) * wide(bare[s][key]) for s in range(len(names)))

    lim = {k: wide(bare[0][f"limit_{k}"]) for k in ("rpm", "tpm", "queue")}

    def refused(load_rpm, load_tpm):
        return refused_share(values, load_rpm / ptoa, load_tpm / ptoa, lim["rpm"], lim["tpm"])

    single = lambda s: wide(w[s], 1)  # noqa: E731  (a single option gets every segment's requests)
    peak = {k: mix_load(k, single) for k in ("peak_rpm", "peak_tpm", "daily_input_tokens")}
    keys = [k for k in ms[0] if k != "flags"]
    acc = np.broadcast_to(np.ravel(acc), (width,))
    # ---- the routed option: each segment's best, reached with the router's accuracy ---------------
    by = values["options"]["rank_by"]
    serves = [wide(_serves(m)).astype(bool) for m in ms]
    picks = [_pick(wide(m[by]), wide(_serves(m, MIX_FLAGS)).astype(bool), by) for m in ms]
    route = _routes(w, acc, len(names), width)
    # the load routed to each option: the requests of every segment whose pick (or misroute) it is
    routed_load = {}
    for key in ("peak_rpm", "peak_tpm", "daily_input_tokens"):
        load = np.zeros((n, width))
        for s in range(len(names)):
            for t in range(len(names)):
                j = picks[t]
                part = wide(w[s], 1)[0] * route[s][t] * np.take_along_axis(wide(bare[s][key]), np.maximum(j, 0)[None, :],
                                                                           axis=0)[0]
                onehot = (np.arange(n)[:, None] == j[None, :]) & (j[None, :] >= 0)
                load = load + onehot * part
        routed_load[key] = load
    mr = [evaluate(p, _with_refused(v, refused(routed_load["peak_rpm"], routed_load["peak_tpm"])), meters)
          for p, v in zip(plans, seg_vals)] if res else ms

    def at(m, k, j):  # m[k] at option j per point (NaN where no option is usable)
        got = np.take_along_axis(wide(m[k]), np.maximum(j, 0)[None, :], axis=0)[0]
        return np.where(j >= 0, got, np.nan)

    blended: dict[str, Any] = {}
    pairs = [(s, t) for s in range(len(names)) for t in range(len(names))]
    for k in keys:
        if k in RATIOS:
            continue
        one = sum(wide(w[s], 1) * wide(ms[s][k]) for s in range(len(names)))
        both = sum(wide(w[s], 1)[0] * route[s][t] * np.nan_to_num(at(mr[s], k, picks[t]), nan=0.0)
                   if t != s else wide(w[s], 1)[0] * route[s][t] * at(mr[s], k, picks[t]) for s, t in pairs)
        blended[k] = np.concatenate([one, np.reshape(both, (1, width))])
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
    # the answer time of the slowest segment (of the paths a routed request may take)
    lat_paths = [np.where(route[s][t] > 0, at(mr[s], "latency_seconds", picks[t]), -np.inf) for s, t in pairs]
    blended["latency_seconds"] = np.concatenate([np.max([wide(m["latency_seconds"]) for m in ms], axis=0),
                                                 np.max(lat_paths, axis=0)[None, :]])
    for k in ("tier_latency", "latency_lower_bound"):
        blended[k] = np.concatenate([np.max([wide(m[k]) for m in ms], axis=0),
                                     np.max([np.where(route[s][t] > 0, at(mr[s], k, picks[t]), 0.0) for s, t in pairs],
                                            axis=0)[None, :]])
    blended.update({f"peak_{k}": np.concatenate([peak[f"peak_{k}"], np.max(routed_load[f"peak_{k}"], axis=0)[None, :]])
                    for k in ("rpm", "tpm")})
    # ---- flags: a single option is out where it is out on any segment; the mix's own checks -------------
    flags = {f: np.concatenate([np.any([wide(m["flags"][f]).astype(bool) for m in ms], axis=0),
                                np.zeros((1, width), bool)]) for f in ms[0]["flags"] if f not in MIX_FLAGS}
    over = peak["daily_input_tokens"] > lim["queue"]
    r_over = routed_load["daily_input_tokens"] > lim["queue"]
    if not res:  # no failover: an option over a per-minute limit is out (the routed one: any option it uses)
        over = over | (peak["peak_rpm"] > lim["rpm"]) | (peak["peak_tpm"] > lim["tpm"])
        r_over = r_over | (routed_load["peak_rpm"] > lim["rpm"]) | (routed_load["peak_tpm"] > lim["tpm"])
    flags["over_rate_limit"] = np.concatenate([over, np.any(r_over, axis=0)[None, :]])
    floor = values["quality"]  # the routed mix (misroutes included) is held to the floor too
    if floor.get("min_success") is not None:
        flags["below_min_success"][-1] = S[-1] < np.ravel(pt(floor["min_success"]))
    if floor.get("max_silent_failure") is not None:
        flags["over_silent_failure"][-1] = blended["p_silent_failure"][-1] > np.ravel(pt(floor["max_silent_failure"]))
    unservable = np.any([(route[s][t] > 0) & (picks[t] >= 0)
                         & ~np.take_along_axis(serves[s], np.maximum(picks[t], 0)[None, :], axis=0)[0]
                         for s, t in pairs if s != t], axis=0) if len(names) > 1 else np.zeros(width, bool)
    flags["misroute_unservable"] = np.concatenate([np.zeros((n, width), bool), unservable[None, :]])
    flags["no_route"] = np.concatenate([np.zeros((n, width), bool), np.any([p < 0 for p in picks], axis=0)[None, :]])
    flags["no_router_price"] = np.concatenate([np.zeros((n, width), bool),
                                               np.broadcast_to(bool(router) & ~np.isfinite(fee), (1, width))])
    return _finish(plan, blended, flags, n + 1)


def choices(plan, values: dict, ms: list[dict]) -> list[dict]:
    """At the scenario's point: each segment's share, its best option (picked as the routed option
    picks it, from the segments' evaluations ``ms`` of :func:`singles`) and that option's figures
    on the segment (for the report)."""
    by = values["options"]["rank_by"]
    out = []
    w = shares(values)
    for k, ((name, p), m) in enumerate(zip(plan.segments, ms)):
        j = int(_pick(m[by][:, :1], _serves(m, MIX_FLAGS)[:, :1], by)[0])
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
