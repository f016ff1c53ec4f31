"""``aicost gpu``: a scenario's rented-GPU options, their fleets, and break-even volumes against hosted APIs."""

from __future__ import annotations

from datetime import date
from typing import Any

from aicost.analyses.compare import compare_designs, designs_for
from aicost.engine.designs import Designs
from aicost.base.constants import DEFAULT_MAX_PRICE_AGE
from aicost.base.errors import InputError
from aicost.engine.roots import crossings_many
from aicost.inputs.pricebook import PriceBook
from aicost.inputs.scenario import LoadedScenario
from aicost.results.compare import OptionResult
from aicost.results.gpu import GpuOption, GpuResult

VOLUME = ("volume", "tasks_per_month")
#: Monthly volumes searched for a break-even (tasks per month).
VOLUME_RANGE = (1.0, 1e10)


def _breakevens(designs: Designs, pairs: list[tuple[int, int]]) -> list[dict[str, Any]]:
    """Per (hosted, GPU) pair: the monthly volume from which the GPU option costs less per success
    than the hosted one (domain.md: break-even on the cost per success), the pairs searched together."""
    return [_first_up(found) for found in crossings_many(designs, VOLUME, pairs, *VOLUME_RANGE, log=True, points=256,
                                                         rel_tol=1e-7, metric="cost_per_success", until_below=0)]


def _first_up(found: list) -> dict[str, Any]:
    # cheaper_below == 0: the hosted option is cheaper below the crossing, the GPU above it
    ups = [c for c in found if c.cheaper_below == 0]
    if ups:
        c = ups[0]
        return {"tasks_per_month": c.value, "kind": c.kind}
    return {"tasks_per_month": None, "kind": "never" if not found else "gpu-cheaper-below"}


def gpu_report(ls: LoadedScenario, book: PriceBook, as_of: date | None = None,
               max_price_age: int | None = DEFAULT_MAX_PRICE_AGE, breakeven: bool = True,
               months: int | None = None) -> GpuResult:
    if ls.plain.get("self_hosted") is None:
        raise InputError(f"{ls.file}: the scenario has no self_hosted: section (open models to serve on GPUs)")
    designs, ids = designs_for(ls, book, as_of)
    res = compare_designs(ls, book, as_of, max_price_age=max_price_age, plans=[plan for plan, _ in designs.parts])
    row = {oid: i for i, oid in enumerate(ids)}
    cps = {o.id: o.metrics["cost_per_success"] for o in res.options}
    hosted = [o for o in res.options if o.kind == "hosted" and o.eligible and cps[o.id] is not None]
    best = min(hosted, key=lambda o: float(cps[o.id] or 0.0)) if hosted else None
    refs: dict[str, OptionResult | None] = {"best": best}
    if best is not None:  # "batch and flex before rented GPUs": the same model on the cheaper tiers
        for tier in ("batch", "flex"):
            sib = f"{best.provider}/{best.model}:{tier}" + (":cached" if best.caching else "") + \
                (f"@{best.variant}" if best.variant else "")
            refs[tier] = next((o for o in hosted if o.id == sib and o.id != best.id), None)
    options, wanted = [], []
    for o in res.options:
        if o.kind != "gpu":
            continue
        entry = GpuOption(o)
        if breakeven and o.eligible:
            for name, ref in refs.items():
                if ref is not None:
                    wanted.append((entry, name, (row[ref.id], row[o.id])))
        options.append(entry)
    for (entry, name, _), found in zip(wanted, _breakevens(designs, [p for *_, p in wanted]) if wanted else []):
        entry.breakeven[name] = found
    plan_months = None
    if months:
        from aicost.analyses.capacity import months_view

        plan_months = months_view(designs, ids, book, months)
    return GpuResult(book.currency, res, refs, options, plan_months)


def run(scenario: str, pricing=(), sets=(), as_of: date | None = None,
        max_price_age: int | None = DEFAULT_MAX_PRICE_AGE, breakeven: bool = True,
        months: int | None = None) -> GpuResult:
    """``aicost gpu`` from a scenario name or path."""
    from aicost.inputs import scenario as scenario_mod

    book = PriceBook.load(list(pricing))
    return gpu_report(scenario_mod.load(scenario, book, list(sets)), book, as_of, max_price_age, breakeven, months)
