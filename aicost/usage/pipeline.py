"""Run showback: read, check and sum each file on a pool of threads, then price and allocate.

One file is processed by :func:`process_file`: its pieces (CSV pieces of about 250k rows,
Parquet batches, JSON Lines chunks) are parsed, checked and summed on a small pool of threads
(pandas' CSV parser and Arrow's group-by let go of the GIL), into one row per price period,
provider, model, tier, long-context bucket, billed-or-not and tags. Memory stays bounded by a
few pieces and the number of distinct groups (about 60 bytes a group while summing, see
:class:`~aicost.usage.group.Sums`). The local engine runs it on each file in turn; the Dask
engine (:mod:`aicost.usage.dask_engine`) on each partition file on the cluster's workers. Both
merge the groups (:func:`~aicost.usage.group.merge_frames`), price them once with
:func:`~aicost.usage.price.price_frame`, sum them by month (:func:`~aicost.usage.allocate.aggregate`)
and allocate (:func:`~aicost.usage.allocate.allocate`).
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from aicost.base.errors import InputError, Problem
from aicost.usage.allocate import Allocation, aggregate, allocate
from aicost.usage.files import files_of
from aicost.usage.group import (MAX_PROBLEMS, Groups, Labels, Sums, groups_frame, merge_frames, ordered, reduce,
                                text_keys)
from aicost.usage.layouts import Layout
from aicost.usage.normalise import normalise
from aicost.usage.parse import numeric_text, parse
from aicost.usage.pieces import CHUNK_ROWS, Reread, chunks
from aicost.usage.price import Rates, price_frame

COMPACT_ROWS = 1_000_000  # groups held, at least, before they are summed again


@dataclass
class FilePart:
    """What one file (or partition) gives: its usage groups (see :func:`groups_frame`), the
    problems found and counts."""

    groups: pd.DataFrame | None = None
    problems: list[Problem] = field(default_factory=list)
    n_problems: int = 0
    rows: int = 0
    skipped: int = 0
    skipped_by: dict[str, int] = field(default_factory=dict)


@dataclass
class _Piece:
    groups: Groups | None
    found: list
    rows: int
    bad: int


def _libc():
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL("libc.so.6")
    except OSError:
        return None


def tune_allocator() -> None:
    """On glibc (Linux), keep freed memory for reuse instead of handing blocks back to the system
    after each piece: every piece allocates arrays of the same sizes (up to a few megabytes), and
    getting fresh pages from the kernel each time (page faults) cost about a fifth of the run
    (bench/README.md). Larger blocks (the sums of many groups, and everything after the pieces)
    still come from mmap and go back when freed: kept on the heap, blocks that grow from one sum
    to the next leave holes that no later block fits, and a log with a million distinct tag
    values then held twice the memory it used. Does nothing elsewhere."""
    libc = _libc()
    try:
        if libc is not None:
            libc.mallopt(-3, 4 << 20)  # M_MMAP_THRESHOLD: blocks of 4 MB or more from mmap
            libc.mallopt(-1, 64 << 20)  # M_TRIM_THRESHOLD: do not give the heap's top back at once
    except AttributeError:
        pass


def release_memory(pieces_done: bool = False) -> None:
    """Hand the heap's free pages back to the system (glibc), after the sums of many groups; once
    the pieces are done, every block of 128 kB or more comes from mmap again."""
    libc = _libc()
    try:
        if libc is not None:
            if pieces_done:
                libc.mallopt(-3, 128 << 10)  # M_MMAP_THRESHOLD
                libc.mallopt(-1, 128 << 10)  # M_TRIM_THRESHOLD
            libc.malloc_trim(0)
    except AttributeError:
        pass


def workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def process_file(path: str | Path, layout: Layout, by: list[str], rates: Rates, on_error: str = "stop",
                 chunk_rows: int = CHUNK_ROWS, progress: Callable[[int], None] | None = None) -> FilePart:
    """Read, check and sum one usage file, piece by piece, on a pool of threads; the pieces'
    results are taken in file order (so sums and messages do not depend on timing)."""
    tune_allocator()
    try:
        return _process(path, layout, by, rates, on_error, chunk_rows, progress, general=False)
    except Reread:
        return _process(path, layout, by, rates, on_error, chunk_rows, progress, general=True)


def _process(path, layout: Layout, by: list[str], rates: Rates, on_error: str, chunk_rows: int,
             progress: Callable[[int], None] | None, general: bool) -> FilePart:
    from concurrent.futures import ThreadPoolExecutor

    path = Path(path)
    name = str(path)
    part = FilePart()
    text_columns: set[str] = set()  # columns that must be parsed as text (learnt on the way)
    labels = Labels(text_keys(by))
    wanted = needed_columns(layout, by)
    acc = Sums(COMPACT_ROWS)
    row = 1
    n_workers = workers()

    def work(chunk) -> _Piece:
        try:
            raw, broken = parse(chunk, set(text_columns), name, wanted)
            if chunk.data:
                wrong = numeric_text(raw, layout, by)
                if wrong:
                    text_columns.update(wrong)
                    raw, broken = parse(chunk, set(text_columns), name, wanted)
            frame, found, valid = normalise(raw, layout, by, broken)
        except InputError as exc:
            raise InputError([Problem(name, p.line, p.path, p.message) if p.file else
                              Problem(name, None, "", p.message) for p in exc.problems]) from None
        groups = reduce(frame, valid, by, rates, labels, layout, found if on_error == "stop" else None)
        bad = int((~valid).sum())
        return _Piece(None if (on_error == "stop" and found) else groups, found, len(frame), bad)

    def fold(chunk, fut) -> None:
        nonlocal row
        piece = fut.result()
        first = chunk.first if chunk.first is not None else row
        row = first + piece.rows
        part.rows += piece.rows
        piece.found.sort(key=lambda x: x[0])
        for i, col, msg, _ in piece.found:
            line = first + i + chunk.line_offset if chunk.line_offset is not None else None
            where = f"row {first + i}" + (f": {col}" if col else "")
            if len(part.problems) < MAX_PROBLEMS:
                part.problems.append(Problem(name, line, where, msg))
            part.n_problems += 1
        if piece.bad:
            part.skipped += piece.bad
            for _, col, _, kind in piece.found:
                key = f"{col}: {kind}" if col else kind
                part.skipped_by[key] = part.skipped_by.get(key, 0) + 1
        if piece.groups is not None and len(piece.groups) and not (on_error == "stop" and part.n_problems):
            summed = acc.summed_count
            acc.add(piece.groups)
            if acc.summed_count != summed:
                release_memory()
        if progress is not None:
            progress(chunk.pos)

    with ThreadPoolExecutor(n_workers) as ex:
        pending: deque = deque()
        try:
            for chunk in chunks(path, layout, chunk_rows, general):
                pending.append((chunk, ex.submit(work, chunk)))
                while len(pending) > n_workers:  # bounded: a piece per thread and one read ahead
                    fold(*pending.popleft())
            while pending:
                fold(*pending.popleft())
        finally:
            for _, fut in pending:
                fut.cancel()
    release_memory(pieces_done=True)
    g, values = ordered(acc, labels)
    part.groups = groups_frame(g, values, by)
    del g
    release_memory()
    return part


def needed_columns(layout: Layout, by: list[str]) -> tuple[set[str], set[str]]:
    """The log columns this run reads, and those it cannot do without (when one of those is
    missing, every column is read, so that the error can list them)."""
    cols = set(layout.columns.values())
    cols |= {c for parts in layout.subtract.values() for c in ((parts,) if isinstance(parts, str) else parts)}
    cols |= {c for c in map(layout.tag_source, by) if c is not None}
    for c in (layout.tag_list, layout.lc_column, layout.batch_flag):
        if c:
            cols.add(c)
    required = {layout.columns[k] for k in ("timestamp", "model") if k in layout.columns}
    return cols, required


def run(paths: list[Path], layout: Layout, by: list[str], book, shared: list[dict], on_error: str = "stop",
        engine: str = "local", scheduler: str | None = None, chunk_rows: int = CHUNK_ROWS,
        progress: Callable[[int], None] | None = None) -> Allocation:
    rates = Rates(book)
    groups, stats = read_groups(paths, layout, by, rates, on_error, engine, scheduler, chunk_rows, progress)
    groups = price_frame(groups, rates)
    release_memory()
    agg = aggregate(groups, by)
    del groups
    release_memory()
    result = allocate(agg, by, shared, book.currency, rows=stats["rows"], skipped=stats["skipped"],
                      skipped_by=stats["skipped_by"])
    del agg
    release_memory()
    result.provider_names = {p: book.provider_names(p) for p in book.providers}
    return result


def read_groups(paths: list[Path], layout: Layout, by: list[str], rates: Rates, on_error: str = "stop",
                engine: str = "local", scheduler: str | None = None, chunk_rows: int = CHUNK_ROWS,
                progress: Callable[[int], None] | None = None) -> tuple[pd.DataFrame, dict]:
    """Every file's rows read, checked and summed into usage groups (day or price period, provider,
    model, tier, long-context bucket, tags), not yet priced; and the rows read and skipped."""
    files = [f for p in paths for f in files_of(Path(p))]
    if engine == "dask":
        from aicost.usage.dask_engine import run_parts

        parts = run_parts(files, layout, by, rates, on_error, chunk_rows, scheduler)
    else:
        parts, done = [], 0
        for f in files:
            size = f.stat().st_size
            parts.append(process_file(f, layout, by, rates, on_error, chunk_rows,
                                      (lambda pos, d=done: progress(d + pos)) if progress else None))
            done += size
    problems = [p for part in parts for p in part.problems]
    n = sum(part.n_problems for part in parts)
    if on_error == "stop" and n:
        if n > len(problems):
            problems.append(Problem(str(files[0]) if len(files) == 1 else "usage", None, "",
                                    f"{n - len(problems)} more problems not shown ({n} in all)"))
        raise InputError(problems)
    skipped_by: dict[str, int] = {}
    for part in parts:
        for k, v in part.skipped_by.items():
            skipped_by[k] = skipped_by.get(k, 0) + v
    frames = [part.groups for part in parts]
    for part in parts:
        part.groups = None
    release_memory(pieces_done=True)  # (each stage's freed blocks go back before the next one's)
    groups = merge_frames(frames, by)
    del frames
    return groups, {"rows": sum(p.rows for p in parts), "skipped": sum(p.skipped for p in parts),
                    "skipped_by": skipped_by, "files": len(files)}
