"""``aicost sensitivity``: each ranged input at its low and its high, the others at their likely values."""

from __future__ import annotations

from datetime import date

from aicost.inputs import scenario as scenario_mod
from aicost.analyses.compare import compare_designs, plan_for
from aicost.base.errors import InputError, bad_argument
from aicost.inputs.pricebook import PriceBook
from aicost.engine.tornado import tornado
from aicost.results.whatif import SensitivityResult


def report(ref: str, book: PriceBook, sets=(), option: str | None = None, metric: str = "total_cost_per_success",
           as_of: date | None = None) -> SensitivityResult:
    ls = scenario_mod.load(ref, book, sets)
    if not ls.ranges:
        raise InputError(f"{ls.file}: the scenario has no ranged inputs ({{low, likely, high}} or {{p10, p90}})")
    res = compare_designs(ls, book, as_of)
    designs = scenario_mod.variants(ls, book)
    plans = [(d, plan_for(d, book, as_of)) for _, d in designs]
    ids = [o.id if name is None else f"{o.id}@{name}" for (name, _), (_, plan) in zip(designs, plans)
           for o in plan.options]
    if option is None:
        best = res.best
        if best is None:
            raise InputError(f"{ls.file}: no option is eligible and priced; name one with --option")
        option = best.id
    elif option not in ids:
        from aicost.base.errors import did_you_mean

        raise bad_argument("option", f"no option '{option}' in {ls.file}{did_you_mean(option, ids)}")
    i = ids.index(option)
    for design, plan in plans:  # the option's own design: its plan, values and ranges
        if i < len(plan):
            break
        i -= len(plan)
    rows = tornado(plan, design.values(), design.ranges, i, metric)
    return SensitivityResult(scenario=res.name, option=option, metric=metric,
                             base=rows[0]["metric_at_likely"] if rows else None, rows=rows,
                             currency=book.currency)


def run(scenario: str, pricing=(), sets=(), option: str | None = None, metric: str = "total_cost_per_success",
        as_of: date | None = None) -> SensitivityResult:
    """``aicost sensitivity`` from a scenario name or path."""
    return report(scenario, PriceBook.load(list(pricing)), list(sets), option, metric, as_of)
