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


#: Columns of the ranked table, most dispensable first: dropped in this order until a row fits
#: the terminal (the metric the options are ranked by, the option and its rank always stay).
DROP_ORDER = ("$/attempt", "attempts", "$/resolved", "payback", "latency", "P(success)", "$/success", "ROI",
              "$/success P10-P90", "P(cheapest)", "monthly", "total/success")
RANKED_COLUMN = {"total_cost_per_success": "total/success", "cost_per_success": "$/success",
                 "cost_per_resolved_task": "$/resolved", "monthly_cost": "monthly", "roi": "ROI"}
SHOWN = 8  # eligible options listed on one screen, best first (--all: every option)


def fitted(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool], width: int,
           keep: Sequence[str], id_column: int = 1, drop: Sequence[str] = DROP_ORDER,
           ) -> tuple[list[str], list[list[str]], list[bool]]:
    """The columns that fit ``width``: dispensable ones dropped first (``drop``, in order), then
    the ids in ``id_column`` shortened in the middle (the full ids are in --format json)."""
    header, rows, right = list(header), [list(r) for r in rows], list(right)

    def wide() -> int:
        return sum(max(len(visible(x)) for x in col) for col in zip(header, *rows)) + 2 * (len(header) - 1)

    for name in drop:
        if wide() <= width:
            break
        if name in header and name not in keep:
            j = header.index(name)
            for r in [header, right, *rows]:
                del r[j]
    over = wide() - width
    if over > 0 and rows:
        longest = max(len(r[id_column]) for r in rows)
        room = max(12, longest - over)
        for r in rows:
            r[id_column] = shorten(r[id_column], room)
    return header, rows, right


def shorten(text: str, room: int) -> str:
    """``text`` in at most ``room`` characters, the middle replaced by an ellipsis."""
    room = max(room, 12)  # never shorter than this, whatever the width: the id must stay readable
    if len(text) <= room:
        return text
    head = (room - 1) // 2
    return text[:head] + "…" + text[len(text) - (room - 1 - head):]


def wrapped(text: str, width: int, indent: int = 0) -> list[str]:
    """A sentence on as many lines as the width needs (continuation lines indented)."""
    return textwrap.wrap(text, width, subsequent_indent=" " * indent, break_on_hyphens=False,
                         break_long_words=False) or [""]


def render(result, width: int = 160, color: bool = False, show_all: bool = False, **_: Any) -> str:
    """The answer first: the Best line, the eligible options that matter (best first, at most
    SHOWN unless ``show_all``), one line saying what else there is; fitted to ``width``."""
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
        out += wrapped(f"{s.tasks_per_month:,.0f} tasks/month · latency need: {say(s.latency_need)} · prices as of "
                       f"{s.as_of}", width, 2)
        out += [style(DIM, f"  --set {visible(ov)}") for ov in s.overrides]
        answer = best_line(s, cur)
        if answer:
            lines = wrapped(f"Best: {shorten(visible(answer[0]), width - 6)} {visible(answer[1])}", width, 6)
            first = lines[0][len("Best: "):]
            lead, _, tail = first.partition(" ")
            out.append(f"{bold('Best:')} {style(BOLD + GREEN, lead)} {tail}".rstrip())
            out += lines[1:]
        for note in s.notes:
            out += [style(YELLOW, line) for line in wrapped(f"Note: {visible(say(note))}", width, 6)]
        if s.routing:
            out += [visible(line) for line in routing_lines(s.routing, cur, width)]
        ok = [o for o in s.options if o.status == "ok"]
        rest = [o for o in s.options if o.status != "ok"]
        shown = ok if show_all else ok[:SHOWN]
        sampled = any(o.uncertainty for o in ok)
        if s.uncertainty and s.uncertainty.get("samples"):
            u = s.uncertainty
            out.append(f"{u['samples']:,} samples of {len(u['ranges'])} ranged input(s), seed {u['seed']}")
        if shown:
            header = ("#", "option", "$/attempt", "attempts", "P(success)", "total/success", "$/success",
                      "$/resolved", "monthly", "ROI", "payback", "latency") + (("$/success P10-P90", "P(cheapest)") if sampled else ())
            rows = []
            for o in shown:
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
            keep = ("#", "option", RANKED_COLUMN.get(s.rank_by, "total/success"))
            cols, cells, right = fitted(header, rows, [True, False] + [True] * (12 if sampled else 10), width, keep)
            out += columns(cols, cells, right, bold)
        if not show_all:
            more = _more(len(ok) - len(shown), rest)
            if more:
                out += wrapped(more, width)
            continue
        if rest:
            out.append(bold(f"Not eligible or unpriced ({len(rest)}):"))
            rows = [(str(o.rank), o.id, money(o.metrics.get("total_cost_per_success"), cur)) for o in rest]
            lead = columns(("#", "option", "total/success"), rows, [True, False, True], bold)
            indent = len(lead[1]) + 2 if len(lead) > 1 else 0
            why_width = max(30, width - indent)
            out.append(lead[0] + " " * max(2, indent - len(lead[0])) + bold("why") if color else
                       lead[0].ljust(indent) + "why")
            for text, o in zip(lead[1:], rest):
                lines = textwrap.wrap(visible(reason(o) or o.status), why_width, break_on_hyphens=False) or [""]
                out.append(text.ljust(indent) + lines[0])
                out += [" " * indent + w for w in lines[1:]]
    return "\n".join(out) + "\n"


def routing_lines(r: dict, cur: str, width: int) -> list[str]:
    """A request mix: each segment's best option on its own requests, then what routing saves."""
    parts = [f"{p['segment']} ({p['share']:.0%}) → {p['option'] or 'no eligible option'}"
             + (f" at {money(p['figures']['cost_per_success'], cur)}/success" if p["figures"] else "")
             for p in r["segments"]]
    text = "Routing: " + "; ".join(parts)
    if r.get("router"):
        rt = r["router"]
        fee = money(rt["cost_per_task"], cur) + "/task" if rt["cost_per_task"] is not None else "unpriced"
        text += (f" (router {rt['label']}, {rt['accuracy']:.0%} accurate: {rt['misrouted_tasks_per_month']:,.0f} "
                 f"tasks a month misrouted; {fee})")
    out = wrapped(text, width, 9)
    if r.get("saves_per_month") is not None:
        b = r["best_single"]
        saves = r["saves_per_month"]
        verdict = f"routing saves {money(saves, cur)} a month" if saves >= 0 else \
            f"routing costs {money(-saves, cur)} a month more"
        out += wrapped(f"         routed: {money(r['routed_monthly_cost'], cur)}/month against the best single "
                       f"option {b['option']} at {money(b['monthly_cost'], cur)}/month: {verdict}", width, 9)
    return out


def _more(eligible: int, rest: list) -> str:
    """What the screen leaves out, and how to see it."""
    if not eligible and not rest:
        return ""
    parts = []
    if eligible:
        parts.append(f"{eligible} more eligible option{'s' if eligible != 1 else ''}")
    words = {"ineligible": "not eligible", "unpriced": "unpriced"}
    kinds: dict[str, int] = {}
    for o in rest:
        kinds[words.get(o.status, o.status)] = kinds.get(words.get(o.status, o.status), 0) + 1
    parts += [f"{n} {k}" for k, n in sorted(kinds.items())]
    return "+ " + ", ".join(parts) + ": --all lists them with the reasons; --format json has every option."
