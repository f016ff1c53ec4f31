"""Results as pandas DataFrames for notebooks (pandas is imported only here).

``df.attrs`` stays small (``version``, ``kind``, ``currency``): pandas copies it on every
operation. The typed result comes from the ``*_result`` functions of :mod:`aicost`.
"""

from __future__ import annotations

from typing import Any

from aicost.report.explain import reason
from aicost.results.base import RESULT_VERSION
from aicost.results.compare import METRICS

#: The columns of ``aicost.compare()``, in order (stable: documented in README "From Python").
COMPARE_COLUMNS = ("scenario", "file", "rank", "option", "provider", "model", "tier", "caching", "eligible",
                   "status", "reason", *METRICS, "latency_lower_bound")


def frame(rows: list[dict[str, Any]], kind: str, currency: str | None = None, columns=None) -> Any:
    import pandas as pd

    df = pd.DataFrame(rows, columns=list(columns) if columns else None)
    df.attrs.update({"version": RESULT_VERSION, "kind": kind, **({"currency": currency} if currency else {})})
    return df


def to_frame(result: Any) -> Any:
    """``aicost compare``: one row per scenario and option, ranked."""
    rows = []
    for s in result.scenarios:
        for o in s.options:
            row = {"scenario": s.name, "file": s.file, "rank": o.rank, "option": o.id, "provider": o.provider,
                   "model": o.model, "tier": o.tier, "caching": o.caching, "eligible": o.eligible,
                   "status": o.status, "reason": reason(o)}
            row.update({k: o.metrics.get(k) for k in METRICS})
            row["latency_lower_bound"] = o.latency_lower_bound
            rows.append(row)
    df = frame(rows, "compare", result.currency, COMPARE_COLUMNS)
    for k in METRICS:
        df[k] = df[k].astype("float64")
    return df
