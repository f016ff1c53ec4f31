"""Column converters used by the normalising and grouping stages: text, numbers, codes, constants."""

from __future__ import annotations

import numpy as np
import pandas as pd


def text_codes(s: pd.Series) -> tuple[np.ndarray, list | pd.Index]:
    """(codes, distinct values) of a text column; code -1 for an empty cell. Arrow strings are
    dictionary-encoded in C++ (which lets go of the GIL)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy().astype(np.int64), s.cat.categories
    if isinstance(s.dtype, pd.StringDtype) and getattr(s.dtype, "storage", "") == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        d = pa.array(s.array)
        d = d.combine_chunks() if isinstance(d, pa.ChunkedArray) else d
        enc = d.dictionary_encode()
        idx = enc.indices if not enc.indices.null_count else pc.fill_null(enc.indices, -1)
        return idx.to_numpy(zero_copy_only=False), enc.dictionary.to_pylist()
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return codes.astype(np.int64), uniques


def _truth(v) -> int:
    s = str(v).strip().lower()
    return 1 if s in ("true", "1", "yes", "1.0") else (0 if s in ("false", "0", "no", "", "none", "nan", "0.0") else -1)


def _const(value: str | None, n: int) -> pd.Series:
    """One value (or none) on every row, as a text column that costs no memory per row."""
    if value is None:
        return pd.Series(pd.Categorical.from_codes(np.full(n, -1, dtype=np.int8), categories=pd.Index([], dtype=object)))
    return pd.Series(pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=pd.Index([value], dtype=object)))


def _text(s: pd.Series) -> pd.Series:
    """A column of names or tags as text: strings stay as they are (no copy); numbers and other
    values become their text (42, not 42.0, for a whole number read as a float)."""
    if isinstance(s.dtype, pd.StringDtype):
        return s
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = s.cat.categories
        if all(isinstance(x, str) for x in cats):
            return s
        codes, labels = s.cat.codes.to_numpy(), [_label(x) for x in cats]
    else:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        labels = [_label(x) for x in uniques]
    if len(set(labels)) != len(labels):  # 1 and "1" in one column: one label
        uniq = sorted(set(labels))
        remap = np.array([uniq.index(x) for x in labels] + [-1], dtype=np.int64)
        codes, labels = remap[codes], uniq
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(labels, dtype=object)))


def _label(x) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


def _numbers(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype(float).to_numpy()
    if pd.api.types.is_integer_dtype(s.dtype) and not isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
        return s.to_numpy()  # whole numbers, none missing: as they are (no copy)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(s.astype("string").str.strip(), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _show(v) -> str:
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return str(int(v))
    return repr(v) if not isinstance(v, str) else repr(v[:60])


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))
