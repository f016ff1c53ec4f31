"""Failure economics (docs/formulas.md "Failure economics"): outages from each provider's
availability, 429s from the hours whose load passes the rate limit, retries with backoff (not
billed: waiting), and failover to another model, on every visible hosted option and cascade.

Per option, with availability ``a`` and a share ``r`` of requests refused for the rate limit::

    served     pi  = a * (1 - r)
    failed over phi = (1 - a) [on outage] + a * r [on rate_limit]     (0 without a failover)
    lost       lam = 1 - pi - phi                                       (given up: people finish them)

    per task   X   = pi * X_option + phi * X_failover     (every meter, attempts, S, U)
               G   = pi * G_option + phi * G_failover + lam
    wait           = backoff * (2^retries - 1) for a refused request, before it fails over

``r`` counts the load above the limit in each hour of the day (retries seconds apart cannot make
room in an hour that is over its limit):  r = sum_h hours_h * max(0, load_h - 1/u) / 24, with
load_h the hour's load over the mean and u the mean load over the limit (requests or tokens a
minute, whichever is nearer its limit)."""

from __future__ import annotations

from typing import Any

import numpy as np

from aicost.engine import gpu as G
from aicost.engine.attempt import pt
from aicost.engine.parts import _stack


def availability(values: dict, row) -> Any:
    """A row's availability: its provider/model, its model or its provider, else 1."""
    avail = (values.get("resilience") or {}).get("availability") or {}
    for key in (f"{row.provider}/{row.model}", row.ref, row.model, row.provider):
        if key in avail:
            return pt(avail[key])
    return 1.0


def refused_share(values: dict, mean_rpm, mean_tpm, lim_rpm, lim_tpm) -> np.ndarray:
    """The share of requests over the rate limit, hour by hour over the day's shape."""
    vol = values["volume"]
    loads, hours = G.day_columns(pt(vol["peak_to_average"]), vol.get("daily_shape"))
    with np.errstate(all="ignore"):
        u = np.maximum(np.where(np.isfinite(lim_rpm), mean_rpm / lim_rpm, 0.0),
                       np.where(np.isfinite(lim_tpm), mean_tpm / lim_tpm, 0.0))
        inv = np.where(u > 0, 1.0 / np.where(u > 0, u, 1.0), np.inf)
    over = np.maximum(0.0, loads - inv[..., None])
    return np.sum(hours * over, axis=-1) / np.sum(hours * loads, axis=-1)


def apply(plan, values: dict, R: dict, keys: list, n_vis: int, parts: dict, mean_rpm, mean_tpm, lims: dict,
          latency) -> dict | None:
    """Blend each visible option (rows ``:n_vis`` of the (options, points) arrays in ``parts``) with
    its failover and lost shares; returns the new arrays and the shares, or None without a
    ``resilience:`` section."""
    res = values.get("resilience")
    if not res:
        return None
    firsts = [o if o.kind == "hosted" else plan.rows[o.rows[0]] for o in plan.options[:n_vis]]
    a = _stack([availability(values, row) for row in firsts]) if firsts else np.ones((0, 1))
    r = res.get("_refused")  # a request mix: the share refused for the whole mix's load on the option
    if r is None:
        r = refused_share(values, mean_rpm[:n_vis], mean_tpm[:n_vis], lims["rpm"][:n_vis], lims["tpm"][:n_vis])
    fo = res.get("failover")
    on = set(fo["on"]) if fo else set()
    served = a * (1.0 - r)
    if not plan.failover:
        moved = np.zeros_like(served)
    else:  # a failover on the option's own provider is down with it (its outage's requests are lost); on the
        # option's own model it is over the same limit (its refused requests are lost too). Limits are per model:
        # another model of the same provider takes the refused ones
        fo = plan.rows[plan.failover[False]]
        same_provider = np.asarray([row.provider == fo.provider for row in firsts], dtype=bool).reshape(-1, 1)
        same_model = np.asarray([row.provider == fo.provider and row.model == fo.model for row in firsts],
                                dtype=bool).reshape(-1, 1)
        moved = (np.where(same_provider, 0.0, (1.0 - a) if "outage" in on else 0.0)
                 + np.where(same_model, 0.0, a * r if "rate_limit" in on else 0.0))
    lost = np.maximum(0.0, 1.0 - served - moved)
    out: dict[str, Any] = {"failed_over": moved, "lost": lost, "refused": r}
    wait = pt(res["backoff_seconds"]) * (2.0 ** pt(res["retries"]) - 1.0)
    if plan.failover:
        rows = np.asarray([plan.failover[bool(o.caching)] for o in plan.options[:n_vis]], dtype=int)
        fa = R["A"][rows]
        f_task = {k: (R[k][rows] * fa if k in R else 0.0) for k in keys if k != "cost.provisioned"
                  and k != "cost.fine_tuning"}
        f_out = {"A": fa, "S": R["S"][rows], "U": R["U"][rows], "G": R["G"][rows], "latency": R["latency"][rows]}
        out["no_failover_price"] = (moved > 0) & (np.isnan(sum(v for v in f_task.values() if np.ndim(v)))
                                                  | ~plan.offered[rows])
    else:
        f_task = {k: 0.0 for k in keys}
        f_out = {"A": 0.0, "S": 0.0, "U": 0.0, "G": 0.0, "latency": 0.0}
        out["no_failover_price"] = np.zeros_like(served, dtype=bool)

    def blend(x, fx):
        head = np.asarray(x, dtype=float)[:n_vis]
        with np.errstate(invalid="ignore"):
            mixed = served * head + np.where(moved > 0, moved * fx, 0.0)
        return _splice(x, n_vis, mixed)

    # the option's own meters hold what its provider bills (the share it served); the failover's
    # requests are one meter of their own, billed by the failover's provider
    for k in keys:
        out[k] = blend(parts[k], 0.0)
    with np.errstate(invalid="ignore"):
        spent = sum(v for k, v in f_task.items() if k.startswith("cost.") and np.ndim(v))
        out["cost.failover"] = _splice(np.zeros_like(np.asarray(parts["A"], dtype=float)), n_vis,
                                       np.where(moved > 0, moved * spent, 0.0) if plan.failover else 0.0)
    for k in ("A", "S", "U"):
        out[k] = blend(parts[k], f_out[k])
    out["G"] = _splice(parts["G"], n_vis, served * np.asarray(parts["G"], dtype=float)[:n_vis]
                       + np.where(moved > 0, moved * f_out["G"], 0.0) + lost)
    with np.errstate(all="ignore"):
        answered = served + moved
        lat = np.asarray(latency, dtype=float)[:n_vis]
        mixed = np.where(answered > 0, (served * lat + np.where(moved > 0, moved * (f_out["latency"] + wait), 0.0))
                         / np.where(answered > 0, answered, 1.0), lat)
    out["latency"] = _splice(latency, n_vis, mixed)
    return out


def blend_all(plan, values: dict, R: dict, n_vis: int, tasks, meter_task: dict, token_task: dict, outcomes: list,
              lims: dict, latency, token_meters: list) -> dict | None:
    """:func:`apply` on the evaluation's per-task arrays: the meters, the tokens and the outcomes
    are replaced in place (``meter_task``, ``token_task``, ``outcomes`` = [A, S, U, G])."""
    if not values.get("resilience"):
        return None
    from aicost.engine.formulas import HOURS_PER_MONTH

    A = outcomes[0]
    calls = sum(pt(st["calls"]) * pt(st["turns"]) for st in values["attempt"]["steps"])
    per_min = tasks / (HOURS_PER_MONTH * 60.0)
    parts = {**{f"cost.{m}": v for m, v in meter_task.items()}, **{f"tok.{m}": v for m, v in token_task.items()},
             "A": A, "S": outcomes[1], "U": outcomes[2], "G": outcomes[3]}
    keys = [k for k in parts if k.startswith(("cost.", "tok."))]
    tokens = sum(token_task[m] for m in token_meters)  # per task
    out = apply(plan, values, R, keys, n_vis, parts, per_min * A * calls, per_min * tokens, lims, latency)
    assert out is not None  # (a resilience: section is stated)
    for m in list(meter_task):
        meter_task[m] = out[f"cost.{m}"]
    meter_task["failover"] = out["cost.failover"]
    for m in token_task:
        token_task[m] = out[f"tok.{m}"]
    outcomes[:] = [out["A"], out["S"], out["U"], out["G"]]
    return out


def _splice(arr, n: int, head) -> np.ndarray:
    """``arr`` (options, points) with its first ``n`` rows replaced by ``head``, as wide as both."""
    arr = np.asarray(arr, dtype=float)
    width = np.broadcast_shapes((1, arr.shape[-1]), (1, np.shape(head)[-1] if np.ndim(head) == 2 else 1))[1]
    new = np.array(np.broadcast_to(arr, (arr.shape[0], width)))
    new[:n] = np.broadcast_to(head, new[:n].shape)
    return new
