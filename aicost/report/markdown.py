"""GitHub-flavoured Markdown: a pull-request comment or a job summary."""

from __future__ import annotations

import re
from typing import Any

from aicost.base.errors import visible

from aicost.report.explain import best_line, reason, say
from aicost.report.numbers import latency, money, months, num, pct


#: Markdown that could act: a table cell's end, links and images (``[``), code spans, HTML;
#: ``@`` as an entity so that no name mentions (and notifies) anybody. Line breaks and other
#: control characters are shown as escapes (``visible``). Emphasis is left alone: it cannot act.
_MD = str.maketrans({"\\": "\\\\", "|": "\\|", "[": "\\[", "]": "\\]", "`": "\\`", "<": "&lt;", ">": "&gt;",
                     "@": "&#64;"})


def esc(text: object) -> str:
    """Text from the inputs (names, files, ids, messages) shown as written in Markdown, inert:
    no image loads, no link, no mention, no HTML, no table cell ends, no line break (the one
    Markdown escaper)."""
    return visible(text).translate(_MD)


def code(text: object) -> str:
    """Text as a code span (inside one, nothing is Markdown, and nothing mentions anybody): the
    fence is longer than any run of backticks in the text; ``|`` is escaped for tables."""
    t = visible(text).replace("|", "\\|")
    fence = "`" * (max((len(r) for r in re.findall("`+", t)), default=0) + 1)
    pad = " " if t.startswith("`") or t.endswith("`") else ""
    return f"{fence}{pad}{t}{pad}{fence}"


def render(result, **_: Any) -> str:
    cur = result.currency
    out: list[str] = []
    for s in result.scenarios:
        out.append(f"### {esc(s.name)}")
        out.append("")
        out.append(f"{code(s.file)} · {s.tasks_per_month:,.0f} tasks/month · latency need: {esc(say(s.latency_need))}"
                   f" · prices as of {s.as_of}")
        if s.overrides:
            out.append("")
            out.append("Overrides: " + ", ".join(code(o) for o in s.overrides))
        answer = best_line(s, cur)
        if answer:
            out.append("")
            out.append(f"**Best:** {code(answer[0])} {esc(answer[1])}")
        for note in s.notes:
            out.append("")
            out.append(f"> {esc(say(note))}")
        if s.routing:
            from aicost.report.table import routing_lines

            out.append("")
            out.append(esc(" ".join(line.strip() for line in routing_lines(s.routing, cur, 10_000))))
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
                f"| {o.rank} | {code(o.id)} | {money(m['cost_per_attempt'], cur)} | {num(m['expected_attempts'])} | "
                f"{pct(m['p_success'])} | {money(m['total_cost_per_success'], cur)} | {money(m['cost_per_success'], cur)} | "
                f"{money(m['cost_per_resolved_task'], cur)} | "
                f"{money(m['monthly_cost'], cur)} | {pct(m['roi'])} | {months(m['payback_months'])} | {latency(o)} | "
                f"{status} |"
            )
        out.append("")
    return "\n".join(out)
