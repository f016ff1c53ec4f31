"""Parse a piece of a usage file into a raw frame, setting aside rows with too many fields.

CSV pieces go through pandas' C reader; the columns that must stay text are found on the way.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd

from aicost.base.errors import InputError, Problem
from aicost.usage.files import not_utf8
from aicost.usage.layouts import Layout
from aicost.usage.pieces import AS_WRITTEN, Chunk


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


def parse(chunk: Chunk, text_columns: set[str], name: str,
          wanted: tuple[set[str], set[str]] | None = None) -> tuple[pd.DataFrame, dict[int, str]]:
    """The rows of a chunk as a frame, and the rows that could not be read (more fields than the
    header names) by their place in the frame, where they are left empty. CSV pieces are parsed
    by pandas' C reader (which lets go of the GIL, so pieces parse side by side); a column that
    should be text but came out as numbers ("007" would become 7) makes the piece parse again
    with that column as text."""
    if chunk.frame is not None:
        return chunk.frame, chunk.broken or {}
    if chunk.batch is not None:
        return _arrow_frame(chunk.batch), {}
    if not chunk.data:
        return pd.DataFrame(), {}
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
        df = pd.read_csv(_Parts(chunk.data), sep=sep, dtype=dtype, usecols=usecols, **AS_WRITTEN)
    except pd.errors.ParserError as exc:
        if "fields in line" not in str(exc):
            raise InputError(Problem(name, None, "", f"cannot read this CSV: {exc}")) from None
        df = None  # a row with more fields than the header: read again without such rows
    except UnicodeDecodeError:
        raise InputError(not_utf8(name)) from None
    if df is None or _first_row_long(chunk.data, sep) or (
            usecols is not None and _more_separators(chunk.data, sep, df)):
        return _without_long_rows(chunk.data, sep, dtype, usecols, name)
    return df, {}


def _arrow_frame(batch) -> pd.DataFrame:
    """An Arrow batch (Parquet, JSON Lines) as a frame. A NaN that was written as a value (not
    a null) becomes the text 'NaN', so that it is named as not a number instead of being read
    as an empty cell."""
    import pyarrow as pa
    import pyarrow.compute as pc

    df = batch.to_pandas()
    for i, f in enumerate(batch.schema):
        if pa.types.is_floating(f.type):
            nan = pc.is_nan(batch.column(i))
            if pc.any(nan).as_py():
                s = df.iloc[:, i].astype(object)
                s[nan.fill_null(False).to_numpy(zero_copy_only=False)] = "NaN"
                df.isetitem(i, s)
    return df


def _first_row_long(parts: tuple, sep: str) -> bool:
    """Whether the piece's first row has more fields than its header: pandas would take the
    first column for an index and shift every row of the piece by one column, silently."""
    head = b"".join(bytes(p[:1 << 16]) for p in parts[1:]).lstrip(b"\r\n")
    end = head.find(b"\n")
    return head[:end if end >= 0 else len(head)].count(sep.encode()) > bytes(parts[0]).count(sep.encode())


def _more_separators(parts: tuple, sep: str, df: pd.DataFrame) -> bool:
    """Whether the piece's rows hold more separators than its header's fields allow: with
    ``usecols`` pandas reads a row with too many fields without a word. One count over the piece
    (about 1 ms for 16 MB), in blocks that stay in the CPU's cache; numpy lets go of the GIL."""
    code, step, found = ord(sep), 1 << 18, 0
    hit = np.empty(step, dtype=bool)
    for p in parts[1:]:
        a = np.frombuffer(p, dtype=np.uint8)
        for i in range(0, len(a), step):
            block = a[i:i + step]
            found += int(np.count_nonzero(np.equal(block, code, out=hit[:len(block)])))
    return found > bytes(parts[0]).count(sep.encode()) * len(df)


def _without_long_rows(parts: tuple, sep: str, dtype, usecols, name: str) -> tuple[pd.DataFrame, dict[int, str]]:
    """A piece whose rows include some with more fields than the header (an unquoted comma in a
    value): those lines are found (the piece holds no quotes, so a line's fields are its
    separators plus one), the rest is parsed, and each is put back as an empty row in its
    place, with what was wrong with it."""
    buf = b"".join(bytes(p) for p in parts)
    a = np.frombuffer(buf, dtype=np.uint8)
    ends = np.flatnonzero(a == 10)
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(a)]))
    if starts[-1] == len(a):  # nothing after the last line end
        starts, stops = starts[:-1], stops[:-1]
    fields = np.bincount(np.searchsorted(ends, np.flatnonzero(a == ord(sep))), minlength=len(starts))[:len(starts)] + 1
    width = stops - starts
    blank = (width == 0) | ((width == 1) & (a[np.minimum(starts, len(a) - 1)] == 13))
    long = np.flatnonzero(fields > fields[0])
    long = long[long > 0]
    place = long - 1 - (np.cumsum(blank) - blank)[long]  # its row in the frame (pandas skips blank lines)
    keep, at = [], 0
    for i in long:
        keep.append(buf[at:starts[i]])
        at = stops[i] + 1
    keep.append(buf[at:])
    try:
        df = pd.read_csv(io.BytesIO(b"".join(keep)), sep=sep, dtype=dtype, usecols=usecols, **AS_WRITTEN)
    except UnicodeDecodeError:
        raise InputError(not_utf8(name)) from None
    except pd.errors.ParserError as exc:
        raise InputError(Problem(name, None, "", f"cannot read this CSV: {exc}")) from None
    n = len(df) + len(long)
    df.index = np.setdiff1d(np.arange(n), place)
    df = df.reindex(pd.RangeIndex(n))
    what = "a tab" if sep == "\t" else "a comma"
    broken = {int(r): f"too many fields: {int(fields[i])} where the header has {int(fields[0])} ({what} in a value "
              f"that is not quoted?)" for r, i in zip(place, long)}
    return df, broken


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
