"""Renderers for row-shaped results (price listings, diffs): table, json, csv, markdown."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Sequence

from aicost.report.csvsafe import write_rows

FORMATS = ("table", "json", "csv", "markdown")


def _text(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v != v.to_integral_value() else str(int(v))
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, bool):
        return "yes" if v else "no"
    return str(v)


def plain(v: Any) -> Any:
    """JSON-ready: Decimal to float (exact for price tables' short decimals), dates to ISO text."""
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    return v


def render(rows: list[dict], fmt: str, columns: Sequence[str] | None = None, kind: str = "rows",
           right: Sequence[str] = (), raw: bool = False, extra: dict | None = None) -> str:
    columns = list(columns or (rows[0].keys() if rows else []))
    if fmt == "json":
        from aicost.report.json import dumps
        from aicost.results.base import envelope

        return dumps(envelope(kind, {**plain(extra or {}), "rows": [plain(r) for r in rows]}))
    if fmt == "csv":
        return write_rows(columns, ([r.get(c) for c in columns] for r in rows), raw=raw)
    if fmt == "markdown":
        from aicost.report.markdown import esc

        out = ["| " + " | ".join(columns) + " |",
               "|" + "|".join("--:" if c in right else "---" for c in columns) + "|"]
        out += ["| " + " | ".join(esc(_text(r.get(c))) for c in columns) + " |" for r in rows]
        return "\n".join(out) + "\n"
    from aicost.report.table import columns as layout

    lines = layout(columns, [[_text(r.get(c)) for c in columns] for r in rows], [c in right for c in columns])
    return "\n".join(lines) + "\n"


def render_result(result: Any, fmt: str, raw: bool = False, **_: Any) -> str:
    """A row-shaped result (``rows``, ``columns``, ``right``, ``extra()``) in one of FORMATS."""
    columns = None if fmt in ("json", "csv") and getattr(result, "wide_files", False) else result.columns
    return render(result.rows, fmt, columns, kind=result.kind, right=result.right, raw=raw, extra=result.extra())
