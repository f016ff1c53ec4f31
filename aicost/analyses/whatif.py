"""``aicost sweep`` and ``aicost breakeven``: a field varied over a range, and where options swap order."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from aicost.inputs import scenario as scenario_mod
from aicost.base.constants import RANKINGS
from aicost.engine.designs import Designs
from aicost.engine.roots import REL_TOL, crossings_many
from aicost.analyses.compare import compare_designs, designs_for, find_option
from aicost.base.errors import InputError, bad_argument
from aicost.inputs.overrides import get_path
from aicost.inputs.pricebook import PriceBook
from aicost.engine.sweep import METRICS, rows, run
from aicost.inputs.vary import parse_vary
from aicost.base.notices import Notice
from aicost.inputs.yamlio import dotted
from aicost.results.whatif import BreakevenResult, SweepResult


def sweep_report(ref: str, book: PriceBook, vary: list[str], sets=(), metric: str = "total_cost_per_success",
                 top: int = 8, as_of: date | None = None, progress=None, every: bool = True) -> SweepResult:
    """``every=False`` keeps a summary of a one-field sweep (what its table and charts show), in
    memory that does not grow with the points, and of a grid its winners alone (its table shows
    nothing else: ``values`` is empty); CSV, JSON and the Python API keep every point."""
    if metric not in METRICS:
        raise bad_argument("metric", f"expected one of {', '.join(METRICS)}, got {metric!r}")
    if not 1 <= len(vary) <= 2:
        raise bad_argument("vary", "give one field, or two for a grid")
    ls = scenario_mod.load(ref, book, sets)
    varies = [parse_vary(v, ref, ls, book, sets) for v in vary]
    if len(varies) == 2 and varies[0].path == varies[1].path:
        raise bad_argument("vary", "the two fields are the same")
    designs, ids = designs_for(ls, book, as_of)
    # two passes over the points: the winners and the middle point's figures, then the options shown
    first = (lambda done: progress(done * 4 // 5)) if progress else None
    res = run(designs, varies, metric, progress=first, order=tie_order(ids), every=every or len(varies) == 2)
    # options shown: every winner, then the best at the middle point, up to `top` (the winner is always
    # chosen among all options)
    order = [int(i) for i in np.unique(res["winner"]) if i >= 0]
    col = res["middle"]
    ranked = [int(i) for i in np.argsort(col if METRICS[metric] == "min" else -col, kind="stable")
              if np.isfinite(col[i])]
    for i in ranked:
        if len(order) >= top:
            break
        if i not in order:
            order.append(i)
    kept = max(1, res["x"][0].size)
    second = (lambda done: progress(res["n"] * 4 // 5 + done * res["n"] // kept // 5)) if progress else None
    return SweepResult(
        scenario=ls.plain["name"], file=ls.file, metric=metric, currency=book.currency,
        fields=[{"field": dotted(v.path), "start": v.start, "stop": v.stop, "steps": v.steps, "log": v.log}
                for v in varies],
        x=res["x"], ids=ids, shown=order,
        values=rows(designs, varies, res, order, progress=second) if every or len(varies) == 1
        else np.empty((len(order), 0)),
        winner=res["winner"], winner_value=res["winner_value"], runner_up=res["runner_up"],
        runner_value=res["runner_value"], index=res["index"], n=res["n"])


def tie_order(ids: list[str]) -> np.ndarray:
    """Each option's place among equals, as compare orders ties: by id, the uncached twin first."""
    keys = sorted(range(len(ids)), key=lambda i: (ids[i].replace(":cached", ""), ":cached" in ids[i], ids[i]))
    order = np.empty(len(ids), dtype=np.int64)
    order[keys] = np.arange(len(ids))
    return order


def breakeven_report(ref: str, book: PriceBook, vary: str, between: list[str] | None = None, sets=(),
                     metric: str = "total_cost_per_success", as_of: date | None = None,
                     chart_points: int = 0) -> BreakevenResult:
    """Where options swap order as ``vary``'s field moves: between two named options, or between
    the current winner and every other option."""
    ls = scenario_mod.load(ref, book, sets)
    v = parse_vary(vary, ref, ls, book, sets, need_range=False)
    designs, ids = designs_for(ls, book, as_of)
    res = compare_designs(ls, book, as_of, rank_by=metric if metric in RANKINGS else None)

    def find(oid):
        i, why = find_option(ids, oid)
        if why:
            raise bad_argument("between", f"{why} ({ls.file})")
        return i

    if between:
        if len(between) != 2:
            raise bad_argument("between", "name two options")
        pairs = [(find(between[0]), find(between[1]))]
    else:
        best = res.best
        if best is None:
            raise InputError(f"{ls.file}: no option is eligible and priced; name two with --between")
        a = ids.index(best.id)
        pairs = [(a, b) for b in range(len(ids)) if b != a]
    out = []
    every = crossings_many(designs, v.path, pairs, v.start, v.stop, log=v.log, metric=metric)  # all pairs together
    for (a, b), found in zip(pairs, every):
        if not found and not between:
            continue
        out.append({"a": ids[a], "b": ids[b],
                    "crossings": [_crossing(c, ids[a], ids[b]) for c in found]})
    out.sort(key=lambda p: min(c["value"] for c in p["crossings"]) if p["crossings"] else np.inf)
    summary = None
    if between and not out[0]["crossings"]:
        a, b = pairs[0]
        from aicost.engine.roots import difference

        d = difference(designs.subset([a, b]), v.path, [v.start, v.stop], metric)
        finite = d[np.isfinite(d)]
        if finite.size:
            summary = Notice.of("cheaper_throughout", option=ids[a] if finite[0] < 0 else ids[b])
        else:
            summary = Notice.of("never_both_usable")
    result = BreakevenResult(
        scenario=ls.plain["name"], file=ls.file, metric=metric, currency=book.currency, field=dotted(v.path),
        start=v.start, stop=v.stop, log=v.log, tolerance=REL_TOL, current=float(get_path(ls.plain, v.path)),
        pairs=out, summary=summary, ids=ids)
    if chart_points:
        result.series = _series(result, designs, v.path, chart_points)
    return result


def _crossing(c, a: str, b: str) -> dict[str, Any]:
    if c.kind == "tie":  # equal from value to until: neither is cheaper there
        return {"value": c.value, "until": c.until, "kind": "tie", "cheaper_below": None, "cheaper_above": None,
                "equal": [a, b]}
    return {"value": c.value, "kind": c.kind, "cheaper_below": a if c.cheaper_below == 0 else b,
            "cheaper_above": b if c.cheaper_below == 0 else a}


def _series(rep: BreakevenResult, designs: Designs, path: tuple, points: int) -> dict[str, Any]:
    """What a chart of a break-even search draws: up to 8 options involved, each one's metric over
    ``points`` values of the field, and the metric at each crossing."""
    from aicost.engine.roots import grid

    ids = rep.ids
    involved: list[str] = []
    for p in rep.pairs:
        for oid in (p["a"], p["b"]):
            if oid not in involved:
                involved.append(oid)
    involved = involved[:8]
    x = grid(rep.start, rep.stop, points, rep.log)
    m = designs.subset([ids.index(o) for o in involved]).metric(rep.metric, {path: x})
    lines = [(oid, m[k]) for k, oid in enumerate(involved)]
    marks = []
    for p in rep.pairs:
        first = designs.subset([ids.index(p["a"])])
        for c in p["crossings"]:
            y = first.metric(rep.metric, {path: np.asarray([c["value"]])})[0, 0]
            marks.append((c["value"], float(y)))
    return {"x": x, "lines": lines, "marks": marks}


def points(vary: list[str]) -> int:
    """How many points a sweep's ``--vary`` texts ask for (for a progress bar)."""
    n = 1
    for v in vary:
        parts = v.partition("=")[2].split(":")
        n *= int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 11
    return n


def sweep_run(scenario: str, vary: list[str], pricing=(), sets=(), metric: str = "total_cost_per_success", top: int = 8,
              as_of: date | None = None, progress=None, every: bool = True) -> SweepResult:
    """``aicost sweep`` from a scenario name or path."""
    return sweep_report(scenario, PriceBook.load(list(pricing)), vary, list(sets), metric, top, as_of, progress,
                        every)


BREAKEVEN_METRICS = ("total_cost_per_success", "cost_per_success", "cost_per_resolved_task", "monthly_cost", "cost_per_attempt")


def breakeven_run(scenario: str, vary: str, between: list[str] | None = None, pricing=(), sets=(),
                  metric: str = "total_cost_per_success", as_of: date | None = None,
                  chart_points: int = 0) -> BreakevenResult:
    """``aicost breakeven`` from a scenario name or path."""
    if metric not in BREAKEVEN_METRICS:
        raise bad_argument("metric", f"expected {', '.join(BREAKEVEN_METRICS[:-1])} or {BREAKEVEN_METRICS[-1]}, "
                         f"got {metric!r}")
    return breakeven_report(scenario, PriceBook.load(list(pricing)), vary, between, list(sets), metric, as_of,
                            chart_points)
