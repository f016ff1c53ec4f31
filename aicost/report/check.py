"""Views of a budget check: a table for the log and the versioned JSON."""

from __future__ import annotations

from .json import dumps
from .numbers import money, pct
from .table import columns

MARK = {"ok": "ok", "warning": "WARN", "failed": "FAIL", "error": "ERROR"}


def _fig(metric: str | None, x: float | None, currency: str) -> str:
    if x is None or metric is None:
        return "—"
    return pct(x) if metric == "roi" else money(x, currency)


def summary_line(report, code: int) -> str:
    n = report.counts()
    parts = [f"{len(report.checks)} check{'s' if len(report.checks) != 1 else ''}", f"{n['ok']} ok",
             f"{n['warning']} warning{'s' if n['warning'] != 1 else ''}", f"{n['failed']} failed",
             f"{n['error']} error{'s' if n['error'] != 1 else ''}"]
    if report.skipped:
        parts.append(f"{len(report.skipped)} file{'s' if len(report.skipped) != 1 else ''} without a budget")
    return ", ".join(parts) + f" (exit {code})"


def table(report, code: int) -> str:
    """A compact table of the checks, then one line per check that is not ok (``file:line: why``),
    which a log reader or an editor can jump to; never cut to the terminal's width."""
    cur = report.currency
    rows, details = [], []
    for c in report.checks:
        place = c.file if c.line is None else f"{c.file}:{c.line}"
        if c.status == "error":
            details.append(f"{MARK[c.status]:<5}  {c.message}")
            continue
        judged = f"{c.option} ({c.chosen})" if c.option else f"({c.chosen})"
        limit = ("≤ " if c.kind == "max" else "≥ ") + _fig(c.metric, c.limit, cur)
        rows.append((MARK[c.status], c.scenario, c.budget + (f" P{c.percentile}" if c.percentile else ""),
                     _fig(c.metric, c.actual, cur), limit, judged))
        if c.status != "ok":
            details.append(f"{MARK[c.status]:<5}  {place}: {c.scenario}: {c.message}")
    out = []
    if rows:
        out += columns(("status", "scenario", "budget", "actual", "limit", "option judged"), rows,
                       [False, False, False, True, True, False])
    if details:
        out += ([""] if rows else []) + details
    for file, why in report.skipped:
        out.append(f"skipped {file}: {why}")
    out.append(summary_line(report, code))
    return "\n".join(out) + "\n"


def to_json(report, code: int) -> str:
    return dumps({"version": "1", "kind": "check", "currency": report.currency, "exit_code": code,
                  "counts": report.counts(), "checks": [c.to_dict() for c in report.checks],
                  "skipped": [{"file": f, "why": w} for f, w in report.skipped]})
