"""``aicost check`` on actual spend: a usage log's spend per tag value this month (the log's last
month) against a monthly limit, and the month-end at the trend (aicost.usage.forecast)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aicost.base.errors import InputError, Problem
from aicost.base.notices import Notice
from aicost.results.check import Check

UNTAGGED = "(untagged)"


def spend_checks(entry: dict, doc, prefix: tuple, book, base: Path) -> list[Check]:
    """One check per tag value with a limit: failed when this month's spend is over it, warning
    when it is past ``warn_at`` of it, when the month-end at the trend will pass it, or when some of
    the value's requests have no price (they are not $0). A log that cannot be read, has no rows,
    or has no row with the tag is an error at the entry's line; a limit on a value the log never
    has is a warning (a typo would switch the gate off)."""
    from aicost.usage import forecast as fc
    from aicost.usage import layouts, pipeline
    from aicost.usage.price import Rates, price_frame

    def here(p: str) -> Path:
        q = Path(p)
        return q if q.is_absolute() else base / q

    def problem(where: tuple, text: str) -> InputError:
        return InputError(Problem(doc.file, doc.line_of(prefix + where), ".".join(map(str, prefix + where)), text))

    missing = [p for p in entry["usage"] if not here(p).exists()]
    if missing:
        raise problem(("usage",), f"no such file or directory: {here(missing[0])}")
    layout = layouts.get(str(here(entry["layout"])) if entry["layout"].endswith((".yaml", ".yml"))
                         else entry["layout"])
    rates = Rates(book)
    rates.by_day = True
    groups, _ = pipeline.read_groups([here(p) for p in entry["usage"]], layout, [entry["by"]], rates)  # (bad rows:
    # file:line in the log)
    priced = price_frame(groups, rates)
    if not len(priced):
        raise problem(("usage",), "the log has no usage rows")
    col = priced[f"tag.{entry['by']}"]
    if not col.notna().any():
        raise problem(("by",), f"no row of the log carries the tag '{entry['by']}'")
    day = priced["day"].to_numpy().astype(np.int64)
    cost = priced["cost"].to_numpy()
    bad = np.isnan(cost)
    requests = priced["requests"].to_numpy()
    tag = col.astype(object).where(col.notna(), UNTAGGED).astype(str).to_numpy()
    first, last = int(day.min()), int(day.max())
    start = fc.month_start(last)
    seen = set(tag)
    values = sorted(seen | set(entry["limits"]))
    out = []
    for v in values:
        limit = entry["limits"].get(v, entry["max_monthly_spend"])
        if limit is None:
            continue
        where = prefix + (("limits", v) if v in entry["limits"] else ("max_monthly_spend",))
        line = doc.line_of(where)
        name = f"{entry['by']}={v}"
        if v not in seen:
            out.append(Check(scenario=name, file=doc.file, line=line, budget="max_monthly_spend", status="warning",
                             option="actual spend", chosen="no spend", metric="monthly_spend", kind="max",
                             limit=float(limit),
                             message=Notice.of("spend_unseen", tag=name, by=entry["by"])))
            continue
        mask = tag == v
        y = fc.daily(day[mask & ~bad], cost[mask & ~bad], first, last)
        trend = fc.fit(y, first)
        so_far = float(y[max(start, first) - first:].sum())
        month_end = fc.months_ahead(trend, y, 0)[0][1]
        lost = int(requests[mask & bad & (day >= start)].sum())
        warn = entry.get("warn_at")
        if so_far > limit:
            status = "failed"
        elif (warn is not None and so_far > warn * limit) or month_end > limit or lost:
            status = "warning"
        else:
            status = "ok"
        out.append(Check(scenario=name, file=doc.file, line=line, budget="max_monthly_spend",
                         status=status, option="actual spend", chosen=fc.label(start), metric="monthly_spend",
                         kind="max", limit=float(limit), actual=so_far,
                         warn_level=float(warn * limit) if warn is not None else None, over_by=so_far - limit,
                         message=Notice.of("spend", status=status, tag=name, month=fc.label(start),
                                           through=fc.iso(last), actual=so_far, limit=float(limit),
                                           month_end=float(month_end), currency=book.currency, unpriced=lost)))
    return out
