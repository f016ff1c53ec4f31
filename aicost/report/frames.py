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


def frame(rows: Any, kind: str, currency: str | None = None, columns=None, **attrs: Any) -> Any:
    """A DataFrame of ``rows`` (records, a dict of columns, or a DataFrame), its attrs set: the one
    place they are."""
    import pandas as pd

    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows, columns=list(columns) if columns else None)
    df.attrs.update({"version": RESULT_VERSION, "kind": kind, **({"currency": currency} if currency else {}),
                     **attrs})
    return df


#: The columns of ``aicost.gpu()``.
GPU_COLUMNS = ("rank", "option", "model", "gpu", "gpus_per_replica", "provider", "pricing", "scaling", "precision",
               "per_gpu_hour", "cost_per_mtok_output", "replicas", "utilisation", "monthly_cost", "cost_per_success",
               "basis", "breakeven_vs_best", "breakeven_vs_batch", "breakeven_vs_flex", "status", "reason")


def gpu_frame(result: Any) -> Any:
    """``aicost gpu``: one row per GPU option; numbers as floats (NaN where none), the reason apart."""
    rows = []
    for e in result.options:
        o, g, m, be = e.option, e.option.gpu, e.option.metrics, e.breakeven
        rows.append({
            "rank": o.rank, "option": o.id, "model": o.model, "gpu": g["gpu"], "gpus_per_replica": g["gpus_per_replica"],
            "provider": o.provider, "pricing": o.tier, "scaling": g["scaling"], "precision": g["precision"],
            "per_gpu_hour": g["per_gpu_hour"], "cost_per_mtok_output": g["cost_per_mtok_output"],
            "replicas": g["replicas"], "utilisation": g["utilisation"], "monthly_cost": m["monthly_cost"],
            "cost_per_success": m["cost_per_success"],
            "basis": "estimated" if g["estimated"] else "measured",
            **{f"breakeven_vs_{k}": (be.get(k) or {}).get("tasks_per_month") for k in ("best", "batch", "flex")},
            "status": o.status, "reason": reason(o)})
    df = frame(rows, "gpu", result.currency, GPU_COLUMNS)
    for k in GPU_COLUMNS[9:15] + GPU_COLUMNS[16:19]:
        df[k] = df[k].astype("float64")
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
