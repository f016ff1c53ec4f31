"""Provisioned throughput (Azure PTU) beside pay-as-you-go (docs/formulas.md "Provisioned throughput").

A provisioned option reserves ``P`` PTUs on a deployment type for a term (hourly, a month, a
year). Its load is measured as Azure sizes it: input tokens a minute, cached reads not counted,
each output token counting as ``output_weight`` input tokens. Hour by hour over the day, the load
up to the capacity ``P x input_tpm_per_ptu`` is served by the reservation; the rest spills over
to the pay-as-you-go Standard deployment at its token rates (or, without spillover, is refused,
and an option that cannot hold the load is out).

    P     = the PTUs stated, or max(min, increment x ceil(busiest hour x headroom / tpm per PTU / increment))
    spill = sum over hours of max(load - capacity, 0) / sum of load
    month = P x (hourly x 730 | monthly | yearly / 12) + spill x the tokens' Standard cost
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aicost.base.constants import HOURS_PER_MONTH
from aicost.engine import gpu as G

#: Months a price covers: an hourly price x 730 hours, a month, a year / 12.
PER_MONTH = {"hourly": HOURS_PER_MONTH, "monthly": 1.0, "yearly": 1.0 / 12.0}
PTU_METRICS = ("ptus", "ptu_utilisation", "spill_share")


def provisioned_options(book, models: dict, need: dict, caching_choices: list[bool], as_of) -> list:
    """One option per model that Azure provisions x deployment type x term x caching: each a hosted
    row priced at its deployment's Standard rates (for the load that spills over)."""
    from aicost.engine.plan import Option

    out = []
    info = book.providers.get("azure")
    prices = info.provisioned if info is not None else {}
    for ref in models:
        for entry in book.resolve(ref, ["azure"]):
            ptu = entry.spec.provisioned
            if ptu is None or not entry.served(as_of):
                continue
            for dep in need["deployments"]:
                price = prices.get(dep)
                if price is None or (dep == "regional" and ptu.regional_min_ptus is None):
                    continue
                spill_entry = book.models.get(("azure-datazone", entry.id), entry) if dep == "datazone" else entry
                for term in need["terms"]:
                    if getattr(price, term) is None:
                        continue
                    for cached in sorted(set(caching_choices)):
                        oid = f"azure/{entry.id}:ptu-{dep}-{term}" + (":cached" if cached else "")
                        out.append(Option(oid, "azure", entry.id, ref, "standard", cached, spill_entry,
                                          book.price(spill_entry, "standard", as_of), provisioned=(dep, term)))
    return out


def ptu_arrays(book, rows: list) -> dict[str, np.ndarray]:
    """Per hosted row (rows, 1): whether it is provisioned and its sizing and price per PTU-month."""
    n = len(rows)
    on = np.zeros((n, 1), bool)
    cols = {k: np.full((n, 1), np.nan) for k in ("tpm", "weight", "min", "inc", "month", "spill_priced")}
    info = book.providers.get("azure")
    for r, o in enumerate(rows):
        if not o.provisioned:
            continue
        dep, term = o.provisioned
        ptu = book.models[("azure", o.model)].spec.provisioned
        regional = dep == "regional"
        on[r] = True
        cols["tpm"][r] = float(ptu.input_tpm_per_ptu)
        cols["weight"][r] = float(ptu.output_weight)
        cols["min"][r] = float(ptu.regional_min_ptus if regional else ptu.min_ptus)
        cols["inc"][r] = float((ptu.regional_increment or ptu.regional_min_ptus) if regional else ptu.increment)
        cols["month"][r] = float(getattr(info.provisioned[dep], term)) * PER_MONTH[term]
        # Regional pay-as-you-go rates are not in the tables: load spilled from a Regional deployment is unpriced
        cols["spill_priced"][r] = 0.0 if regional else 1.0
    return {"on": on, **cols}


def apply(plan, values: dict, R: dict, nh: int, tasks: Any, pt) -> dict[str, Any] | None:
    """For the visible hosted rows: (spill share, provisioned cost per task, over-capacity flag and
    the metrics), each (nh, points); None when no row is provisioned."""
    if not plan.ptu or not np.any(plan.ptu["on"][:nh]):
        return None
    p = {k: v[:nh] for k, v in plan.ptu.items()}
    need = values["provisioned"]
    A = R["A"][:nh]
    # Azure's load: fresh input and cache writes, plus output (reasoning included) x the output weight, a minute
    tok = lambda k: R[k][:nh] if k in R else 0.0  # noqa: E731  (a meter no step uses is absent: 0)
    per_attempt = tok("tok.input") + tok("tok.cache_write") + p["weight"] * (tok("tok.output") + tok("tok.reasoning"))
    avg = tasks * A * per_attempt / (HOURS_PER_MONTH * 60.0)  # (nh, points)
    vol = values["volume"]
    shape = G.day_shape(pt(vol["peak_to_average"]), vol.get("daily_shape"))  # (..., 24), mean 1
    load = avg[..., None] * shape  # (nh, points, 24)
    if need.get("ptus") is not None:  # (a swept or sampled figure is an array of points)
        ptus = np.broadcast_to(pt(need["ptus"]), np.broadcast_shapes(np.shape(avg), np.shape(pt(need["ptus"]))))
    else:
        busiest = avg * np.max(shape, axis=-1) * pt(need.get("headroom", 1.0))
        with np.errstate(all="ignore"):
            steps = np.ceil(np.round(busiest / p["tpm"] / p["inc"], 9))
        ptus = np.maximum(p["min"], steps * p["inc"])
    ptus = ptus * np.ones_like(avg)
    capacity = ptus * p["tpm"]
    served = np.minimum(load, capacity[..., None]).sum(axis=-1)
    total = load.sum(axis=-1)
    with np.errstate(all="ignore"):
        spill = np.where(total > 0, 1.0 - served / np.where(total > 0, total, 1.0), 0.0)
        spill = np.where(spill < 1e-12, 0.0, spill)
        util = served / (24.0 * capacity)
        month = ptus * p["month"]
        per_task = np.where(tasks > 0, month / np.where(tasks > 0, tasks, 1.0), np.inf)
    on = np.broadcast_to(p["on"], np.shape(spill))
    over = on & (spill > 0) & (not need.get("spillover", True))
    spill_cost_factor = np.where(on, np.where((spill > 0) & (p["spill_priced"] == 0), np.nan, spill), 1.0)
    nan = np.full(np.shape(spill), np.nan)
    return {"on": on, "factor": spill_cost_factor, "per_task": np.where(on, per_task, 0.0),
            "month": np.where(on, month, 0.0), "over_capacity": over,
            "ptus": np.where(on, ptus, nan), "ptu_utilisation": np.where(on, util, nan),
            "spill_share": np.where(on, spill, nan)}
