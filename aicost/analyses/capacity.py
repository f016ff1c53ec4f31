"""Capacity month by month (``aicost gpu --months N``): the volume growing by ``monthly_growth``,
the cheapest hosted and GPU options each month, the GPU fleet at peak and on average, the
reserved and on-demand mix that costs least, the gross margin per task where the scenario states
a price, and the months in which the GPU break-even or a hosted rate limit is crossed."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from aicost.base.constants import HOURS_PER_MONTH
from aicost.engine import gpu as G
from aicost.engine.attempt import pt
from aicost.engine.designs import Designs
from aicost.engine.evaluate import evaluate, usable
from aicost.inputs.pricebook import PriceBook

VOLUME = ("volume", "tasks_per_month")
#: The longest view asked for (ten years).
MONTHS_MAX = 120
KEYS = ("cost_per_success", "monthly_cost", "gpu_hours", "gpus_peak", "utilisation", "busy_replica_hours",
        "gpus_per_replica")


def _evaluate(designs: Designs, tasks: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, list]:
    """Every option's figures at each month's volume: (figures, usable, over a rate limit, (plan,
    index, values) per option)."""
    figs: dict[str, list] = {k: [] for k in KEYS}
    ok, over, where = [], [], []
    for (plan, values), (_, changed) in zip(designs.parts, designs.changed({VOLUME: tasks})):
        m = evaluate(plan, changed, meters=False)
        width = tasks.size
        for k in KEYS:
            figs[k].append(np.broadcast_to(m[k], (len(plan), width)))
        ok.append(np.broadcast_to(usable(m, "cost_per_success"), (len(plan), width)))
        over.append(np.broadcast_to(m["flags"]["over_rate_limit"], (len(plan), width)))
        where += [(plan, i, values) for i in range(len(plan))]
    return ({k: np.concatenate(v) for k, v in figs.items()}, np.concatenate(ok), np.concatenate(over), where)


def _mix(book: PriceBook, plan, i: int, values: dict, busy: float, gpus_per_replica: float) -> dict[str, Any] | None:
    """The cheapest split of an on-demand fleet between a reservation of the same GPU at the same
    provider (paid all month) and on-demand GPUs for the hours above it; None without such an offer."""
    opt = plan.options[i]
    if opt.tier != "on-demand" or not gpus_per_replica or math.isnan(gpus_per_replica):
        return None
    reserved = [o for o in book.gpus.offers if o.spec.provider == opt.provider and o.spec.gpu == opt.gpu
                and o.spec.pricing == "reserved"]
    if not reserved:
        return None
    sh, vol = values["self_hosted"], values["volume"]
    day = G.day_shape(pt(vol["peak_to_average"]), vol.get("daily_shape"))
    held, _, hours = G.held_gpus(np.asarray(busy), gpus_per_replica, opt.gpus_per_instance, opt.scaling == "always-on",
                          float(sh["min_replicas"]), float(sh["target_utilisation"]), np.ravel(day)[-24:],
                          opt.increment_hours)
    held, hours = np.ravel(held), np.ravel(hours)
    od = opt.per_gpu_hour
    best = None
    for r in reserved:
        unit = r.spec.gpus_per_instance
        levels = {0.0, *(np.ceil(h / unit) * unit for h in held), *(np.floor(h / unit) * unit for h in held)}
        for level in sorted(levels):
            cost = level * float(r.spec.per_gpu_hour) * HOURS_PER_MONTH + \
                od * float(np.sum(np.maximum(held - level, 0.0) * hours)) * HOURS_PER_MONTH / 24.0
            if best is None or cost < best["monthly_gpu_cost"] - 1e-9:
                best = {"reserved_gpus": level, "reserved_offer": r.spec.instance or r.spec.provider,
                        "reserved_per_gpu_hour": float(r.spec.per_gpu_hour), "where": r.where,
                        "monthly_gpu_cost": cost}
    assert best is not None
    best["all_on_demand_gpu_cost"] = od * float(np.sum(held * hours)) * HOURS_PER_MONTH / 24.0
    return best


def months_view(designs: Designs, ids: list[str], book: PriceBook, months: int) -> dict[str, Any]:
    """Month by month from the scenario's volume, growing by ``volume.monthly_growth``."""
    _, values0 = designs.parts[0]
    base = float(values0["volume"]["tasks_per_month"])
    growth = float(values0["volume"].get("monthly_growth") or 0.0)
    price = values0["value"].get("price_per_task")
    tasks = base * (1.0 + growth) ** np.arange(months)
    figs, ok, over, where = _evaluate(designs, tasks)
    kinds = np.asarray([w[0].options[w[1]].kind for w in where])
    hosted, gpus = kinds == "hosted", kinds == "gpu"
    cps = np.where(ok, figs["cost_per_success"], np.inf)
    first_hosted = int(np.argmin(np.where(hosted, cps[:, 0], np.inf))) if np.any(hosted & ok[:, 0]) else None
    rows, events = [], []
    crossed = limited = False
    for t in range(months):
        row: dict[str, Any] = {"month": t + 1, "tasks": float(tasks[t]), "hosted": None, "gpu": None}
        h = np.where(hosted, cps[:, t], np.inf)
        g = np.where(gpus, cps[:, t], np.inf)
        if np.isfinite(h.min()):
            k = int(np.argmin(h))
            row["hosted"] = {"id": ids[k], "cost_per_success": float(cps[k, t]),
                             "cost_per_task": float(figs["monthly_cost"][k, t] / tasks[t]) if tasks[t] else None}
        if np.isfinite(g.min()):
            k = int(np.argmin(g))
            plan, i, values = where[k]
            busy = float(figs["busy_replica_hours"][k, t])
            row["gpu"] = {
                "id": ids[k], "cost_per_success": float(cps[k, t]),
                "cost_per_task": float(figs["monthly_cost"][k, t] / tasks[t]) if tasks[t] else None,
                "gpus_peak": float(figs["gpus_peak"][k, t]),
                "gpus_average": float(figs["gpu_hours"][k, t] / HOURS_PER_MONTH),
                "utilisation": float(figs["utilisation"][k, t]),
                "gpus_per_replica": float(figs["gpus_per_replica"][k, t]),
                "mix": _mix(book, plan, i, values, busy, float(figs["gpus_per_replica"][k, t]))}
        if price is not None:
            row["gross_margin_per_task"] = {side: (float(price) - row[side]["cost_per_task"])
                                            if row[side] and row[side]["cost_per_task"] is not None else None
                                            for side in ("hosted", "gpu")}
        if not crossed and row["gpu"] and row["hosted"] and \
                row["gpu"]["cost_per_success"] < row["hosted"]["cost_per_success"]:
            crossed = True
            events.append({"month": t + 1, "kind": "gpu_breakeven", "option": row["gpu"]["id"],
                           "against": row["hosted"]["id"]})
        if not limited and first_hosted is not None and bool(over[first_hosted, t]):
            limited = True
            events.append({"month": t + 1, "kind": "rate_limit", "option": ids[first_hosted]})
        rows.append(row)
    return {"months": months, "monthly_growth": growth, "price_per_task": price, "rows": rows, "events": events}
