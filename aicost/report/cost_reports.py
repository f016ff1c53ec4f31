"""The billed-versus-repriced section of ``aicost allocate --billed``: the providers' cost reports
beside aicost's repricing, by month, provider and model, then each provider's total."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aicost.report.focus import money
from aicost.report.numbers import present


def rows(a) -> list[dict[str, Any]]:
    """Billed (the providers' cost reports) versus repriced, by month, provider and model, then
    each provider's total; amounts to the millionth, the difference as a share of billed."""
    return [{"month": r["month"], "provider": r["provider"], "model": r["model"], "billed": money(r["billed"]),
             "repriced": money(present(r["repriced"])), "difference": money(present(r["difference"])),
             "difference_pct": None if present(r["difference_pct"]) is None else round(float(r["difference_pct"]), 4),
             "days_covered": int(r["days_covered"]), "days_in_month": int(r["days_in_month"])}
            for r in a.reported.to_dict("records")]



def table(a, grid: Callable[..., list[str]], m: Callable[[Any], str]) -> list[str]:
    """The section's lines for the terminal table (``grid`` and ``m``: the allocation table's
    column and money formatters)."""
    _grid, _m, t = grid, m, a.totals
    out: list[str] = []
    out.append("")
    out.append("Billed (the providers' cost reports) versus repriced with aicost's tables, in the months the "
               "reports cover:")
    out += _grid(["month", "model", "billed", "repriced", "difference"],
                 [[r["month"], r["model"], _m(r["billed"]), _m(r["repriced"]),
                   "-" if r["difference"] is None else
                   f"{_m(r['difference'])} ({r['difference_pct']:+.1f}%)" if r["difference_pct"] is not None
                   else _m(r["difference"])] for r in rows(a)] or [["-", "(no cost lines)", "", "", ""]],
                 right_from=2)
    partial = sorted({(r["month"], r["provider"], r["days_covered"], r["days_in_month"]) for r in rows(a)
                      if r["days_covered"] < r["days_in_month"]})
    for month, prov, n, m in partial:
        out.append(f"({prov} {month}: the reports cover {n} of its {m} days, and usage is repriced by month, so no "
                   "difference is shown; give a report of the whole month)")
    compared = {r["month"] for r in rows(a)}
    if not a.unpriced.empty and compared & set(a.unpriced["month"].astype(str)):
        out.append(f"(repriced counts priced rows only: the {t['unpriced_rows']:,} unpriced rows are in the billed "
                   "amounts but not in the repriced ones)")
    return out
