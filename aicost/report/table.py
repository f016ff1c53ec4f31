"""The terminal table: eligible options ranked, then the rest with the reason they are out.

Plain fixed-width text (ANSI colour only when asked), so it is fast to produce and the same
bytes on every machine.
"""

from __future__ import annotations

import textwrap
from typing import Any, Sequence

from aicost.base.errors import visible
from aicost.report.explain import best_line, reason, say
from aicost.report.numbers import latency, money, months, num, pct

BOLD, DIM, GREEN, YELLOW, RESET = "\x1b[1m", "\x1b[2m", "\x1b[32m", "\x1b[33m", "\x1b[0m"


def columns(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool], bold=lambda s: s) -> list[str]:
    """Rows of text aligned in columns two spaces apart; numbers right-aligned."""
    header = [visible(h) for h in header]
    rows = [[visible(c) for c in r] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]

    def line(cells):
        parts = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right)]
        return "  ".join(parts).rstrip()

    return [bold(line(header))] + [line(r) for r in rows]


def render(result, width: int = 160, color: bool = False, **_: Any) -> str:
    def style(code: str, text: str) -> str:
        return f"{code}{text}{RESET}" if color else text

    def bold(text: str) -> str:
        return style(BOLD, text)

    cur = result.currency
    out: list[str] = []
    for n, s in enumerate(result.scenarios):
        if n:
            out.append("")
        out.append(f"{bold(visible(s.name))}   {style(DIM, '(' + visible(s.file) + ')')}")
        out.append(f"{s.tasks_per_month:,.0f} tasks/month · latency need: {say(s.latency_need)} · prices as of {s.as_of}")
        out += [style(DIM, f"  --set {ov}") for ov in s.overrides]
        answer = best_line(s, cur)
        if answer:
            out.append(f"{bold('Best:')} {style(BOLD + GREEN, visible(answer[0]))} {visible(answer[1])}")
        out += [style(YELLOW, f"Note: {visible(say(note))}") for note in s.notes]
        ok = [o for o in s.options if o.status == "ok"]
        rest = [o for o in s.options if o.status != "ok"]
        sampled = any(o.uncertainty for o in ok)
        if s.uncertainty and s.uncertainty.get("samples"):
            u = s.uncertainty
            out.append(f"{u['samples']:,} samples of {len(u['ranges'])} ranged input(s), seed {u['seed']}")
        if ok:
            header = ("#", "option", "$/attempt", "attempts", "P(success)", "total/success", "$/success",
                      "$/resolved", "monthly", "ROI", "payback", "latency") + (("$/success P10-P90", "P(cheapest)") if sampled else ())
            rows = []
            for o in ok:
                m = o.metrics
                extra = ()
                if sampled:
                    band = (o.uncertainty or {}).get("cost_per_success")
                    extra = (f"{money(band['p10'], cur)}-{money(band['p90'], cur)}" if band else "—",
                             pct((o.uncertainty or {}).get("p_cheapest")))
                rows.append((str(o.rank), o.id, money(m["cost_per_attempt"], cur), num(m["expected_attempts"]),
                             pct(m["p_success"]), money(m["total_cost_per_success"], cur),
                             money(m["cost_per_success"], cur),
                             money(m["cost_per_resolved_task"], cur), money(m["monthly_cost"], cur), pct(m["roi"]),
                             months(m["payback_months"]), latency(o)) + extra)
            out += columns(header, rows, [True, False] + [True] * (12 if sampled else 10), bold)
        if rest:
            out.append(bold(f"Not eligible or unpriced ({len(rest)}):"))
            rows = [(str(o.rank), o.id, money(o.metrics.get("total_cost_per_success"), cur)) for o in rest]
            lead = columns(("#", "option", "total/success"), rows, [True, False, True], bold)
            indent = len(lead[1]) + 2 if len(lead) > 1 else 0
            why_width = max(30, width - indent)
            out.append(lead[0] + " " * max(2, indent - len(lead[0])) + bold("why") if color else
                       lead[0].ljust(indent) + "why")
            for text, o in zip(lead[1:], rest):
                wrapped = textwrap.wrap(visible(reason(o) or o.status), why_width, break_on_hyphens=False) or [""]
                out.append(text.ljust(indent) + wrapped[0])
                out += [" " * indent + w for w in wrapped[1:]]
    return "\n".join(out) + "\n"
