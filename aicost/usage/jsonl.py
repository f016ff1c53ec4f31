"""JSON Lines read safely: nesting bounded before any parser sees a line, and a general reader
that names each bad line (not an object, NaN or Infinity, not JSON at all).

Arrow's JSON reader crashes the process on an object nested some thousands deep, so every
JSON Lines file is scanned first (a few vectorised passes per block; only a line with more
than ``MAX_DEPTH`` brackets is looked at closely).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np

from aicost.base.errors import InputError, Problem
from aicost.inputs.jsonfile import loads

MAX_DEPTH = 64
BLOCK = 16 << 20


def check_nesting(path: Path, limit: int = MAX_DEPTH) -> None:
    """Refuse a file with a line nested deeper than ``limit`` (file:line), reading it in blocks."""
    line0 = 1
    with open(path, "rb") as fh:
        rest = b""
        while True:
            block = fh.read(BLOCK)
            data = rest + block
            if not block:
                if data:
                    _check_block(data, line0, path, limit)
                return
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                if len(data) > 64 * BLOCK:
                    raise InputError(Problem(str(path), line0, "", "a line longer than 1 GiB; refused"))
                rest = data
                continue
            _check_block(data[:cut], line0, path, limit)
            line0 += data.count(b"\n", 0, cut)
            rest = data[cut:]


def _check_block(data: bytes, line0: int, path: Path, limit: int) -> None:
    a = np.frombuffer(data, dtype=np.uint8)
    opens = np.flatnonzero((a | 0x20) == 0x7B)  # '{' and '[' (0x7B, 0x5B)
    if len(opens) <= limit:
        return
    ends = np.flatnonzero(a == 10)
    per_line = np.bincount(np.searchsorted(ends, opens), minlength=len(ends) + 1)
    for i in np.flatnonzero(per_line > limit):
        start = int(ends[i - 1]) + 1 if i else 0
        stop = int(ends[i]) if i < len(ends) else len(data)
        if _depth(data[start:stop]) > limit:
            raise InputError(Problem(str(path), line0 + int(i), "",
                                     f"nested deeper than {limit} levels; refused"))


def _depth(line: bytes) -> int:
    """The deepest bracket nesting of one line, outside strings."""
    a = np.frombuffer(line, dtype=np.uint8)
    quote = a == 0x22
    prev = np.concatenate(([0], a[:-1]))
    prev2 = np.concatenate(([0, 0], a[:-2]))[:len(a)]
    quote &= ~((prev == 0x5C) & (prev2 != 0x5C))  # not an escaped quote
    inside = (np.cumsum(quote) % 2).astype(bool) & ~quote
    step = np.zeros(len(a), dtype=np.int32)
    step[((a | 0x20) == 0x7B) & ~inside] = 1
    step[((a | 0x20) == 0x7D) & ~inside] = -1  # '}' and ']'
    return int(np.cumsum(step).max(initial=0))


def general_rows(path: Path, chunk_rows: int) -> Iterator[tuple[list[dict], int, dict[int, str]]]:
    """(rows, the first row's line, bad rows by their place in ``rows``: why) per chunk: each
    line read by Python's JSON reader; a line that is not a JSON object is a bad row, left
    empty in its place. A blank line is skipped (and the lines after it counted right)."""
    rows: list[dict] = []
    bad: dict[int, str] = {}
    first = None
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                if rows:  # a blank line: the rows after it start a chunk of their own
                    yield rows, first, bad
                    rows, bad, first = [], {}, None
                continue
            if first is None:
                first = n
            try:
                value = loads(raw)
            except RecursionError:
                value, why = None, f"nested deeper than {MAX_DEPTH} levels"
            except (UnicodeDecodeError, ValueError) as exc:
                value, why = None, f"not JSON: {exc}"
            else:
                why = "" if isinstance(value, dict) else f"not a JSON object: {type(value).__name__}"
            if why:
                bad[len(rows)] = why
                value = {}
            rows.append(value)
            if len(rows) >= chunk_rows:
                yield rows, first, bad
                rows, bad, first = [], {}, None
    if rows:
        yield rows, first, bad
