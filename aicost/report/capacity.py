"""Terminal view of ``aicost gpu --months N``: the capacity plan month by month."""

from __future__ import annotations

from typing import Any

from aicost.report.numbers import money, pct
from aicost.report.table import columns, fitted, shorten, wrapped

#: Month columns dropped first when the terminal is narrow.
MONTH_DROP = ("util", "GPUs avg", "margin (hosted)", "reserved + on-demand", "GPUs peak")


def _count(x: float) -> str:
    return f"{x:,.0f}" if x < 1e6 else f"{x / 1e6:,.3g}M"


def render_months(plan: dict[str, Any], currency: str, width: int) -> list[str]:
    """The month-by-month table, its legend and the months something changes."""
    growth = plan["monthly_growth"]
    head = f"Month by month ({'volume +' if growth >= 0 else 'volume '}{growth:.0%} a month"
    if plan["price_per_task"] is not None:
        head += f"; price per task {money(plan['price_per_task'], currency)}"
    out = ["", head + "):"]
    header = ["month", "tasks", "hosted $/success", "GPU $/success", "GPU option", "GPUs peak", "GPUs avg", "util",
              "reserved + on-demand", "margin (hosted)", "margin (GPU)"]
    right = [True, True, True, True, False, True, True, True, False, True, True]
    table = []
    for r in plan["rows"]:
        h, g = r["hosted"], r["gpu"]
        mix = "—"
        if g and g["mix"] is not None:
            m = g["mix"]
            mix = (f"{m['reserved_gpus']:.0f} reserved, {money(m['monthly_gpu_cost'], currency)}"
                   if m["reserved_gpus"] else "all on-demand")
        margin = r.get("gross_margin_per_task") or {}
        table.append([str(r["month"]), _count(r["tasks"]),
                      money(h["cost_per_success"], currency) if h else "—",
                      money(g["cost_per_success"], currency) if g else "—",
                      g["id"].removeprefix("gpu/") if g else "—",
                      f"{g['gpus_peak']:.0f}" if g else "—", f"{g['gpus_average']:.1f}" if g else "—",
                      pct(g["utilisation"]) if g else "—", mix,
                      money(margin.get("hosted"), currency) if margin.get("hosted") is not None else "—",
                      money(margin.get("gpu"), currency) if margin.get("gpu") is not None else "—"])
    if plan["price_per_task"] is None:
        header, right, table = header[:-2], right[:-2], [row[:-2] for row in table]
    cols, cells, right = fitted(header, table, right, width, ("month", "tasks", "hosted $/success", "GPU $/success"),
                                id_column=4, drop=MONTH_DROP)
    out += columns(cols, cells, right)
    out += wrapped("hosted and GPU: the cheapest eligible option of each kind that month, per successful outcome; "
                   "GPUs at the day's peak and on average; reserved + on-demand: the cheapest split with a "
                   "reservation of the same GPU at the same provider (— where it has none)", width)
    room = max(width - 4, 12)  # an id is never broken across lines: shortened in the middle where it is too long
    for e in plan["events"]:
        if e["kind"] == "gpu_breakeven":
            out += wrapped(f"Month {e['month']}: {shorten(e['option'], room)} costs less per success than "
                           f"{shorten(e['against'], room)}", width, 2)
        else:
            out += wrapped(f"Month {e['month']}: {shorten(e['option'], room)} goes over its rate limit at the peak",
                           width, 2)
    if not plan["events"]:
        out.append("No break-even or rate limit is crossed in these months.")
    return out


def month_rows(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """Flat rows of the capacity plan (CSV, Markdown): one a month."""
    out = []
    for r in plan["rows"]:
        h, g = r["hosted"] or {}, r["gpu"] or {}
        mix = g.get("mix") or {}
        margin = r.get("gross_margin_per_task") or {}
        out.append({
            "month": r["month"], "tasks": r["tasks"],
            "hosted_option": h.get("id"), "hosted_cost_per_success": h.get("cost_per_success"),
            "gpu_option": g.get("id"), "gpu_cost_per_success": g.get("cost_per_success"),
            "gpus_peak": g.get("gpus_peak"), "gpus_average": g.get("gpus_average"), "utilisation": g.get("utilisation"),
            "reserved_gpus": mix.get("reserved_gpus"), "reserved_offer": mix.get("reserved_offer"),
            "mix_monthly_gpu_cost": mix.get("monthly_gpu_cost"),
            "all_on_demand_gpu_cost": mix.get("all_on_demand_gpu_cost"),
            "gross_margin_per_task_hosted": margin.get("hosted"), "gross_margin_per_task_gpu": margin.get("gpu"),
            "event": "; ".join(("GPU break-even" if e["kind"] == "gpu_breakeven" else f"rate limit: {e['option']}")
                              for e in plan["events"] if e["month"] == r["month"]) or None,
        })
    return out
