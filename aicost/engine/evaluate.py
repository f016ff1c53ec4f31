"""Evaluate every option of a plan on scenario values that may be arrays (sweeps, samples)."""

from __future__ import annotations

from typing import Any

import numpy as np

from aicost.base.constants import DAYS_PER_MONTH, MEDIA_METERS, MEDIA_TOKEN_METERS
from aicost.engine import formulas as F
from aicost.engine import finetune, provisioned, resilience, retrieval
from aicost.engine import gpu as G
from aicost.engine.attempt import METERS, attempt_rows as _rows, pt
from aicost.engine.media import uses_media
from aicost.engine.parts import (INPUT_METERS, _finish, _load, _outcomes, _put_tail, fleet_lean, gpu_volumes,
                                 latency_need_seconds, latency_read, skipped, wide)
from aicost.engine.plan import Plan

COST_METERS = (*METERS, "tools", "provisioned", "fine_tuning", "storage", "freshness", "fan_out", "ownership",
               "cache_storage", "gpu", "ops", "review", "fallback", "fixed")

#: Reasons an option is not a real choice, as boolean masks in the result's ``flags``.
INELIGIBLE = ("not_offered", "too_slow", "latency_over_need", "latency_unknown", "context_too_long", "no_fit",
              "over_rate_limit", "no_cached_price",  # no cached-input rate: the model offers no caching there
              "media_self_hosted",  # an open text model on a GPU is not priced for audio or images
              "over_capacity",  # a provisioned reservation without spillover cannot hold the load
              "below_min_success", "over_silent_failure",  # under the scenario's quality floor
              "no_route",  # a segment of a request mix with no usable option
              "misroute_unservable")  # a misrouted request would reach an option that cannot serve it
UNPRICED = ("no_router_price", "no_failover_price", "no_embedding_price", "no_training_price", "no_spill_price", "no_media_price", "no_long_context_price", "no_web_search_price", "no_file_search_price",
            "no_code_session_price", "no_storage_price", "no_cache_storage_price", "no_fallback_price",
            "no_tool_price_self_hosted")
#: Extra metrics of self-hosted options (NaN elsewhere).
GPU_METRICS = ("gpu_hours", "replicas", "utilisation", "busy_replica_hours", "gpu_monthly_cost",
               "cost_per_mtok_output", "gpus_peak", "gpus_per_replica")


def usable(m: dict, metric: str | None = None) -> np.ndarray:
    """Where each option is a real choice: eligible and priced (and, given ``metric``, with that
    figure defined), from an :func:`evaluate` result; (options, points)."""
    bad = np.zeros(np.shape(m["cost_per_success"]), bool)
    for key in INELIGIBLE + UNPRICED:
        if key in m["flags"]:  # (a request mix's own flags are on its results only)
            bad = bad | m["flags"][key]
    return ~bad if metric is None else ~bad & np.isfinite(m[metric])


def evaluate(plan: Plan, values: dict, meters: bool = True, want: str | tuple | None = None) -> dict[str, Any]:
    """All metrics of ``domain.md`` for every visible option: arrays of shape (options, points).

    ``values`` is a scenario as plain data (``Scenario.model_dump()``), in which any number
    may be replaced by a 1-D array of points. Returns metric arrays plus boolean ``flags``;
    ``meters=False`` leaves out the per-meter breakdown (for sampling and sweeps). ``want`` (with
    ``meters=False``) names the figure (or figures) needed besides the flags: the per-outcome figures, ROI
    and the total per success are then computed only when it is one of them (the others NaN).
    """
    if plan.segments:
        from aicost.engine.segments import evaluate_mix

        return evaluate_mix(plan, values, meters)
    tasks = pt(values["volume"]["tasks_per_month"])  # (points,), or (options, points): each option's own
    tasks_g = gpu_volumes(plan, values, tasks)
    steps = values["attempt"]["steps"]
    nh, n_rows, n_gpu = plan.n_hosted, len(plan.rows), len(plan.gpu_quality)
    cascades = [o for o in plan.options if o.kind == "cascade"]

    # ---- hosted rows: everything broadcast to (rows, points) ---------------------------------
    # figures named, nothing rate-limited, provisioned or failed over: no token count is read
    lean = not meters and want is not None and not values.get("resilience") and not (
        plan.ptu and np.any(plan.ptu["on"])) and not any(np.any(np.asarray(v) < np.inf) for v in plan.limits.values())
    rows = _rows(plan, values, tokens_wanted=not lean, latency_wanted=not lean or latency_read(values, want))
    ra, rs, ru, rg = _outcomes(values, plan.row_quality)
    row_arrays = {**{f"cost.{m}": v for m, v in rows["cost"].items()},
                  **{f"tok.{m}": v for m, v in rows["tokens"].items()},
                  "latency": rows["latency"], "A": ra, "S": rs, "U": ru, "G": rg}
    # rows stay one column wide unless a swept or sampled input changes them (volume, say, does not)
    shape = np.broadcast_shapes((n_rows, 1), *(np.shape(v) for v in row_arrays.values()))
    # meters no step uses (audio, images on a text workload) stay a scalar 0: never widened to every point
    unused = {k for k, v in row_arrays.items() if k.startswith(("cost.", "tok.")) and np.ndim(v) == 0 and v == 0}
    R = {k: wide(np.asarray(v, dtype=float), shape) for k, v in row_arrays.items() if k not in unused}

    def rows_wide(v):
        v = np.asarray(v, dtype=bool)
        return np.broadcast_to(v, np.broadcast_shapes((n_rows, 1), v.shape))

    rflags = {k: rows_wide(v) for k, v in rows["flags"].items()}
    rflags["latency_lower_bound"] = rows_wide(rows["latency_lower_bound"])
    rflags["offered"] = plan.offered
    keys = [k for k in R if k.startswith(("cost.", "tok."))]

    # per task: a hosted option makes A attempts; a cascade makes A_i attempts at each stage it reaches
    vis = {k: [R[k][:nh] * R["A"][:nh]] for k in keys}
    vis.update({k: [np.zeros((nh, 1))] for k in unused})
    vis["latency"] = [R["latency"][:nh]]
    out_A, out_S, out_U, out_G = [R["A"][:nh]], [R["S"][:nh]], [R["U"][:nh]], [R["G"][:nh]]
    vflags = {k: [v[:nh]] for k, v in rflags.items()}
    tb = values["tier_behaviour"]
    # expired Batch work resubmitted: the answer can take a second window
    row_lat = plan.tier_latency * np.where(plan.tiers["batch"] & (tb["on_batch_expiry"] == "resubmit"),
                                           np.where(pt(tb["batch_expiry_share"]) > 0, 2.0, 1.0), 1.0)
    tier_lat, stor_rate, stor_free = [row_lat[:nh]], [plan.storage["per_gb_day"][:nh]], \
        [plan.storage["free_gb"][:nh]]
    cache_rate, cache_on = [plan.storage["cache_per_mtok_hour"][:nh]], [plan.caching[:nh]]
    limits = {k: [v[:nh]] for k, v in plan.limits.items()}
    for c in cascades:
        reached = np.ones((1, shape[1]))
        acc = {k: 0.0 for k in keys}
        a_tot: Any = 0.0
        s_tot: Any = 0.0
        u_tot: Any = 0.0
        shares = []
        for r in c.rows:
            share = reached * R["A"][r:r + 1]
            shares.append(share)
            for k in keys:
                acc[k] = acc[k] + share * R[k][r:r + 1]
            a_tot, s_tot, u_tot = a_tot + share, s_tot + reached * R["S"][r:r + 1], u_tot + reached * R["U"][r:r + 1]
            reached = reached * R["G"][r:r + 1]
        for k in keys:
            vis[k].append(acc[k])
        for k in unused:
            vis[k].append(np.zeros((1, 1)))
        with np.errstate(all="ignore"):  # expected latency per attempt, each stage by its share of attempts
            vis["latency"].append(sum((sh / a_tot) * R["latency"][r:r + 1] for sh, r in zip(shares, c.rows)))
        out_A.append(a_tot)
        out_S.append(s_tot)
        out_U.append(u_tot)
        out_G.append(reached)
        idx = list(c.rows)
        for k, v in rflags.items():
            vflags[k].append(np.all(v[idx], axis=0, keepdims=True) if k == "offered"
                             else np.any(v[idx], axis=0, keepdims=True))
        tier_lat.append(np.max(row_lat[idx], axis=0, keepdims=True))
        first = c.rows[0]  # a cascade's vector store lives with its first stage's provider
        stor_rate.append(plan.storage["per_gb_day"][first:first + 1])
        stor_free.append(plan.storage["free_gb"][first:first + 1])
        cache_rate.append(plan.storage["cache_per_mtok_hour"][first:first + 1])
        cache_on.append(plan.caching[first:first + 1])
        for k, v in plan.limits.items():
            limits[k].append(np.min(v[idx], axis=0, keepdims=True))

    # ---- provisioned throughput: the reservation, and the share of the load that spills to Standard ----
    prov = provisioned.apply(plan, values, R, nh, tasks, pt)
    if prov is not None:
        for k in keys:
            if k.startswith("cost."):
                vis[k][0] = vis[k][0] * prov["factor"]
    vis["cost.provisioned"] = [prov["per_task"] if prov is not None else np.zeros((nh, 1))] + \
        [np.zeros((1, 1)) for _ in cascades]
    tuned = finetune.apply(plan, values, nh, cascades, tasks)
    vis["cost.fine_tuning"] = tuned[0] if tuned else [np.zeros((nh, 1))] + [np.zeros((1, 1)) for _ in cascades]

    # ---- self-hosted options -------------------------------------------------------------------
    ga, gs, gu, gg = _outcomes(values, plan.gpu_quality)
    if n_gpu:
        gp = plan.gpu
        from aicost.engine.selfhost import replanned, step_shape

        if plan.gpu_book is not None:  # lengths or the need vary by point: each point planned as compare would
            gp = replanned(plan, values, steps) or gp
        # every replica size an option keeps is costed (virtual rows: option x size); at each point the
        # size whose month costs least is the option's
        sizes = gp["gpus_per_replica"].shape[1]
        n_v = n_gpu * sizes

        def virt(a):  # (options, sizes, ...) -> (options x sizes, ...)
            a = np.asarray(a)
            return a.reshape((n_v,) + a.shape[2:])

        def rep(a):  # (options, ...) -> (options x sizes, ...)
            a = np.asarray(a)
            return np.repeat(a, sizes, axis=0) if a.ndim >= 1 and a.shape[0] == n_gpu else a

        alt = {name: virt(gp[name]) for name in ("t_p", "share", "in_p", "out_p", "wall")}
        gpr_v = virt(gp["gpus_per_replica"])
        gpr_v = gpr_v[:, None] if gpr_v.ndim == 1 else gpr_v
        busy_per_attempt, out_per_attempt, in_per_attempt, gpu_latency = 0.0, 0.0, 0.0, 0.0
        uses_tools = np.zeros((1, 1), bool)
        for j, st in enumerate(steps):
            inp, outp, n, waited, tool, _ = step_shape(st, pt)
            at = lambda name: alt[name][:, j] if alt[name].ndim == 3 else alt[name][:, j:j + 1]  # noqa: E731
            secs = G.seconds_per_request(at("t_p"), at("share"), at("in_p"), at("out_p"), np.maximum(inp, 1.0),
                                         np.maximum(outp, 1.0))
            busy_per_attempt = busy_per_attempt + n * secs
            with np.errstate(all="ignore"):  # a call's time in the batch stretches with its replica-seconds
                gpu_latency = gpu_latency + waited * at("wall") * secs / at("t_p") + tool
            out_per_attempt = out_per_attempt + n * outp
            in_per_attempt = in_per_attempt + n * inp
            uses_tools = uses_tools | ((pt(st["web_searches"]) + pt(st["file_searches"]) + pt(st["code_sessions"])) > 0)
        sh, lean_f = values["self_hosted"], fleet_lean(meters, want)
        tasks_v = tasks if tasks_g is tasks else np.repeat(tasks_g, sizes, axis=0)  # (a volume per option)
        busy = tasks_v * rep(ga) * busy_per_attempt / 3600.0
        vol = values["volume"]
        windows = np.any((gp["increment_hours"] > 1) & (gp["increment_hours"] < 24))  # billing windows: by the hour
        day = (G.day_shape if windows else G.day_columns)(pt(vol["peak_to_average"]), vol.get("daily_shape"))
        gpu_hours, replicas, util, gpus_peak = G.fleet(busy, gpr_v, rep(gp["gpus_per_instance"]), rep(gp["always_on"]),
                                                       pt(sh["min_replicas"]), pt(sh["target_utilisation"]), day,
                                                       rep(gp["increment_hours"]),
                                                       pt(sh.get("cold_start_minutes", 0.0)) / 60.0, lean_f)
        gpu_month = gpu_hours * rep(gp["per_gpu_hour"]) + pt(sh["ops_monthly"])
        width = np.broadcast_shapes(*(np.shape(x) for x in (gpu_month, gpu_latency, busy, gpr_v)))[-1]

        def per_size(x):
            return np.broadcast_to(np.asarray(x, dtype=float), (n_v, width)).reshape(n_gpu, sizes, width)

        cost = per_size(gpu_month)
        pick = np.argmin(np.where(np.isnan(cost), np.inf, cost), axis=1)[:, None, :]
        take = lambda x, read=True: np.take_along_axis(per_size(x), pick, axis=1)[:, 0, :] if read \
            else np.full((n_gpu, 1), np.nan)  # noqa: E731  (read: a figure only the output reads, left out when lean)
        gpu_hours, replicas, util, gpus_peak = (take(x, not lean_f) for x in (gpu_hours, replicas, util, gpus_peak))
        busy, gpu_month, gpus_per_replica = take(busy, not lean_f), take(gpu_month), take(gpr_v, not lean_f)
        gpu_latency = take(gpu_latency)  # type: ignore[assignment]
        ops = pt(sh["ops_monthly"]) * np.ones_like(gpu_month)
        gpu_cost = gpu_month - ops
        with np.errstate(all="ignore"):
            gpu_per_task = np.where(tasks_g > 0, gpu_month / np.where(tasks_g > 0, tasks_g, 1.0), np.inf)
            out_month = tasks_g * ga * out_per_attempt
            per_mtok = np.where(out_month > 0, gpu_month / out_month * F.MTOK, np.nan)

    # ---- assemble every visible option -----------------------------------------------------------
    def cat(parts, gpu_part=None, fill=np.nan):
        """Visible hosted and cascade parts, then the self-hosted part; one (options, points) array."""
        parts = list(parts)
        if n_gpu:
            parts.append(np.full((n_gpu, 1), fill) if gpu_part is None else gpu_part)
        arrs = [np.asarray(p, dtype=float) for p in parts]
        if len(arrs) == 1 and np.ndim(arrs[0]) == 2:  # one part (no cascades, no GPUs): itself, read-only
            return np.broadcast_to(arrs[0], arrs[0].shape)
        width = np.broadcast_shapes(*((1, np.shape(a)[-1]) if np.ndim(a) == 2 else (1, 1) for a in arrs))[1]
        return np.concatenate([wide(a, (np.shape(a)[0] if np.ndim(a) == 2 else 1, width)) for a in arrs])

    def catb(parts, gpu_part=None, fill=False):
        return cat(parts, gpu_part, fill).astype(bool)

    A, S, U, Gv = cat(out_A, ga), cat(out_S, gs), cat(out_U, gu), cat(out_G, gg)
    zeros_g = np.zeros((n_gpu, 1))
    if prov is None:
        unused.add("cost.provisioned")
    if tuned is None:
        unused.add("cost.fine_tuning")
    none = np.zeros((nh + len(cascades) + n_gpu, 1))  # a meter nothing uses: one narrow zero array, shared

    def task(k: str) -> Any:
        return none if k in unused else cat(vis[k], zeros_g)

    meter_task = {m: task(f"cost.{m}") for m in (*METERS, "tools", "provisioned", "fine_tuning")}
    token_task = {m: task(f"tok.{m}") for m in METERS}
    if n_gpu:
        n_vis = len(A) - n_gpu
        token_task["input"] = _put_tail(token_task["input"], n_vis, ga * in_per_attempt)
        token_task["output"] = _put_tail(token_task["output"], n_vis, ga * out_per_attempt)
    lim = {k: cat(v, fill=np.inf) for k, v in limits.items()}
    latency = cat(vis["latency"], gpu_latency if n_gpu else None, fill=np.nan)
    outcomes = [A, S, U, Gv]  # outages, 429s and failover: the option's share blended with its failover's
    A_load, tok_load = A, dict(token_task)  # the load offered to each option (what its rate limits see)
    res = resilience.blend_all(plan, values, R, len(A) - n_gpu, tasks, meter_task, token_task, outcomes, lim,
                               latency, [k for k in METERS if k not in MEDIA_METERS or k in MEDIA_TOKEN_METERS])
    if res is not None:
        A, S, U, Gv = outcomes
        latency = res["latency"]
    ai = sum(v for m, v in meter_task.items() if f"cost.{m}" not in unused)
    with np.errstate(invalid="ignore"):  # no tasks at an unbounded cost: no figure (NaN), never a warning
        ai_monthly = tasks * ai
    if n_gpu:  # the self-hosted rows: the fleet's cost (wide whenever a swept input moves it)
        ai = _put_tail(np.broadcast_to(ai, np.broadcast_shapes(ai.shape, np.shape(tasks))), n_vis, gpu_per_task)
        ai_monthly = _put_tail(ai_monthly, n_vis, gpu_month)
    with np.errstate(all="ignore"):
        cost_attempt = ai / A

    people = values["people"]
    _, review, fallback = F.task_costs(A, cost_attempt, S, U, Gv, pt(people["review_share"]),
                                       pt(people["cost_per_review"]), pt(people["human_cost_per_task"]))
    skip = skipped(meters, want)
    cps, cprt = F.per_outcome(ai, review, fallback, S, Gv, "resolved" not in skip) if "per_outcome" not in skip \
        else (np.nan, np.nan)

    gb = pt(values["retrieval"]["vector_store_gb"])
    rate, free = cat(stor_rate, fill=0.0), cat(stor_free, fill=0.0)
    billable = np.maximum(gb - free, 0.0)
    with np.errstate(all="ignore"):
        storage = np.where(billable > 0, billable * rate * DAYS_PER_MONTH, 0.0)
    store = retrieval.own_store(values, plan.embed_rate, tasks, A)
    if store is not None:
        storage = store["storage"] * np.ones_like(storage)
    store_rest = store["freshness"] + store["fan_out"] + store["ownership"] if store is not None else 0.0
    # explicit context caches: the steps' cached prefixes held for the stated hours a month
    held = sum(pt(st["cached_prefix_tokens"]) for st in steps)
    hours = pt(values["caching"].get("explicit_hours", 0.0))
    with np.errstate(invalid="ignore"):
        cache_storage = np.where(catb(cache_on) & (hours > 0) & (held > 0),
                                 held / F.MTOK * hours * cat(cache_rate, fill=0.0), 0.0)
    val = values["value"]
    design = values.get("variant") or {}  # a design variant's own monthly cost and one-time cost
    own = pt(design.get("fixed_monthly", 0.0)) + pt(design.get("one_time", 0.0)) / pt(val["horizon_months"])
    fixed = pt(val["fixed_monthly"]) + own + storage + cache_storage + store_rest
    if "roi" not in skip:
        monthly, benefit, net, roi, payback = F.monthly_and_roi(
            tasks, ai_monthly + tasks * (review + fallback), fixed, S,
            None if val["value_per_success"] is None else pt(val["value_per_success"]),
            None if val["baseline_cost_per_task"] is None else pt(val["baseline_cost_per_task"]),
            pt(val["build_cost"]), pt(val["horizon_months"]), "payback" not in skip)
    else:  # the month's cost alone, as monthly_and_roi forms it
        monthly, benefit, net, roi, payback = ai_monthly + tasks * (review + fallback) + fixed, *[np.nan] * 4

    # ---- peak load against rate limits; latency against the need ---------------------------------
    calls_per_attempt = sum(pt(st["calls"]) * pt(st["turns"]) for st in steps)
    if skip and not any(np.any(np.asarray(v) < np.inf) for v in lim.values()):
        # no rate limit anywhere (nothing compares above inf or NaN): none is over, no load figure wanted
        peak_rpm = peak_tpm = daily_input = np.nan
        over = np.zeros((len(A), 1), bool)
    else:
        peak_rpm, peak_tpm, daily_input, over = _load(values, tasks, A_load, tok_load, unused, calls_per_attempt,
                                                      lim, res is None)
    need = latency_need_seconds(values["latency"])
    interactive = values["latency"].get("p95_seconds") is not None
    timed = interactive or values["latency"].get("minutes") is not None
    offered = catb(vflags["offered"], fill=True)
    too_slow = cat(tier_lat, fill=0.0) > need
    hosted_rows = np.arange(len(A)).reshape(-1, 1) < len(A) - n_gpu  # hosted and cascades (GPUs: their own need)
    floor = values["quality"]
    no = np.zeros((len(A), 1), bool)  # a flag that cannot apply here (nothing provisioned, fine-tuned, self-hosted)
    no.setflags(write=False)  # (shared by several flags)
    flags = {
        "not_offered": ~offered, "too_slow": too_slow,
        # hosted rows under an interactive need; GPU rows under any need in seconds or minutes (their own time)
        "latency_over_need": (latency > need) & (interactive | (timed & ~hosted_rows)),
        # an unknown speed is never a pass under an interactive need
        "latency_unknown": (np.isnan(latency) & ~too_slow & hosted_rows) if interactive
        else np.zeros(latency.shape, bool),
        "context_too_long": catb(vflags["too_long"], gp["too_long"] if n_gpu else None),
        "no_fit": catb([np.zeros((len(A) - n_gpu, 1))], (~gp["fits"]) if n_gpu else None),
        "over_rate_limit": np.asarray(over, bool),
        "no_cached_price": catb(vflags["need_cached"]) & offered,
        "no_long_context_price": catb(vflags["need_long"]) & offered,
        "no_media_price": catb(vflags["no_media"]),
        "media_self_hosted": catb([np.zeros((len(A) - n_gpu, 1))], np.full((n_gpu, 1), any(uses_media(st) for st in steps))
                                  ) if n_gpu else no,
        "no_web_search_price": catb(vflags["no_web"]),
        "no_file_search_price": catb(vflags["no_file"]),
        "no_code_session_price": catb(vflags["no_code"]),
        "no_storage_price": np.isnan(storage),
        "no_embedding_price": np.broadcast_to(np.isnan(store["freshness"]), np.broadcast_shapes(
            np.shape(A), np.shape(store["freshness"]))) if store is not None else no,
        "no_cache_storage_price": np.isnan(cache_storage),
        "no_fallback_price": catb(vflags["no_fallback"]),
        "over_capacity": catb([prov["over_capacity"]] + [np.zeros((1, 1)) for _ in cascades]) if prov else no,
        "no_training_price": catb(tuned[1]) if tuned else no,
        "no_spill_price": catb([np.isnan(prov["factor"])] + [np.zeros((1, 1)) for _ in cascades]) if prov else no,
        # the quality floor: tasks that succeed too rarely, or fail unnoticed too often, rule an option out
        "below_min_success": S < pt(floor["min_success"]) if floor.get("min_success") is not None else no,
        "over_silent_failure": U > pt(floor["max_silent_failure"]) if floor.get("max_silent_failure") is not None
        else no,
        "no_failover_price": catb([res["no_failover_price"]]) if res is not None else no,
        "no_tool_price_self_hosted": catb([np.zeros((len(A) - n_gpu, 1))],
                                          np.broadcast_to(uses_tools, (n_gpu, np.shape(uses_tools)[-1]))
                                          if n_gpu else None),
    }

    out: dict[str, Any] = {
        "cost_per_attempt": cost_attempt, "expected_attempts": A, "p_success": S, "p_silent_failure": U,
        "p_given_up": Gv, "ai_cost_per_task": ai, "review_cost_per_task": review, "fallback_cost_per_task": fallback,
        "task_cost": ai + review + fallback, "cost_per_success": cps, "cost_per_resolved_task": cprt,
        "total_cost_per_success": F.total_per_success(monthly, pt(val["build_cost"]), pt(val["horizon_months"]),
                                                      tasks, S) if "total" not in skip else np.nan,
        "monthly_cost": monthly, "monthly_benefit": benefit, "net_monthly": net, "roi": roi,
        "payback_months": payback, "latency_seconds": latency, "peak_rpm": peak_rpm, "peak_tpm": peak_tpm,
        "daily_input_tokens": daily_input, "tier_latency": cat(tier_lat, fill=0.0),
        "limit_rpm": lim["rpm"], "limit_tpm": lim["tpm"], "limit_queue": lim["queue"],
        "calls_per_attempt": calls_per_attempt * np.ones_like(A),
        "latency_lower_bound": catb(vflags["latency_lower_bound"]).astype(float),
    }
    gpu_values = {}
    if n_gpu:
        gpu_values = {"gpu_hours": gpu_hours, "replicas": replicas, "utilisation": util, "busy_replica_hours": busy,
                      "gpus_peak": gpus_peak, "gpus_per_replica": gpus_per_replica,
                      "gpu_monthly_cost": gpu_month, "cost_per_mtok_output": per_mtok}
    for k, key in (("failed_over_share", "failed_over"), ("lost_share", "lost"), ("refused_share", "refused")):
        out[k] = cat([res[key]], None) if res is not None else np.full((len(A), 1), np.nan)
    for k in provisioned.PTU_METRICS:
        out[k] = cat([prov[k]] + [np.full((1, 1), np.nan) for _ in cascades]) if prov else np.full((len(A), 1), np.nan)
    for k in GPU_METRICS:
        out[k] = cat([np.full((len(A) - n_gpu, 1), np.nan)], gpu_values.get(k))
    if not meters:
        return _finish(plan, out, flags, len(A))
    for m in (*METERS, "tools", "provisioned", "fine_tuning") + (("failover",) if res is not None else ()):
        with np.errstate(invalid="ignore"):
            out[f"meter_cost.{m}"] = tasks * meter_task[m]
    out["meter_cost.storage"] = storage
    for k in ("freshness", "fan_out", "ownership"):
        out[f"meter_cost.{k}"] = (store[k] if store is not None else 0.0) * np.ones_like(monthly)
    out["meter_cost.cache_storage"] = cache_storage * np.ones_like(monthly)
    out["meter_cost.gpu"] = cat([np.zeros((len(A) - n_gpu, 1))], gpu_cost if n_gpu else None)
    out["meter_cost.ops"] = cat([np.zeros((len(A) - n_gpu, 1))], ops if n_gpu else None)
    out["meter_cost.review"] = tasks * review
    out["meter_cost.fallback"] = tasks * fallback
    out["meter_cost.fixed"] = (pt(val["fixed_monthly"]) + own) * np.ones_like(monthly)
    for m in METERS:
        out[f"meter_tokens.{m}"] = tasks * token_task[m]
    return _finish(plan, out, flags, len(A))
