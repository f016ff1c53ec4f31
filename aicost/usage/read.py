"""Read usage logs in bounded memory: CSV, JSON Lines or Parquet, one chunk at a time, and
normalise each chunk to aicost's usage columns (with every bad cell found and named)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from aicost.base.errors import InputError, Problem
from aicost.base.constants import TIERS
from aicost.usage.layouts import COUNTS, TIER_WORDS, Layout

CHUNK_ROWS = 1_000_000
PIECE_BYTES = 16 << 20  # a CSV piece: about 250k rows of a typical log


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


@dataclass
class Chunk:
    """A piece of one usage file: CSV bytes still to parse (on a worker thread), or a frame
    already read. ``first`` is the piece's first data row (1-based) when known; CSV pieces
    learn it from the pieces before them."""

    data: tuple | None = None  # CSV: buffers that together hold a header line and whole rows
    frame: pd.DataFrame | None = None
    batch: object = None  # a pyarrow RecordBatch (Parquet)
    first: int | None = None
    line_offset: int | None = 1  # line = row + offset (CSV: the header is line 1)
    pos: int = 0  # bytes of the file read so far (for the progress bar)


class Reread(Exception):
    """The fast reader met something only the general one reads (JSON Lines whose values change
    type between blocks): the file is read again from the start with ``general=True``."""


def chunks(path: Path, layout: Layout, chunk_rows: int = CHUNK_ROWS, general: bool = False) -> Iterator[Chunk]:
    """The pieces of one file, in order, each small enough to hold (about ``chunk_rows`` rows)."""
    kind = kind_of(path)
    if layout.nested or kind == "json":
        yield Chunk(frame=_nested(path, layout), first=1, line_offset=None, pos=path.stat().st_size)
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
            yield Chunk(batch=batch, first=row - batch.num_rows, line_offset=None,
                        pos=int(size * (row - 1) / total))
        return
    if kind == "jsonl" and not general:
        yield from _jsonl_arrow(path, layout, chunk_rows)
        return
    if kind == "jsonl":
        row = 1
        try:
            reader = pd.read_json(path, lines=True, chunksize=chunk_rows, dtype=False)
            with reader:
                for df in reader:
                    yield Chunk(frame=df, first=row, line_offset=0, pos=0)  # (the bar moves per file)
                    row += len(df)
        except ValueError as exc:
            raise InputError(Problem(str(path), None, "", f"not valid JSON Lines: {exc}")) from None
        return
    if path.suffix.lower() == ".gz":
        yield from _quoted_csv(path, chunk_rows)
        return
    yield from _csv_pieces(path, chunk_rows)


def _jsonl_arrow(path: Path, layout: Layout, chunk_rows: int) -> Iterator[Chunk]:
    """JSON Lines through Arrow's block reader (parsed on every core); the time column is kept
    as text so that zones are read the same way as in CSV."""
    import pyarrow as pa
    import pyarrow.json as pj

    ts = layout.columns.get("timestamp")
    schema = pa.schema([(ts, pa.string())]) if ts and layout.time_unit is None else None
    opts = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="infer")
    size = path.stat().st_size
    with open(path, "rb") as fh:
        block = _piece_size(fh.read(1 << 20), chunk_rows, 1 << 16)
    row, done = 1, 0
    try:
        reader = pj.open_json(path, read_options=pj.ReadOptions(block_size=block), parse_options=opts)
        for batch in reader:
            done += batch.nbytes
            yield Chunk(batch=batch, first=row, line_offset=0, pos=min(size, done))
            row += batch.num_rows
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
        if "JSON parse error" in str(exc) and "changed from" not in str(exc) and row == 1:
            raise InputError(Problem(str(path), None, "", f"not valid JSON Lines: {exc}")) from None
        raise Reread() from None


def _piece_size(sample: bytes, chunk_rows: int, smallest: int) -> int:
    """Bytes for a piece of about ``chunk_rows`` rows, judged from a sample of the file."""
    per_row = max(1, len(sample) // max(1, sample.count(b"\n")))
    return max(smallest, min(PIECE_BYTES, chunk_rows * per_row))


def _csv_pieces(path: Path, chunk_rows: int) -> Iterator[Chunk]:
    """Pieces of about ``chunk_rows`` rows (at most PIECE_BYTES) cut at line ends, each with the
    header line in front so that it parses on its own (no copy: a piece is the header, the end
    of the line the previous piece cut, and a view of one block). Cutting at line ends is safe
    only without quotes (a quoted field may hold a line break): a quote in the first MB sends
    the file, and a quote met later the rest of it, to the quote-aware reader."""
    with open(path, "rb") as fh:
        header = fh.readline()
        if not header.strip():
            raise InputError(Problem(str(path), 1, "", "empty file: expected a header line with column names"))
        sample = fh.read(1 << 20)
        if b'"' in header or b'"' in sample:
            yield from _quoted_csv(path, chunk_rows)
            return
        size = _piece_size(sample, chunk_rows, 1 << 12)
        fh.seek(len(header))
        rest = b""
        while True:
            block = fh.read(size)
            if not block:
                if rest:
                    yield Chunk(data=(header, rest), pos=fh.tell())
                return
            cut = block.rfind(b"\n") + 1
            if cut == 0:  # no line end in the whole block: a very long line, keep reading
                rest += block
                continue
            if b'"' in rest or block.find(b'"', 0, cut) >= 0:
                tail = header + rest + block + fh.read()
                yield from _quoted_csv(tail, chunk_rows, name=str(path), size=fh.tell())
                return
            view = memoryview(block)
            yield Chunk(data=(header, rest, view[:cut]), pos=fh.tell() - (len(block) - cut))
            rest = bytes(view[cut:])


class _Parts(io.RawIOBase):
    """A file over a few buffers, read in place (pandas' C reader copies in small blocks)."""

    def __init__(self, parts):
        self.parts = [memoryview(p) for p in parts if len(p)]
        self.i = 0
        self.off = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        while self.i < len(self.parts):
            p = self.parts[self.i]
            if self.off < len(p):
                n = min(len(b), len(p) - self.off)
                b[:n] = p[self.off:self.off + n]
                self.off += n
                return n
            self.i += 1
            self.off = 0
        return 0


def _quoted_csv(src, chunk_rows: int, name: str | None = None, size: int | None = None) -> Iterator[Chunk]:
    """CSV that may hold quoted line breaks (or is compressed): pandas' streaming reader, text
    columns kept as text."""
    handle = io.BytesIO(src) if isinstance(src, bytes) else src
    try:
        reader = pd.read_csv(handle, chunksize=chunk_rows, dtype=object, sep="\t" if str(name or src).endswith(".tsv") else ",")
        with reader:
            for df in reader:
                yield Chunk(frame=df, pos=size or 0)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(Problem(str(name or src), None, "", f"cannot read this CSV: {exc}")) from None


def parse(chunk: Chunk, text_columns: set[str], name: str,
          wanted: tuple[set[str], set[str]] | None = None) -> pd.DataFrame:
    """The rows of a chunk as a frame. CSV pieces are parsed by pandas' C reader (which lets go
    of the GIL, so pieces parse side by side); a column that should be text but came out as
    numbers ("007" would become 7) makes the piece parse again with that column as text."""
    if chunk.frame is not None:
        return chunk.frame
    if chunk.batch is not None:
        return chunk.batch.to_pandas()
    if not chunk.data:
        return pd.DataFrame()
    sep = "\t" if name.endswith(".tsv") else ","
    dtype = {c: object for c in text_columns} if text_columns else None
    usecols = None
    if wanted is not None:  # the piece's header line holds no quotes (see _csv_pieces)
        first = bytes(chunk.data[0])
        header = first[:first.find(b"\n")].decode("utf-8", "replace").rstrip("\r").split(sep)
        use, required = wanted
        usecols = [c for c in header if c in use] or None
        if usecols is not None and (len(usecols) == len(header) or not required <= set(usecols)):
            usecols = None
    try:
        df = pd.read_csv(_Parts(chunk.data), sep=sep, dtype=dtype, usecols=usecols)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputError(Problem(name, None, "", f"cannot read this CSV: {exc}")) from None
    return df


def numeric_text(df: pd.DataFrame, layout: Layout, tag_keys: list[str]) -> set[str]:
    """Text columns (names, tiers, tags) that pandas read as numbers or booleans."""
    wanted = {layout.columns.get(k) for k in ("provider", "model", "tier")}
    wanted |= {layout.tag_source(k) for k in tag_keys}
    if layout.tag_list:
        wanted.add(layout.tag_list)
    out = set()
    for c in wanted:
        if c is not None and c in df.columns:
            s = df[c]
            if (pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)) and s.notna().any():
                out.add(c)
    return out


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
    """aicost columns from a raw chunk: (frame, problems, valid mask).

    Every check is one vectorised test over the chunk; only the rows that fail one are looked
    at one by one, to name them. Text columns stay text (Arrow strings), tiers become codes.
    """
    n = len(raw)
    if not isinstance(raw.index, pd.RangeIndex) or raw.index.start != 0:
        raw = raw.reset_index(drop=True)  # later chunks of a streamed reader count on from the first
    problems: list[tuple[int, str, str]] = []
    bad = np.zeros(n, dtype=bool)
    out: dict[str, object] = {}

    def flag(mask: np.ndarray, column: str, message) -> None:
        nonlocal bad
        if not mask.any():
            return
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
    ts = raw[src] if src in raw.columns else pd.Series([None] * n, dtype=object)
    day = _days(ts, layout.time_unit)
    flag(np.isnan(day), src or "timestamp", lambda i: f"not a date or ISO 8601 time: {_show(ts.iloc[i])}")
    out["day"] = day.astype(np.int64) if not bad.any() else np.nan_to_num(day).astype(np.int64)
    # names
    for k in ("provider", "model"):
        if k in layout.values:
            out[k] = _const(str(layout.values[k]), n)
        elif layout.columns.get(k) in raw.columns:
            out[k] = _text(raw[layout.columns[k]])
        else:
            out[k] = _const(None, n)
    model = out["model"]
    flag(model.isna().to_numpy(), layout.columns.get("model", "model"), "no model named")
    # tier -> code (0 standard, 1 batch, 2 flex, 3 priority); an empty cell is standard
    if "tier" in layout.values:
        tier_text = _const(str(layout.values["tier"]), n)
    elif layout.columns.get("tier") in raw.columns:
        tier_text = _text(raw[layout.columns["tier"]])
    else:
        tier_text = None
    if tier_text is None:
        codes = np.zeros(n, dtype=np.int8)
    else:
        codes = _tier_codes(tier_text)
    if layout.batch_flag and layout.batch_flag in raw.columns:
        codes = np.where(raw[layout.batch_flag].fillna(False).astype(bool).to_numpy(), 1, codes).astype(np.int8)
    flag(codes == -2, layout.columns.get("tier", "tier"),
         lambda i: f"unknown tier {_show(tier_text.iloc[i])} (expected standard, batch, flex or priority)")
    out["tier"] = np.maximum(codes, 0).astype(np.int8)
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
        if v.dtype.kind == "f" and np.isnan(v).any():
            given = col.notna().to_numpy()
            flag(given & np.isnan(v), s, lambda i, col=col: f"not a number: {_show(col.iloc[i])}")
            if k != "billed_cost":
                v = np.where(given | (k != "requests"), np.nan_to_num(v), 1.0)
        if k != "billed_cost":
            flag(v < 0, s, lambda i, v=v: f"negative ({_num(v[i])})")
        out[k] = v
    for k, s in layout.subtract.items():
        if s in raw.columns:
            part = np.nan_to_num(_numbers(raw[s]))
            flag(part > out[k] + 0.5, s, lambda i: f"more than the {layout.columns[k]} it is part of")
            out[k] = np.maximum(out[k] - part, 0.0)
    # long context: stated per row (Anthropic's context_window, a long_context column) or left
    # to be inferred from the prompt size per request (-1)
    if layout.lc_column and layout.lc_column in raw.columns:
        out["long_context"] = (raw[layout.lc_column].astype(str) == layout.lc_value).to_numpy().astype(np.int8)
    elif "long_context" in layout.columns and layout.columns["long_context"] in raw.columns:
        lc_codes, lc_u = pd.factorize(raw[layout.columns["long_context"]], use_na_sentinel=True)
        lut = np.array([_truth(u) for u in lc_u] + [-1], dtype=np.int8)
        out["long_context"] = lut[lc_codes]
    elif layout.lc_column:  # buckets without the context window: no request counts to infer it from
        out["long_context"] = np.zeros(n, dtype=np.int8)
    else:
        out["long_context"] = np.full(n, -1, dtype=np.int8)
    # tags
    tags = _tags(raw, layout, tag_keys)
    for key in tag_keys:
        out[f"tag.{key}"] = tags.get(key, _const(None, n))
    frame = pd.DataFrame(out, copy=False)
    return frame, problems, ~bad


_TIER_KEYS = list(TIER_WORDS)
_TIER_LUT = np.array([TIERS.index(TIER_WORDS[w]) for w in _TIER_KEYS] + [0], dtype=np.int8)


def _tier_codes(s: pd.Series) -> np.ndarray:
    """Tier codes per row (-2: not a tier word; an empty cell is standard). Arrow strings that
    are all exact tier words are looked up in C++; anything else goes through its distinct
    values (case and spaces ignored)."""
    if isinstance(s.dtype, pd.StringDtype) and getattr(s.dtype, "storage", "") == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        a = pa.array(s.array)
        idx = pc.index_in(a, value_set=pa.array(_TIER_KEYS, a.type))
        if idx.null_count == a.null_count:  # every given value is a tier word as written
            i = pc.fill_null(idx, len(_TIER_KEYS)).to_numpy(zero_copy_only=False)
            return _TIER_LUT[i]
    tc, tu = text_codes(s)
    words = [TIER_WORDS.get(str(u).strip().lower()) for u in tu]
    lut = np.array([TIERS.index(w) if w else -2 for w in words] + [0], dtype=np.int8)
    return lut[tc]  # code -1 (empty) takes the extra last entry: standard


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


def _tags(raw: pd.DataFrame, layout: Layout, keys: list[str]) -> dict[str, pd.Series]:
    tags: dict[str, pd.Series] = {}
    for key in keys:
        src = layout.tag_source(key)
        if src is not None and src in raw.columns:
            tags[key] = _text(raw[src])
    if layout.tag_list and layout.tag_list in raw.columns and any(k not in tags for k in keys):
        codes, uniques = pd.factorize(raw[layout.tag_list], use_na_sentinel=True)  # each distinct list once
        parsed = [_tag_pairs(c) for c in uniques]
        for key in keys:
            if key not in tags:
                vals = [d.get(key) for d in parsed]
                cats = sorted({v for v in vals if v is not None})
                lut = np.array([cats.index(v) if v is not None else -1 for v in vals] + [-1], dtype=np.int32)
                tags[key] = pd.Series(pd.Categorical.from_codes(lut[codes], categories=pd.Index(cats, dtype=object)))
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


def _show(v) -> str:
    s = repr(v) if not isinstance(v, str) else repr(v[:60])
    return s


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))
