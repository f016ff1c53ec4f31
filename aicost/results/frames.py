"""The result as a pandas DataFrame (pandas is imported only here)."""

from __future__ import annotations

from aicost.results.compare import METRICS


def to_frame(result):
    import pandas as pd

    rows = []
    for s in result.scenarios:
        for o in s.options:
            row = {"scenario": s.name, "file": s.file, "rank": o.rank, "option": o.id, "provider": o.provider,
                   "model": o.model, "tier": o.tier, "caching": o.caching, "eligible": o.eligible,
                   "status": o.status, "reason": o.reason}
            row.update({k: o.metrics.get(k) for k in METRICS})
            rows.append(row)
    df = pd.DataFrame(rows)
    for k in METRICS:
        if k in df:
            df[k] = df[k].astype("float64")
    df.attrs["result"] = result.to_dict()
    df.attrs["currency"] = result.currency
    return df
