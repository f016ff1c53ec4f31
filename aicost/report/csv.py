"""One CSV row per scenario and option: every metric of the JSON result, wide."""

from __future__ import annotations

from typing import Any

from aicost.results.compare import METRICS
from aicost.report.csvsafe import write_rows
from aicost.report.explain import reason

COLUMNS = ("scenario", "file", "rank", "option", "provider", "model", "tier", "caching", "status", "reason",
           *METRICS, "latency_lower_bound", "currency")


def render(result, raw: bool = False, **_: Any) -> str:
    rows = []
    for s in result.scenarios:
        for o in s.options:
            rows.append([s.name, s.file, o.rank, o.id, o.provider, o.model, o.tier, o.caching, o.status,
                         reason(o), *(o.metrics.get(k) for k in METRICS), o.latency_lower_bound,
                         result.currency])
    return write_rows(COLUMNS, rows, raw=raw)
