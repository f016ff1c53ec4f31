"""``aicost forecast``: each tag group's spend trend from a usage log, the months ahead at that
trend, and the day a monthly budget is crossed (the stages are in :mod:`aicost.usage.forecast`)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from aicost.base.errors import InputError, Problem, bad_argument, ARGUMENT
from aicost.results.rows import RowsResult

CENT = Decimal("0.01")


def parse_budgets(items: Sequence[str]) -> tuple[float | None, dict[str, float]]:
    """``AMOUNT`` (every group) and ``VALUE=AMOUNT`` (the group whose first tag is VALUE)."""
    every, per, problems = None, {}, []
    for text in items:
        key, eq, amount = text.rpartition("=")
        try:
            x = float(amount)
            if not np.isfinite(x) or x < 0:
                raise ValueError
        except ValueError:
            problems.append(Problem(ARGUMENT, None, "budget", f"'{text}': expected AMOUNT or VALUE=AMOUNT, an amount "
                                                              f"of 0 or more"))
            continue
        if eq:
            per[key.strip()] = x
        else:
            every = x
    if problems:
        raise InputError(problems)
    return every, per


def run(usage: Sequence[Path], by: str = "team", source: str = "aicost", months: int = 3,
        budgets: Sequence[str] = (), pricing: Sequence = (), on_error: str = "stop", engine: str = "local",
        scheduler: str | None = None, progress=None) -> RowsResult:
    from aicost.inputs.pricebook import PriceBook
    from aicost.usage import forecast as fc
    from aicost.usage import layouts, pipeline
    from aicost.usage.price import Rates, price_frame

    keys = [k.strip() for k in by.split(",") if k.strip()]
    if not keys:
        raise bad_argument("by", "give at least one tag, e.g. team")
    if not 0 <= months <= 60:
        raise bad_argument("months", "give 0 to 60 months")
    every, per = parse_budgets(budgets)
    layout = layouts.get(source)
    book = PriceBook.load(list(pricing))
    rates = Rates(book)
    rates.by_day = True  # each day's cost, not the price period's
    groups, stats = pipeline.read_groups(list(usage), layout, keys, rates, on_error, engine, scheduler,
                                         progress=progress)
    priced = price_frame(groups, rates)
    if not len(priced):
        raise InputError(Problem(str(usage[0]) if usage else "usage", None, "", "no usage rows to forecast from"))
    from aicost.analyses.replay import check_tags

    check_tags(priced, keys)
    day = priced["day"].to_numpy().astype(np.int64)
    cost = priced["cost"].to_numpy()
    bad = np.isnan(cost)
    cost = np.where(bad, 0.0, cost)
    requests = priced["requests"].to_numpy()
    first, last = int(day.min()), int(day.max())
    trended = last - first + 1 >= fc.MIN_DAYS
    tag_cols = [f"tag.{k}" for k in keys]
    by_group = priced.groupby(tag_cols, dropna=False, sort=True, observed=True)
    gid = by_group.ngroup().to_numpy()
    names = [n if isinstance(n, tuple) else (n,) for n in by_group.size().index]
    names = [tuple(None if (isinstance(v, float) and v != v) else v for v in n) for n in names]
    firsts = {str(n[0]) for n in names if n[0] is not None}
    unknown = [v for v in per if v not in firsts]
    if unknown:
        raise bad_argument("budget", f"no row of the log has {keys[0]}={unknown[0]}" +
                           (f" (it has {', '.join(sorted(firsts)[:8])})" if firsts else ""))
    order = np.argsort(gid, kind="stable")
    cuts = np.searchsorted(gid[order], np.arange(len(names) + 1))
    rows: list[dict[str, Any]] = []
    ahead_labels: list[str] = []

    def one(idx: np.ndarray, name: tuple, budget: float | None) -> dict[str, Any]:
        nonlocal ahead_labels
        y = fc.daily(day[idx], cost[idx], first, last)
        trend = fc.fit(y, first)
        ahead = fc.months_ahead(trend, y, months)
        ahead_labels = [m for m, *_ in ahead]
        lost = int(requests[idx][bad[idx]].sum())
        now = float(trend.daily(np.array([last]))[0])
        row: dict[str, Any] = dict(zip(keys, name))
        money = (lambda x: None) if lost else _money  # a group with unpriced requests has no total: never $0
        row["logged"] = money(y.sum())
        row["per day now"] = money(now)
        row["change a month %"] = Decimal(repr(round(trend.b * 30 / now * 100, 1))) if trended and now > 0 and \
            not lost else None
        for m, spend, *_ in ahead:
            row[m] = money(spend)
        row["budget"] = _money(budget) if budget is not None else None
        hit = fc.crossing(trend, y, budget, months) if budget is not None and not lost else None
        row["crosses on"] = fc.iso(hit) if hit is not None else (
            "not within the months shown" if budget is not None and not lost else None)
        row["unpriced requests"] = lost
        return row

    for j, name in enumerate(names):
        idx = order[cuts[j]:cuts[j + 1]]
        budget = per.get(str(name[0]), every) if name and name[0] is not None else every
        rows.append(one(idx, name, budget))
    rows.append(one(np.arange(len(day)), tuple("(all)" for _ in keys), None))
    cols = (*keys, "logged", "per day now", "change a month %", *ahead_labels, "budget", "crosses on",
            "unpriced requests")
    meta = {"currency": book.currency, "rows_read": stats["rows"], "rows_skipped": stats["skipped"],
            "first_day": fc.iso(first), "last_day": fc.iso(last), "months": months,
            "method": "least-squares line through each group's daily cost (days without usage cost 0)"
            if trended else f"flat at the mean day: {last - first + 1} days are too few for a trend (at least "
                            f"{fc.MIN_DAYS})"}
    return RowsResult("forecast", rows, columns=cols, right=cols[len(keys):], meta=meta)


def _money(x) -> Decimal:
    return Decimal(repr(float(x))).quantize(CENT)
