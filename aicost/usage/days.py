"""Timestamps (ISO 8601 text, dates, datetimes, Unix seconds or milliseconds) to day numbers, UTC."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aicost.usage.cells import _numbers


DAY_NS = 86_400 * 10**9


def _days(s: pd.Series, unit: str | None) -> np.ndarray:
    """Days since 1970-01-01 (UTC) for each value; NaN where it is not a date."""
    if unit in ("s", "ms"):
        v = _numbers(s)
        return np.floor(v / (86_400 if unit == "s" else 86_400_000))
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        t = s.dt.tz_convert("UTC") if s.dt.tz is not None else s
        ns = t.to_numpy(dtype="datetime64[ns]").astype("int64").astype(float)
        ns[t.isna().to_numpy()] = np.nan
        return np.floor(ns / DAY_NS)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return np.full(len(s), np.nan)
    fast = _days_arrow(s)
    if fast is not None:
        return fast
    text = s.astype("string")
    short = text.str.len() == 10
    out = np.full(len(s), np.nan)
    if short.all():  # plain dates: the fast path
        d = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        ok = d.notna().to_numpy()
        out[ok] = d[ok].to_numpy(dtype="datetime64[D]").astype("int64")
        return out
    t = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
    ok = t.notna().to_numpy()
    out[ok] = np.floor(t[ok].to_numpy(dtype="datetime64[ns]").astype("int64") / DAY_NS)
    if (~ok & text.notna().to_numpy()).any():  # mixed forms in one chunk: one value at a time
        for i in np.flatnonzero(~ok & text.notna().to_numpy()):
            try:
                v = pd.Timestamp(str(text.iloc[i]))
                v = v.tz_convert("UTC") if v.tzinfo else v
                out[i] = np.floor(v.value / DAY_NS)
            except (ValueError, TypeError):
                pass
    return out


def _days_arrow(s: pd.Series) -> np.ndarray | None:
    """The common cases in C++: every value an ISO 8601 time with a zone (Z or an offset), or
    every value a plain date or time without one (taken as UTC); None otherwise."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(s.dtype, pd.CategoricalDtype):
        return None
    try:
        a = pa.array(s.array) if isinstance(s.dtype, pd.StringDtype) else pa.array(s, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return None
    if not (pa.types.is_string(a.type) or pa.types.is_large_string(a.type)) or a.null_count:
        return None
    for target in (pa.timestamp("ns", tz="UTC"), pa.timestamp("ns")):
        try:
            t = pc.cast(a, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        ns = t.cast(pa.int64()).to_numpy(zero_copy_only=False)
        return (ns // DAY_NS).astype(float)
    return None
