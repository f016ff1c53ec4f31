"""The terminal table: eligible options ranked, then the rest with the reason they are out."""

from __future__ import annotations

import io
from typing import Any

from .numbers import money, months, num, pct


def render(result, width: int = 160, color: bool = False, **_: Any) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system="standard" if color else None,
                      force_terminal=color, highlight=False, emoji=False, legacy_windows=False)
    cur = result.currency
    for n, s in enumerate(result.scenarios):
        if n:
            console.print()
        console.print(Text(f"{s.name}", style="bold"), Text(f"  ({s.file})", style="dim"))
        console.print(f"{s.tasks_per_month:,.0f} tasks/month · latency need: {s.latency_need} · prices as of {s.as_of}")
        for ov in s.overrides:
            console.print(f"  --set {ov}", style="dim")
        best = s.best
        if best:
            m = best.metrics
            console.print(Text.assemble(
                ("Best: ", "bold"), (best.id, "bold green"),
                f" at {money(m['cost_per_success'], cur)} per successful outcome, "
                f"{money(m['monthly_cost'], cur)}/month, ROI {pct(m['roi'])}"))
        for note in s.notes:
            console.print(f"Note: {note}", style="yellow")
        ok = [o for o in s.options if o.status == "ok"]
        rest = [o for o in s.options if o.status != "ok"]
        t = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
        for col, just in (("#", "right"), ("option", "left"), ("$/attempt", "right"), ("attempts", "right"),
                          ("P(success)", "right"), ("$/success", "right"), ("$/resolved", "right"),
                          ("monthly", "right"), ("ROI", "right"), ("payback", "right")):
            t.add_column(col, justify=just, no_wrap=True)
        for o in ok:
            m = o.metrics
            t.add_row(str(o.rank), o.id, money(m["cost_per_attempt"], cur), num(m["expected_attempts"]),
                      pct(m["p_success"]), money(m["cost_per_success"], cur), money(m["cost_per_resolved_task"], cur),
                      money(m["monthly_cost"], cur), pct(m["roi"]), months(m["payback_months"]))
        if ok:
            console.print(t)
        if rest:
            console.print(Text(f"Not eligible or unpriced ({len(rest)}):", style="bold"))
            r = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
            r.add_column("#", justify="right", no_wrap=True)
            r.add_column("option", no_wrap=True)
            r.add_column("$/success", justify="right", no_wrap=True)
            r.add_column("why", overflow="fold")
            for o in rest:
                r.add_row(str(o.rank), o.id, money(o.metrics.get("cost_per_success"), cur), o.reason or o.status)
            console.print(r)
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"
