"""Views of ``aicost diff``: a table for the terminal, Markdown for a pull-request comment, JSON."""

from __future__ import annotations

from typing import Any

from aicost.base.errors import visible
from aicost.report.json import dumps
from aicost.report.markdown import code, esc
from aicost.report.numbers import money

#: The first line of the Markdown view: a CI job finds its earlier comment by it (docs/ci.md).
COMMENT_MARKER = "<!-- aicost-diff -->"
DRIVER_WORDS = {"volume": "volume", "tokens": "tokens per task", "price": "prices", "people": "review and fallback",
                "fixed": "fixed and GPU costs", "attempts": "attempts and tools"}


def _signed(x: float | None, cur: str) -> str:
    if x is None:
        return "—"
    return ("+" if x > 0 else "−" if x < 0 else "±") + money(abs(x), cur)


def _pct(a: float | None, b: float | None) -> str:
    if a is None or b is None or not a:
        return ""
    return f"{(b - a) / abs(a):+.1%}"


def why(s, cur: str) -> str:
    parts = []
    if s.status in ("added", "removed"):
        return "new scenario" if s.status == "added" else "scenario removed"
    if s.option_before != s.option_after:
        parts.append(f"recommendation changed: {s.option_before} → {s.option_after}")
    for d in s.drivers[:3]:
        parts.append(f"{DRIVER_WORDS[d.kind]} {_signed(d.amount, cur)}" + (f" ({d.detail})" if d.detail else ""))
    return "; ".join(parts) or ("no change" if s.status == "unchanged" else "")


def table(result, **_: Any) -> str:
    from aicost.report.table import columns

    cur = result.currency
    t = result.totals()
    head = [f"Cost changes: {visible(result.base)} → {visible(result.head)}",
            f"Total monthly {money(t['monthly_before'], cur)} → {money(t['monthly_after'], cur)}: "
            f"{_signed(t['change'], cur)} {_pct(t['monthly_before'], t['monthly_after'])}".rstrip(), ""]
    rows = [[s.scenario, money(s.monthly_before, cur) if s.monthly_before is not None else "—",
             money(s.monthly_after, cur) if s.monthly_after is not None else "—", _signed(s.change, cur),
             _pct(s.monthly_before, s.monthly_after), why(s, cur)]
            for s in _ordered(result)]
    lines = columns(["scenario", "monthly before", "after", "change", "%", "why"], rows,
                    [False, True, True, True, True, False])
    return "\n".join(head + lines) + "\n"


def markdown(result, **_: Any) -> str:
    cur = result.currency
    t = result.totals()
    out = [COMMENT_MARKER, "## aicost: cost changes", "",
           f"Total monthly cost {money(t['monthly_before'], cur)} → {money(t['monthly_after'], cur)}: "
           f"**{_signed(t['change'], cur)}** {_pct(t['monthly_before'], t['monthly_after'])}".rstrip(), "",
           "| scenario | monthly before | after | change | % | why |", "|---|--:|--:|--:|--:|---|"]
    for s in _ordered(result):
        out.append(f"| {esc(s.scenario)} | {money(s.monthly_before, cur) if s.monthly_before is not None else '—'} | "
                   f"{money(s.monthly_after, cur) if s.monthly_after is not None else '—'} | "
                   f"{_signed(s.change, cur)} | {_pct(s.monthly_before, s.monthly_after)} | {esc(why(s, cur))} |")
    out += ["", f"Base {code(result.base)}, head {code(result.head)}."]
    return "\n".join(out) + "\n"


def to_json(result, **_: Any) -> str:
    return dumps(result.to_dict())


def _ordered(result) -> list:
    """Biggest change first; unchanged scenarios last."""
    return sorted(result.scenarios, key=lambda s: (s.status == "unchanged", -abs(s.change or 0.0), s.scenario))
