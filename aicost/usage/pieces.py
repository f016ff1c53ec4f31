"""Cut one usage file into pieces small enough to hold, in file order.

CSV byte ranges (parsed later, on worker threads), Parquet batches, JSON Lines blocks, frames
from the quote-aware CSV reader, provider usage-API pages.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd

from aicost.base.errors import InputError, Problem
from aicost.usage.files import check_text, kind_of, not_utf8
from aicost.inputs.jsonfile import loads
from aicost.usage.jsonl import check_nesting, general_rows
from aicost.usage.layouts import Layout

#: Cells are read as written: only an empty cell is missing. pandas would otherwise read a team
#: called NA (North America), N/A, null, None or nan as missing, and its cost would be unallocated.
AS_WRITTEN = {"keep_default_na": False, "na_values": [""]}

CHUNK_ROWS = 1_000_000
PIECE_BYTES = 16 << 20  # a CSV piece: about 250k rows of a typical log


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
    broken: dict[int, str] | None = None  # rows of ``frame`` that could not be read (left empty): why


class Reread(Exception):
    """The fast reader met something only the general one reads (JSON Lines whose values change
    type between blocks): the file is read again from the start with ``general=True``."""


def chunks(path: Path, layout: Layout, chunk_rows: int = CHUNK_ROWS, general: bool = False) -> Iterator[Chunk]:
    """The pieces of one file, in order, each small enough to hold (about ``chunk_rows`` rows)."""
    kind = kind_of(path)
    if kind != "parquet" and not path.name.lower().endswith(".gz"):
        check_text(path)
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
        check_nesting(path)  # before Arrow's reader, which a line nested thousands deep crashes
        yield from _jsonl_arrow(path, layout, chunk_rows)
        return
    if kind == "jsonl":
        row = 1
        for rows, line, bad in general_rows(path, chunk_rows):
            frame = pd.DataFrame(rows)
            yield Chunk(frame=frame, first=row, line_offset=line - row, pos=0, broken=bad or None)
            row += len(rows)  # (the bar moves per file)
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
            try:
                batch.validate(full=True)  # Arrow's JSON reader lets text that is not UTF-8 through
            except pa.ArrowInvalid:
                raise InputError(not_utf8(path)) from None
            done += batch.nbytes
            yield Chunk(batch=batch, first=row, line_offset=0, pos=min(size, done))
            row += batch.num_rows
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        raise Reread() from None  # the general reader names each line it cannot take


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


def _quoted_csv(src, chunk_rows: int, name: str | None = None, size: int | None = None) -> Iterator[Chunk]:
    """CSV that may hold quoted line breaks (or is compressed): pandas' streaming reader, text
    columns kept as text. A row with more fields than the header stops that reader: the rest of
    the file is read again with those rows marked (see :func:`_long_rows_marked`)."""
    handle = io.BytesIO(src) if isinstance(src, bytes) else src
    sep = "\t" if str(name or src).endswith(".tsv") else ","
    done = 0
    try:
        reader = pd.read_csv(handle, chunksize=chunk_rows, dtype=object, sep=sep, **AS_WRITTEN)
        with reader:
            for df in reader:
                if done == 0 and not isinstance(df.index, pd.RangeIndex):
                    break  # the first row has one field more than the header: pandas took it for an index
                yield Chunk(frame=df, pos=size or 0)
                done += len(df)
            else:
                return
    except pd.errors.ParserError as exc:
        if "fields in line" not in str(exc):
            raise InputError(Problem(str(name or src), None, "", f"cannot read this CSV: {exc}")) from None
    except UnicodeDecodeError:
        where = str(name or src)
        raise InputError(not_utf8(where) if not where.lower().endswith(".gz") else
                         Problem(where, None, "", "not UTF-8 text; usage logs are read as UTF-8")) from None
    except ValueError as exc:
        raise InputError(Problem(str(name or src), None, "", f"cannot read this CSV: {exc}")) from None
    except (OSError, EOFError) as exc:  # a .gz that is not gzip, or is cut short
        raise InputError(Problem(str(name or src), None, "", f"cannot read this compressed file: {exc}")) from None
    yield from _long_rows_marked(src, chunk_rows, sep, done, name, size)


_LONG = "\x00aicost: fields "


def _long_rows_marked(src, chunk_rows: int, sep: str, done: int, name: str | None,
                      size: int | None) -> Iterator[Chunk]:
    """The rows after the first ``done`` of a CSV with rows that have more fields than its header,
    read by pandas' Python reader, which hands each such row to a function: it stays in its
    place as an empty row, and the chunk says why (``broken``). Slower, and only for such files."""
    where = str(name or src)
    try:
        names = pd.read_csv(io.BytesIO(src) if isinstance(src, bytes) else src, nrows=0, sep=sep).columns
        reader = pd.read_csv(io.BytesIO(src) if isinstance(src, bytes) else src, chunksize=chunk_rows, dtype=object,
                             sep=sep, engine="python", header=None, on_bad_lines=lambda f: [f"{_LONG}{len(f)}"],
                             **AS_WRITTEN)
        left = done + 1  # the header line, then the rows already read
        with reader:
            for df in reader:
                if left:
                    cut = min(left, len(df))
                    df, left = df.iloc[cut:], left - cut
                    if df.empty:
                        continue
                df = df.reset_index(drop=True)
                df.columns = names
                long = df.iloc[:, 0].str.startswith(_LONG, na=False).to_numpy()
                broken = None
                if long.any():
                    broken = {int(i): f"too many fields: {df.iat[i, 0][len(_LONG):]} where the header has "
                              f"{len(names)} ({'a tab' if sep == chr(9) else 'a comma'} in a value that is not quoted?)"
                              for i in np.flatnonzero(long)}
                    df.iloc[np.flatnonzero(long), 0] = None
                yield Chunk(frame=df, pos=size or 0, broken=broken)
    except UnicodeDecodeError:
        raise InputError(not_utf8(where)) from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(Problem(where, None, "", f"cannot read this CSV: {exc}")) from None


def _counts(key) -> bool:
    """A usage count's field (``input_tokens``, ``usage``, ``num_model_requests``), not ``token_type``."""
    k = str(key)
    return k in ("usage", "num_model_requests", "requests") or ("tokens" in k and k != "token_type")


def _nested(path: Path, layout: Layout) -> pd.DataFrame:
    """Provider usage-API pages (JSON or JSON Lines of pages/buckets/results, or of rows with
    ``group`` and ``usage`` objects) as one flat frame."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(not_utf8(path)) from None
    docs = []
    try:
        try:  # one document (a page, however it is laid out), else JSON Lines (a page a line)
            docs = [loads(text)]
        except json.JSONDecodeError as whole:
            if whole.msg != "Extra data":
                raise
            docs = [loads(line) for line in text.splitlines() if line.strip()]
    except json.JSONDecodeError as exc:
        raise InputError(Problem(str(path), exc.lineno, "", f"not valid JSON: {exc.msg}")) from None
    except RecursionError:
        raise InputError(Problem(str(path), None, "", "nested too deeply; refused")) from None
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
            elif isinstance(d.get("group"), dict) and isinstance(d.get("cost"), dict):
                rows.append({**d["group"], "amount": d["cost"].get("amount")})
            elif isinstance(d.get("group"), dict) and isinstance(d.get("usage"), dict):
                # a row of Anthropic's analytics API: its dimensions and counts side by side
                rest = {k: v for k, v in d.items() if k not in ("group", "usage")}
                rows.append({**rest, **d["group"], **d["usage"]})
            else:
                rows.append(d)

    for d in docs:
        walk(d)
    if rows and all("amount" in r and not any(_counts(k) for k in r) for r in rows):
        raise InputError(Problem(str(path), None, "", "this is a cost report (amounts, no token counts): give it "
                                 "to --billed, and the usage report as the usage file"))
    if not rows:
        return pd.DataFrame()
    return pd.json_normalize(rows, sep=".")
