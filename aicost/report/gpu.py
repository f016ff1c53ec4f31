"""Terminal view of ``aicost gpu``: the hosted references, then one row per GPU option."""

from __future__ import annotations

from typing import Any

from aicost.base.constants import TIER_LABEL
from aicost.base.errors import visible
from aicost.report.explain import reason, say
from aicost.report.numbers import money, pct
from aicost.report.table import SHOWN, _more, columns, fitted, shorten, wrapped


def volume(x) -> str:
    if x is None:
        return "never"
    return f"{x:,.0f}" if x < 1e6 else f"{x / 1e6:,.3g}M"


#: Columns of the GPU table, most dispensable first: dropped in this order until a row fits the
#: terminal (rank, model, GPUs, $/success and the break-even against the best hosted option stay).
GPU_DROP = ("vs Flex", "vs Batch", "pricing", "replicas", "basis", "$/1M out", "util", "monthly", "provider",
            "scaling")


def render_table(report: Any, width: int = 160, show_all: bool = False, **_: Any) -> str:
    """The hosted references, then the eligible GPU options that matter (best first, at most
    SHOWN unless ``show_all``) and one line on the rest; fitted to ``width``."""
    res, refs, currency = report.scenario, report.references, report.currency
    out = [f"{visible(res.name)}   ({visible(res.file)})"]
    out += wrapped(f"{res.tasks_per_month:,.0f} tasks/month · latency need: {say(res.latency_need)} · prices as of "
                   f"{res.as_of}", width, 2)
    best = refs.get("best")
    if best is None:
        out.append("No eligible hosted option to compare with.")
    else:
        tail = f" at {money(best.metrics['cost_per_success'], currency)} per success"
        out.append(f"Cheapest hosted: {shorten(best.id, width - 17 - len(tail))}{tail}")
        for tier in ("batch", "flex"):
            ref = refs.get(tier)
            if ref is not None and ref.id != best.id:
                tail = f" at {money(ref.metrics['cost_per_success'], currency)}"
                out.append(f"  {TIER_LABEL[tier]}: {shorten(ref.id, width - 4 - len(TIER_LABEL[tier]) - len(tail))}{tail}")
    ok = [e for e in report.options if e.option.status == "ok"]
    rest = [e for e in report.options if e.option.status != "ok"]
    shown = ok if show_all else ok[:SHOWN]
    header = ("#", "model", "GPUs", "provider", "pricing", "scaling", "$/1M out", "replicas", "util", "monthly",
              "$/success", "basis", "break-even", "vs Batch", "vs Flex")
    right = [True, False, False, False, False, False, True, True, True, True, True, False, True, True, True]
    table = []
    for e in shown:
        o, be = e.option, e.breakeven
        g, m = o.gpu, o.metrics
        basis = "estimated" if g["estimated"] else "measured"
        table.append((str(o.rank), o.model, f"{g['gpus_per_replica']}x {g['gpu']}", o.provider, o.tier, g["scaling"],
                      money(g["cost_per_mtok_output"], currency), f"{g['replicas']:.2g}", pct(g["utilisation"]),
                      money(m["monthly_cost"], currency), money(m["cost_per_success"], currency), basis,
                      volume(be.get("best", {}).get("tasks_per_month")) if "best" in be else "—",
                      volume(be.get("batch", {}).get("tasks_per_month")) if "batch" in be else "—",
                      volume(be.get("flex", {}).get("tasks_per_month")) if "flex" in be else "—"))
    if table:
        cols, cells, right = fitted(header, table, right, width, ("#", "model", "$/success", "break-even"),
                                    drop=GPU_DROP)
        out += columns(cols, cells, right)
        out += wrapped("break-even: tasks/month from which the GPU option costs less per success than the cheapest "
                       "hosted option (vs Batch, vs Flex: than that tier); basis: measured (a credible measurement "
                       "at this replica size and about these lengths) or estimated (the roofline calibrated on "
                       "measurements)", width)
        out += wrapped(replica_sizes(shown[0].option, currency), width, 2)
    if not show_all:
        more = _more(len(ok) - len(shown), [e.option for e in rest])
        if more:
            out += wrapped(more.replace("option", "GPU option", 1) if len(ok) > len(shown) else more, width)
    elif rest:
        out.append(f"Not eligible or unpriced ({len(rest)}):")
        for e in rest:
            o = e.option
            out += wrapped(f"{o.rank:>3}  {o.model} on {o.gpu['gpu']} ({o.provider}, {o.gpu['scaling']}): "
                           f"{reason(o) or o.status}", width, 5)
    if getattr(report, "months", None):
        from aicost.report.capacity import render_months

        out += render_months(report.months, currency, width)
    return "\n".join(out) + "\n"


def replica_sizes(o: Any, currency: str | None) -> str:
    """The replica sizes weighed for an option, with $/1M output at full use: the chosen one marked."""
    g = o.gpu
    parts = []
    for r in g.get("replica_sizes") or []:
        text = (f"{r['gpus']} GPU{'s' if r['gpus'] > 1 else ''} {money(r['cost_per_mtok_output_at_full_use'], currency)}"
                f"/1M out")
        if not r["meets_need"]:
            text += " (too slow)"
        parts.append(text + (" (chosen)" if r["chosen"] else ""))
    return (f"Replica sizes for {o.model} on {g['gpu']} (at full use, batch {g['batch']:g}): " + ", ".join(parts)
            if parts else "")


def rows(report: Any) -> list[dict[str, Any]]:
    """Flat rows for table, CSV and Markdown."""
    out = []
    for e in report.options:
        o = e.option
        g, m = o.gpu, o.metrics
        be = e.breakeven
        basis = "estimated" if g["estimated"] else "measured"
        out.append({
            "rank": o.rank, "model": o.model,
            "gpus": f"{g['gpus_per_replica']}x {g['gpu']}" if g["gpus_per_replica"] else f"- {g['gpu']}",
            "provider": o.provider, "pricing": o.tier, "scaling": g["scaling"], "precision": g["precision"],
            "per_gpu_hour": g["per_gpu_hour"], "cost_per_mtok_output": g["cost_per_mtok_output"],
            "replicas": g["replicas"], "utilisation": g["utilisation"], "monthly_cost": m["monthly_cost"],
            "cost_per_success": m["cost_per_success"], "basis": basis,
            "breakeven_vs_best": be.get("best", {}).get("tasks_per_month"),
            "breakeven_vs_batch": be.get("batch", {}).get("tasks_per_month"),
            "breakeven_vs_flex": be.get("flex", {}).get("tasks_per_month"),
            "status": o.status if o.status == "ok" else f"{o.status}: {reason(o)}",
        })
    return out


def render_csv(report: Any, raw: bool = False, **_: Any) -> str:
    """The GPU options, or with --months the capacity plan's month rows."""
    from aicost.report.rows import render

    return render(_rows_for(report), "csv", raw=raw)


def render_markdown(report: Any, **_: Any) -> str:
    from aicost.report.rows import render

    return render(_rows_for(report), "markdown")


def _rows_for(report: Any) -> list[dict[str, Any]]:
    if getattr(report, "months", None):
        from aicost.report.capacity import month_rows

        return month_rows(report.months)
    return rows(report)
