"""Read usage logs in bounded memory: CSV, JSON Lines or Parquet, one chunk at a time, and
normalise each chunk to aicost's usage columns (with every bad cell found and named)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .layouts import COUNTS, TIER_WORDS, Layout

CHUNK_ROWS = 1_000_000
CSV_BLOCK_BYTES = 96 << 20


def kind_of(path: Path) -> str:
    s = path.name.lower()
    for ext, kind in ((".parquet", "parquet"), (".pq", "parquet"), (".jsonl", "jsonl"), (".ndjson", "jsonl"),
                      (".json", "json"), (".csv", "csv"), (".csv.gz", "csv"), (".tsv", "csv")):
        if s.endswith(ext):
            return kind
    return "csv"


def files_of(path: Path) -> list[Path]:
    """A file, or the partitions in a directory (Parquet, CSV or JSON Lines), in name order."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))
                       and kind_of(p) in ("parquet", "csv", "jsonl") and p.suffix.lower() in
                       (".parquet", ".pq", ".csv", ".gz", ".jsonl", ".ndjson", ".tsv"))
        if not found:
            raise InputError(Problem(str(path), None, "", "no usage files (.csv, .jsonl, .parquet) in this directory"))
        return found
    if not path.exists():
        raise InputError(Problem(str(path), None, "", "no such file"))
    return [path]


def raw_chunks(path: Path, layout: Layout, chunk_rows: int = CHUNK_ROWS, careful: bool = False) -> Iterator[tuple[pd.DataFrame, int, int | None, int]]:
    """(raw frame, first data row, line offset, bytes read so far) for each chunk of one file."""
    kind = kind_of(path)
    if layout.nested or kind == "json":
        yield _nested(path, layout), 1, None, path.stat().st_size
        return
    if kind == "parquet":
        import pyarrow.parquet as pq

        try:
            pf = pq.ParquetFile(path)
        except Exception as exc:
            raise InputError(Problem(str(path), None, "", f"not a readable Parquet file: {exc}")) from None
        row, total, size = 1, max(pf.metadata.num_rows, 1), path.stat().st_size
        for batch in pf.iter_batches(batch_size=chunk_rows):
            row += batch.num_rows
            yield batch.to_pandas(), row - batch.num_rows, None, int(size * (row - 1) / total)
        return
    if kind == "jsonl":
        row = 1
        try:
            reader = pd.read_json(path, lines=True, chunksize=chunk_rows, dtype=False)
            with reader:
                for df in reader:
                    yield df, row, 0, 0  # (no byte position from this reader: the bar moves per file)
                    row += len(df)
        except ValueError as exc:
            raise InputError(Problem(str(path), None, "", f"not valid JSON Lines: {exc}")) from None
        return
    yield from _csv_chunks(path, layout, chunk_rows, careful)


def _csv_chunks(path: Path, layout: Layout, chunk_rows: int, careful: bool = False):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    numeric = [layout.columns[k] for k in (*COUNTS, "billed_cost") if k in layout.columns]
    numeric += list(layout.subtract.values())
    opts = dict(
        read_options=pacsv.ReadOptions(block_size=8 << 20, use_threads=True),
        parse_options=pacsv.ParseOptions(delimiter="\t" if path.suffix == ".tsv" else ","),
    )
    try:
        header = pacsv.open_csv(path, **opts).schema.names
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(Problem(str(path), 1, "", f"not a readable CSV file: {exc}")) from None
    # text stays text ("007" is a tag, not 7); names and tags arrive dictionary-encoded (categorical)
    ts_col = layout.columns.get("timestamp")
    types = {c: (pa.string() if careful or c == ts_col else pa.dictionary(pa.int32(), pa.string()))
             for c in header if c not in numeric}
    types.update({c: (pa.string() if careful else pa.float64()) for c in numeric if c in header})
    convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=True)
    row = 1
    try:
        if _quote_free(path):
            pieces = _segments(path, pacsv, pa, opts, convert, chunk_rows)
        else:
            pieces = _streamed(path, pacsv, pa, opts, convert, chunk_rows)
        for table, pos in pieces:
            yield table.to_pandas(), row, 1, pos
            row += table.num_rows
    except pa.ArrowInvalid as exc:
        if careful or "conversion error" not in str(exc):
            raise InputError(Problem(str(path), None, "", f"cannot read this CSV: {exc}")) from None
        raise Restart() from None  # a cell is not a number: the caller reads the file again as text


def THREADED(pacsv):
    return pacsv.ReadOptions(block_size=1 << 20, use_threads=True)  # small blocks: parsed on every core


def _quote_free(path: Path) -> bool:
    """No double quote in the first 1 MB: rows cannot hold quoted line breaks, so the file can be
    cut at line ends and each piece parsed on all cores."""
    with open(path, "rb") as fh:
        return b'"' not in fh.read(1 << 20)


def _segments(path, pacsv, pa, opts, convert, chunk_rows):
    """Pieces of about CSV_BLOCK_BYTES cut at line ends, each parsed on every core (no copies
    beyond joining a piece's start to the previous piece's unfinished line)."""
    with open(path, "rb") as fh:
        header = fh.readline()
        names = pacsv.read_csv(pa.BufferReader(header + b"\n"), parse_options=opts["parse_options"]).schema.names
        sample = fh.read(1 << 20)
        per_row = max(1, len(sample) // max(1, sample.count(b"\n")))
        size = max(1 << 16, min(CSV_BLOCK_BYTES, chunk_rows * per_row))
        fh.seek(len(header))
        read_opts = pacsv.ReadOptions(column_names=names, block_size=1 << 20, use_threads=True)
        rest = b""
        while True:
            block = fh.read(size)
            data = rest + block if rest else block
            if not data:
                return
            cut = data.rfind(b"\n") + 1 if block else len(data)
            if cut == 0:
                rest = data
                continue
            view = memoryview(data)[:cut]
            if data.find(b'"', 0, cut) >= 0:  # a quote after all: the rest goes through the streaming reader
                yield from _streamed_bytes(header + bytes(view) + data[cut:] + fh.read(), pacsv, pa, opts, convert,
                                           fh.tell())
                return
            table = pacsv.read_csv(pa.BufferReader(pa.py_buffer(view)), read_options=read_opts,
                                   parse_options=opts["parse_options"], convert_options=convert)
            rest = data[cut:]
            yield table, fh.tell() - len(rest)
            if not block:
                return


def _streamed(path, pacsv, pa, opts, convert, chunk_rows):
    with open(path, "rb") as fh:
        yield from _streamed_file(fh, pacsv, pa, opts, convert, chunk_rows)


def _streamed_bytes(data: bytes, pacsv, pa, opts, convert, end_pos):
    for table, _ in _streamed_file(pa.BufferReader(data), pacsv, pa, opts, convert, CHUNK_ROWS):
        yield table, end_pos


def _streamed_file(fh, pacsv, pa, opts, convert, chunk_rows):
    reader = pacsv.open_csv(fh, convert_options=convert, **opts)
    pending: list = []
    n = 0
    for batch in reader:
        pending.append(batch)
        n += batch.num_rows
        if n >= chunk_rows:
            yield pa.Table.from_batches(pending), fh.tell()
            pending, n = [], 0
    if pending:
        yield pa.Table.from_batches(pending), fh.tell()


class Restart(Exception):
    """A file must be read again in careful mode (all numbers as text, to name every bad cell)."""


def _nested(path: Path, layout: Layout) -> pd.DataFrame:
    """Provider usage-API pages (JSON or JSON Lines of pages/buckets/results) as one flat frame."""
    text = path.read_text(encoding="utf-8", errors="replace")
    docs = []
    try:
        stripped = text.lstrip()
        if stripped.startswith("[") or (stripped.startswith("{") and "\n{" not in stripped.strip()):
            docs = [json.loads(text)]
        else:
            docs = [json.loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise InputError(Problem(str(path), exc.lineno, "", f"not valid JSON: {exc.msg}")) from None
    rows = []

    def walk(d, bucket_time=None):
        if isinstance(d, list):
            for x in d:
                walk(x, bucket_time)
        elif isinstance(d, dict):
            if "data" in d and isinstance(d["data"], list):
                walk(d["data"], bucket_time)
            elif "results" in d and isinstance(d["results"], list):
                t = d.get(layout.bucket_time) if layout.bucket_time else None
                for r in d["results"]:
                    rows.append({**r, **({layout.bucket_time: t} if t is not None else {})})
            else:
                rows.append(d)

    for d in docs:
        walk(d)
    if not rows:
        return pd.DataFrame()
    return pd.json_normalize(rows, sep=".")


# ---- normalising ---------------------------------------------------------------------------

def normalise(raw: pd.DataFrame, layout: Layout, tag_keys: list[str]) -> tuple[pd.DataFrame, list, np.ndarray]:
    """aicost columns from a raw chunk: (frame, problems, valid mask)."""
    n = len(raw)
    problems: list[tuple[int, str, str]] = []
    bad = np.zeros(n, dtype=bool)
    out: dict[str, object] = {}

    def flag(mask: np.ndarray, column: str, message) -> None:
        nonlocal bad
        idx = np.flatnonzero(mask & ~bad)
        for i in idx[:1000]:  # the first thousand per column and chunk are named; all are counted
            problems.append((int(i), column, message(i) if callable(message) else message))
        if len(idx) > 1000:
            problems.append((int(idx[1000]), column, f"... and {len(idx) - 1000} more rows like this"))
        bad = bad | mask

    missing = [src for k, src in layout.columns.items() if k in ("timestamp", "model") and src not in raw.columns]
    if missing and n:
        raise InputError(Problem("", None, "", f"no column {missing[0]!r} in the log (layout {layout.name}; "
                                 f"columns: {', '.join(map(str, raw.columns[:20]))})"))
    # timestamp -> day number
    src = layout.columns.get("timestamp")
    ts = raw[src] if src in raw.columns else pd.Series([None] * n)
    day = _days(ts, layout.time_unit)
    flag(np.isnan(day), src or "timestamp",
         lambda i: f"not a date or ISO 8601 time: {_show(ts.iloc[i])}")
    out["day"] = np.nan_to_num(day).astype(np.int64)
    # text columns
    for k in ("provider", "model", "tier"):
        if k in layout.values:
            out[k] = pd.Categorical([str(layout.values[k])] * n) if n else pd.Categorical([])
        elif layout.columns.get(k) in raw.columns:
            out[k] = _text(raw[layout.columns[k]])
        else:
            out[k] = pd.Categorical([None] * n) if n else pd.Categorical([])
    model = out["model"]
    flag(pd.isna(model), layout.columns.get("model", "model"), "no model named")
    tier = out["tier"]
    known = ["standard", "batch", "flex", "priority"]
    words = [TIER_WORDS.get(str(c).strip().lower()) for c in tier.categories]
    # a code per category (-2: not a tier); the extra last entry is what an empty cell (code -1) becomes
    lut = np.array([known.index(w) if w else -2 for w in words] + [0], dtype=np.int64)
    codes = lut[tier.codes]
    if layout.batch_flag and layout.batch_flag in raw.columns:
        codes = np.where(raw[layout.batch_flag].fillna(False).astype(bool).to_numpy(), 1, codes)
    flag(codes == -2, layout.columns.get("tier", "tier"),
         lambda i: f"unknown tier {_show(tier[i])} (expected standard, batch, flex or priority)")
    out["tier"] = pd.Categorical.from_codes(np.maximum(codes, 0), categories=known)
    # counts
    for k in (*COUNTS, "billed_cost"):
        s = layout.columns.get(k)
        if k in layout.values:
            out[k] = np.full(n, float(layout.values[k]))
            continue
        if s is None or s not in raw.columns:
            out[k] = np.full(n, np.nan) if k == "billed_cost" else (np.ones(n) if k == "requests" else np.zeros(n))
            continue
        col = raw[s]
        v = _numbers(col)
        given = col.notna().to_numpy()
        flag(given & np.isnan(v), s, lambda i, col=col: f"not a number: {_show(col.iloc[i])}")
        if k != "billed_cost":
            flag(v < 0, s, lambda i, v=v: f"negative ({_num(v[i])})")
            v = np.nan_to_num(v)
            if k == "requests":
                v = np.where(given, v, 1.0)
        out[k] = v
    for k, s in layout.subtract.items():
        if s in raw.columns:
            part = np.nan_to_num(_numbers(raw[s]))
            over = part > out[k] + 0.5
            flag(over, s, lambda i: f"more than the {layout.columns[k]} it is part of")
            out[k] = np.maximum(out[k] - part, 0.0)
    # long context: stated per row (Anthropic's context_window) or left to the pricing step
    if layout.lc_column and layout.lc_column in raw.columns:
        out["long_context"] = (raw[layout.lc_column].astype(str) == layout.lc_value).to_numpy().astype(np.int8)
    elif "long_context" in layout.columns and layout.columns["long_context"] in raw.columns:
        lc = raw[layout.columns["long_context"]]
        out["long_context"] = lc.map(lambda x: 1 if str(x).strip().lower() in ("true", "1", "yes") else (
            0 if str(x).strip().lower() in ("false", "0", "no", "", "none", "nan") else -1)).to_numpy().astype(np.int8)
    elif layout.lc_column:  # buckets without the context window: no request counts to infer it from
        out["long_context"] = np.zeros(n, dtype=np.int8)
    else:
        out["long_context"] = np.full(n, -1, dtype=np.int8)  # unknown: inferred from prompt size per request
    # tags
    tags = _tags(raw, layout, tag_keys)
    for key in tag_keys:
        out[f"tag.{key}"] = tags.get(key, pd.Categorical([None] * n) if n else pd.Categorical([]))
    frame = pd.DataFrame(out)
    return frame, problems, ~bad


def _tags(raw: pd.DataFrame, layout: Layout, keys: list[str]) -> dict[str, pd.Categorical]:
    tags: dict[str, pd.Categorical] = {}
    for key in keys:
        src = layout.tags.get(key)
        if src is None and layout.all_tags:
            src = key
        if src is not None and src in raw.columns:
            tags[key] = _text(raw[src])
    if layout.tag_list and layout.tag_list in raw.columns and any(k not in tags for k in keys):
        col = _text(raw[layout.tag_list])  # parse each distinct tag list once
        parsed = [_tag_pairs(c) for c in col.categories]
        codes = col.codes
        for key in keys:
            if key not in tags:
                vals = np.array([d.get(key) for d in parsed] + [None], dtype=object)
                tags[key] = pd.Categorical(vals[np.where(codes >= 0, codes, len(parsed))])
    return tags


def _tag_pairs(v) -> dict:
    """LiteLLM request_tags: a JSON list such as ["team:search", "feature:rerank"]."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return {}
    items = v
    if isinstance(v, str):
        try:
            items = json.loads(v)
        except json.JSONDecodeError:
            items = [v]
    if isinstance(items, dict):
        return {str(k): str(x) for k, x in items.items()}
    out = {}
    for it in items if isinstance(items, (list, tuple, np.ndarray)) else []:
        k, sep, x = str(it).partition(":")
        if not sep:
            k, sep, x = str(it).partition("=")
        if sep:
            out[k.strip()] = x.strip()
    return out


def _text(s: pd.Series) -> pd.Categorical:
    """A text column as a categorical of strings (names and tags have few distinct values)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        c = s.array
        if not all(isinstance(x, str) for x in c.categories):
            c = pd.Categorical.from_codes(c.codes, categories=pd.Index([str(x) for x in c.categories]).unique()) \
                if len({str(x) for x in c.categories}) == len(c.categories) else pd.Categorical(c.astype(str))
        return c
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    cats = [str(x) for x in uniques]
    if len(set(cats)) != len(cats):  # 1 and "1" in one column: join them
        return pd.Categorical(np.array(cats + [None], dtype=object)[np.where(codes >= 0, codes, len(cats))])
    return pd.Categorical.from_codes(codes, categories=pd.Index(cats, dtype=object))


def _numbers(s: pd.Series) -> np.ndarray:
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype(float).to_numpy()
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.to_numpy(dtype=float, na_value=np.nan)
    return pd.to_numeric(s.astype("string").str.strip(), errors="coerce").to_numpy(dtype=float, na_value=np.nan)


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
    """The common case in C++: every value a date or a UTC time ('...Z'); None otherwise."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        a = pa.array(s.array) if not isinstance(s.dtype, pd.CategoricalDtype) else None
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        return None
    if a is None or not pa.types.is_string(a.type) and not pa.types.is_large_string(a.type):
        return None
    if a.null_count:
        return None
    n = pc.utf8_length(a)
    utc = pc.or_(pc.equal(n, 10), pc.and_(pc.ends_with(a, "Z"), pc.greater_equal(n, 17)))
    if not pc.all(utc).as_py():
        return None
    try:
        d = pc.cast(pc.utf8_slice_codeunits(a, 0, 10), pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # a bad date: the slow path names it
    if len(a) and not pc.all(pc.equal(n, 10)).as_py():  # times must also be well formed
        try:
            pc.cast(a, pa.timestamp("s", tz="UTC"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
    return d.to_numpy(zero_copy_only=False).astype("datetime64[D]").astype(np.int64).astype(float)


def _show(v) -> str:
    s = repr(v) if not isinstance(v, str) else repr(v[:60])
    return s


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))
