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
    day = priced["day"].to_numpy().astype(np.int64)
    cost = priced["cost"].to_numpy()
    unpriced = np.isnan(cost)
    first, last = int(day.min()), int(day.max())
    tags = [priced[f"tag.{k}"].astype(object).where(priced[f"tag.{k}"].notna(), None).to_numpy() for k in keys]
    group_of = list(zip(*tags)) if tags else [()] * len(day)
    names = sorted(set(group_of), key=lambda g: tuple("\uffff" if v is None else str(v) for v in g))
    rows: list[dict[str, Any]] = []
    ahead_labels: list[str] = []

    def one(mask: np.ndarray, name: tuple) -> dict[str, Any]:
        nonlocal ahead_labels
        ok = mask & ~unpriced
        trend = fc.fit(day[ok], cost[ok], first, last)
        logged: dict[int, float] = {}
        for d, c in zip(day[ok], cost[ok]):
            logged[int(d)] = logged.get(int(d), 0.0) + float(c)
        ahead = fc.months_ahead(trend, logged, months)
        ahead_labels = [m for m, *_ in ahead]
        now = float(trend.daily(np.array([last]))[0])
        row: dict[str, Any] = dict(zip(keys, name))
        row["logged"] = _money(sum(logged.values()))
        row["per day now"] = _money(now)
        row["change a month"] = f"{trend.b * 30 / now:+.1%}" if now > 0 else None
        for m, spend, *_ in ahead:
            row[m] = _money(spend)
        budget = per.get(str(name[0])) if name and str(name[0]) in per else every
        row["budget"] = _money(budget) if budget is not None else None
        hit = fc.crossing(trend, logged, budget, months) if budget is not None else None
        row["crosses on"] = fc.iso(hit) if hit is not None else ("not within the months shown" if budget is not None
                                                                 else None)
        row["unpriced requests"] = int(priced["requests"].to_numpy()[mask & unpriced].sum())
        return row

    arr = np.empty(len(group_of), dtype=object)
    arr[:] = group_of
    for name in names:
        rows.append(one(np.array([g == name for g in group_of], dtype=bool), name))
    rows.append(one(np.ones(len(day), dtype=bool), tuple("(all)" for _ in keys)))
    cols = (*keys, "logged", "per day now", "change a month", *ahead_labels, "budget", "crosses on",
            "unpriced requests")
    meta = {"currency": book.currency, "rows_read": stats["rows"], "rows_skipped": stats["skipped"],
            "first_day": fc.iso(first), "last_day": fc.iso(last), "months": months,
            "method": "least-squares line through each group's daily cost (days without usage cost 0)"
            if last - first + 1 >= fc.MIN_DAYS else f"flat at the mean day: {last - first + 1} days are too few for a "
                                                  f"trend (at least {fc.MIN_DAYS})"}
    return RowsResult("forecast", rows, columns=cols, right=cols[len(keys):], meta=meta)


def _money(x) -> Decimal:
    return Decimal(repr(float(x))).quantize(CENT)
