"""GitHub-flavoured Markdown: a pull-request comment or a job summary."""

from __future__ import annotations

from typing import Any

from aicost.report.explain import best_line, reason, say
from aicost.report.numbers import latency, money, months, num, pct


def esc(text: object) -> str:
    """Text safe inside a Markdown table cell (the one Markdown escaper)."""
    return (str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ")
            .replace("<", "&lt;").replace(">", "&gt;"))


def render(result, **_: Any) -> str:
    cur = result.currency
    out: list[str] = []
    for s in result.scenarios:
        out.append(f"### {esc(s.name)}")
        out.append("")
        out.append(f"`{esc(s.file)}` · {s.tasks_per_month:,.0f} tasks/month · latency need: {esc(say(s.latency_need))}"
                   f" · prices as of {s.as_of}")
        if s.overrides:
            out.append("")
            out.append("Overrides: " + ", ".join(f"`{esc(o)}`" for o in s.overrides))
        answer = best_line(s, cur)
        if answer:
            out.append("")
            out.append(f"**Best:** `{esc(answer[0])}` {esc(answer[1])}")
        for note in s.notes:
            out.append("")
            out.append(f"> {esc(say(note))}")
        for w in s.warnings:
            out.append("")
            out.append(f"> **Warning:** {esc(say(w))}")
        out.append("")
        out.append("| # | option | $/attempt | attempts | P(success) | total/success | $/success | $/resolved | monthly "
                   "| ROI | payback | latency | status |")
        out.append("|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
        for o in s.options:
            m = o.metrics
            status = "ok" if o.status == "ok" else f"{o.status}: {esc(reason(o) or '')}"
            out.append(
                f"| {o.rank} | `{esc(o.id)}` | {money(m['cost_per_attempt'], cur)} | {num(m['expected_attempts'])} | "
                f"{pct(m['p_success'])} | {money(m['total_cost_per_success'], cur)} | {money(m['cost_per_success'], cur)} | "
                f"{money(m['cost_per_resolved_task'], cur)} | "
                f"{money(m['monthly_cost'], cur)} | {pct(m['roi'])} | {months(m['payback_months'])} | {latency(o)} | "
                f"{status} |"
            )
        out.append("")
    return "\n".join(out)
