"""``aicost check`` on actual spend: a usage log's spend per tag value this month (the log's last
month) against a monthly limit, and the month-end at the trend (aicost.usage.forecast)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aicost.base.notices import Notice
from aicost.results.check import Check


def spend_checks(entry: dict, doc, prefix: tuple, book, base: Path) -> list[Check]:
    """One check per tag value with a limit: failed when this month's spend is over it, warning
    when it is past ``warn_at`` of it or the month-end at the trend will pass it."""
    from aicost.usage import forecast as fc
    from aicost.usage import layouts, pipeline
    from aicost.usage.price import Rates, price_frame

    def here(p: str) -> Path:
        q = Path(p)
        return q if q.is_absolute() or not (base / q).exists() else base / q

    layout = layouts.get(str(here(entry["layout"])) if entry["layout"].endswith((".yaml", ".yml"))
                         else entry["layout"])
    rates = Rates(book)
    rates.by_day = True
    groups, _ = pipeline.read_groups([here(p) for p in entry["usage"]], layout, [entry["by"]], rates)
    priced = price_frame(groups, rates)
    file = doc.file
    if not len(priced):
        return []
    day = priced["day"].to_numpy().astype(np.int64)
    cost = np.nan_to_num(priced["cost"].to_numpy())
    tag = priced[f"tag.{entry['by']}"].astype(object).where(priced[f"tag.{entry['by']}"].notna(), None).to_numpy()
    first, last = int(day.min()), int(day.max())
    start = fc.month_start(last)
    values = sorted({str(v) for v in tag if v is not None} | set(entry["limits"]))
    out = []
    for v in values:
        limit = entry["limits"].get(v, entry["max_monthly_spend"])
        if limit is None:
            continue
        mask = np.array([str(t) == v for t in tag], dtype=bool)
        logged: dict[int, float] = {}
        for d, c in zip(day[mask], cost[mask]):
            logged[int(d)] = logged.get(int(d), 0.0) + float(c)
        trend = fc.fit(np.array(list(logged), dtype=np.int64), np.array(list(logged.values())), first, last)
        so_far = sum(c for d, c in logged.items() if d >= start)
        month_end = fc.months_ahead(trend, logged, 0)[0][1]
        where = prefix + (("limits", v) if v in entry["limits"] else ("max_monthly_spend",))
        line = doc.line_of(where)
        warn = entry.get("warn_at")
        if so_far > limit:
            status = "failed"
        elif (warn is not None and so_far > warn * limit) or month_end > limit:
            status = "warning"
        else:
            status = "ok"
        out.append(Check(scenario=f"{entry['by']}={v}", file=file, line=line, budget="max_monthly_spend",
                         status=status, option="actual spend", chosen=fc.label(start), metric="monthly_spend",
                         kind="max", limit=float(limit), actual=float(so_far),
                         warn_level=float(warn * limit) if warn is not None else None,
                         over_by=float(so_far - limit),
                         message=Notice.of("spend", status=status, tag=f"{entry['by']}={v}", month=fc.label(start),
                                           through=fc.iso(last), actual=float(so_far), limit=float(limit),
                                           month_end=float(month_end), currency=book.currency)))
    return out
