"""Showback from usage logs: read, check, sum by group, price, then allocate to teams with
shared costs.

One file is processed by :func:`process_file`: its pieces (CSV pieces of about 250k rows,
Parquet batches, JSON Lines chunks) are parsed, checked and summed on a small pool of threads
(pandas' CSV parser and Arrow's group-by let go of the GIL), into one row per day, provider,
model, tier, long-context bucket, billed-or-not and tags. Memory stays bounded by a few pieces
and the number of distinct groups. The local engine runs it on each file in turn; the Dask
engine on each partition file on the cluster's workers. Both merge the groups
(:func:`merge_frames`), price them once with :func:`~aicost.usage.price.price_frame`, sum them
by month (:func:`aggregate`) and allocate (:func:`allocate`).
"""

from __future__ import annotations

import os
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from aicost.base.errors import InputError, Problem
from aicost.usage.layouts import COUNTS, TOKENS, Layout
from aicost.usage.price import COST_METERS, STATUS, Rates, dense_unique, price_frame
from aicost.usage.read import CHUNK_ROWS, Reread, chunks, normalise, numeric_text, parse, text_codes

SUM_COLS = ("rows", *COUNTS, *(f"cost.{m}" for m in COST_METERS), "cost", "billed_cost", "billed_rows",
            "repriced_billed")
GROUP_SUMS = (*COUNTS, "billed_cost")
UNALLOCATED = "(unallocated)"
MAX_PROBLEMS = 200
COMPACT_ROWS = 1_000_000  # groups held before they are summed again


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
class Groups:
    """Summed usage: one entry per distinct key; ``keys`` hold integer codes (text keys as ids
    in a :class:`Labels`), ``sums`` the summed counts, ``rows`` the number of rows."""

    keys: dict[str, np.ndarray]
    sums: dict[str, np.ndarray]
    rows: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)


class Labels:
    """One numbering of the text keys' values for a whole file, shared by its pieces (which are
    summed on several threads, hence the lock)."""

    def __init__(self, names: list[str]):
        import threading

        self.values: dict[str, list] = {k: [] for k in names}
        self._ids: dict[str, dict] = {k: {} for k in names}
        self._lock = threading.Lock()

    def ids(self, name: str, codes: np.ndarray, uniques) -> np.ndarray:
        """Ids (-1 for none) for a column given as codes into its distinct values."""
        with self._lock:
            ids, values = self._ids[name], self.values[name]
            lut = np.empty(len(uniques) + 1, dtype=np.int64)
            for j, u in enumerate(uniques):
                u = str(u)
                i = ids.get(u)
                if i is None:
                    i = ids[u] = len(values)
                    values.append(u)
                lut[j] = i
            lut[len(uniques)] = -1
        return lut[codes]


def text_keys(by: list[str]) -> list[str]:
    return ["provider", "model", *[f"tag.{k}" for k in by]]


def group_keys(by: list[str]) -> list[str]:
    return ["day", "provider", "model", "tier", "lcb", "hb", *[f"tag.{k}" for k in by]]


@dataclass
class _Piece:
    groups: Groups | None
    found: list
    rows: int
    bad: int


def tune_allocator() -> None:
    """On glibc (Linux), keep freed memory for reuse instead of handing large blocks back to the
    system after each piece: every piece allocates arrays of the same sizes, and getting fresh
    pages from the kernel each time (page faults) cost about a fifth of the run (bench/README.md).
    Memory stays bounded by the pieces in flight. Does nothing elsewhere."""
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD: large blocks from the heap, not mmap
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: do not give the heap's top back at once
    except (OSError, AttributeError):
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
    acc: list[Groups] = []
    held = 0
    row = 1
    n_workers = workers()

    def work(chunk) -> _Piece:
        try:
            raw = parse(chunk, set(text_columns), name, wanted)
            if chunk.data:
                wrong = numeric_text(raw, layout, by)
                if wrong:
                    text_columns.update(wrong)
                    raw = parse(chunk, set(text_columns), name, wanted)
            frame, found, valid = normalise(raw, layout, by)
        except InputError as exc:
            raise InputError([Problem(name, p.line, p.where, p.message) if p.file else
                              Problem(name, None, "", p.message) for p in exc.problems]) from None
        groups = reduce(frame, valid, by, rates, labels, layout, found if on_error == "stop" else None)
        bad = int((~valid).sum())
        return _Piece(None if (on_error == "stop" and found) else groups, found, len(frame), bad)

    def fold(chunk, fut) -> None:
        nonlocal row, acc, held
        piece = fut.result()
        first = chunk.first if chunk.first is not None else row
        row = first + piece.rows
        part.rows += piece.rows
        piece.found.sort(key=lambda x: x[0])
        for i, col, msg in piece.found:
            line = first + i + chunk.line_offset if chunk.line_offset is not None else None
            where = f"row {first + i}" + (f": {col}" if col else "")
            if len(part.problems) < MAX_PROBLEMS:
                part.problems.append(Problem(name, line, where, msg))
            part.n_problems += 1
        if piece.bad:
            part.skipped += piece.bad
            for _, col, msg in piece.found:
                key = f"{col}: {msg.split(':')[0].split(' (')[0]}"
                part.skipped_by[key] = part.skipped_by.get(key, 0) + 1
        if piece.groups is not None and len(piece.groups) and not (on_error == "stop" and part.n_problems):
            acc.append(piece.groups)
            held += len(piece.groups)
            if held > COMPACT_ROWS and len(acc) > 1:
                acc = [combine(acc)]
                held = len(acc[0])
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
    part.groups = groups_frame(combine(acc) if acc else None, labels, by)
    return part


def needed_columns(layout: Layout, by: list[str]) -> tuple[set[str], set[str]]:
    """The log columns this run reads, and those it cannot do without (when one of those is
    missing, every column is read, so that the error can list them)."""
    cols = set(layout.columns.values()) | set(layout.subtract.values())
    cols |= {c for c in map(layout.tag_source, by) if c is not None}
    for c in (layout.tag_list, layout.lc_column, layout.batch_flag):
        if c:
            cols.add(c)
    required = {layout.columns[k] for k in ("timestamp", "model") if k in layout.columns}
    return cols, required


def reduce(frame: pd.DataFrame, valid: np.ndarray, by: list[str], rates: Rates, labels: Labels,
           layout: Layout | None = None, found: list | None = None) -> Groups:
    """Sum a normalised chunk's valid rows by :func:`group_keys`. With ``found`` (a list), rows
    naming a model no table knows are added to it as problems and left out."""
    cols: dict[str, np.ndarray] = {"day": frame["day"].to_numpy()}
    values: dict[str, Any] = {}
    for k in text_keys(by):  # grouped by this chunk's codes; the groups then take the file's ids
        cols[k], values[k] = text_codes(frame[k])
    cols["tier"] = frame["tier"].to_numpy()
    cols["lcb"] = _lc_buckets(frame, rates)
    billed = frame["billed_cost"].to_numpy()
    hb = ~np.isnan(billed)
    cols["hb"] = hb.view(np.int8)
    sums: dict[str, np.ndarray] = {}
    for c in GROUP_SUMS:
        v = (billed if hb.all() else np.where(hb, billed, 0.0)) if c == "billed_cost" else frame[c].to_numpy()
        if c != "requests" and not v.any():
            continue  # nothing to sum (a column this log does not have)
        sums[c] = v
    if found is not None:
        _unknown_models(frame, cols, values, valid, rates, layout, found)
    if not valid.all():
        cols = {k: v[valid] for k, v in cols.items()}
        sums = {k: v[valid] for k, v in sums.items()}
    g = group_sum(cols, sums, None)
    for k in values:
        g.keys[k] = labels.ids(k, g.keys[k], values[k])
    for c in GROUP_SUMS:
        if c not in g.sums:
            g.sums[c] = np.zeros(len(g))
    return g


def _lc_buckets(frame: pd.DataFrame, rates: Rates) -> np.ndarray:
    """Each row's long-context bucket (see :meth:`Rates.lc_buckets`), without per-row work when
    no prompt can reach the smallest threshold."""
    stated = frame["long_context"].to_numpy()
    parts = [frame[k].to_numpy() for k in ("input_tokens", "cached_input_tokens", "cache_write_tokens",
                                            "cache_write_1h_tokens")]
    k = len(rates.thresholds)
    if (k == 0 or sum(float(p.max(initial=0)) for p in parts) <= rates.thresholds[0]) and (stated < 1).all():
        return np.zeros(len(frame), dtype=np.int8)
    prompt = parts[0]
    for p in parts[1:]:
        if p.any():
            prompt = prompt + p
    return rates.lc_buckets(prompt / np.maximum(frame["requests"].to_numpy(), 1.0), stated)


def group_sum(keys: dict[str, np.ndarray], sums: dict[str, np.ndarray], rows: np.ndarray | None) -> Groups:
    """Sum ``sums`` (and count rows, or sum ``rows``) by the distinct combinations of the integer
    ``keys``: the keys are packed into one integer per row (a key that is the same on every row
    adds nothing), then numbered and summed with bincount (no sorting, no hashing of text)."""
    n = len(next(iter(keys.values())))
    if n == 0:
        return Groups({k: v[:0] for k, v in keys.items()}, {k: v[:0].astype(float) for k, v in sums.items()},
                      np.zeros(0, dtype=np.int64))
    gid = np.zeros(n, dtype=np.int64)
    size = 1
    for v in keys.values():
        lo, hi = int(v.min()), int(v.max())
        span = hi - lo + 1
        if span == 1:
            continue  # the same on every row: adds nothing to the grouping
        if size * span >= 2**62:  # would overflow: number the combinations so far densely first
            _, gid = dense_unique(gid)
            size = int(gid.max()) + 1
        gid *= span
        gid += v.astype(np.int64, copy=False) - lo if lo else v
        size *= span
    _, inv = dense_unique(gid)
    k = int(inv.max()) + 1
    rep = np.empty(k, dtype=np.int64)
    rep[inv] = np.arange(n)  # a row of each group (its keys are the group's keys)
    out_keys = {name: v[rep].astype(np.int64) for name, v in keys.items()}
    out_sums = {c: np.bincount(inv, weights=w, minlength=k) for c, w in sums.items()}
    count = np.bincount(inv, minlength=k) if rows is None else np.bincount(inv, weights=rows, minlength=k)
    return Groups(out_keys, out_sums, count.astype(np.int64))


def combine(parts: list[Groups]) -> Groups:
    """Sum group tables that share one numbering of labels, in the order given."""
    if len(parts) == 1:
        return parts[0]
    keys = {k: np.concatenate([p.keys[k] for p in parts]) for k in parts[0].keys}
    sums = {c: np.concatenate([p.sums[c] for p in parts]) for c in parts[0].sums}
    return group_sum(keys, sums, np.concatenate([p.rows for p in parts]))


def _unknown_models(frame, cols, values, valid, rates: Rates, layout, found: list) -> None:
    """Rows naming a model no price table knows: each distinct provider and model is looked up
    once (a bincount over the pairs); only when one is unknown are its rows found and named."""
    provs, models = list(values["provider"]), list(values["model"])
    nm = len(models) + 1
    pair = (cols["provider"].astype(np.int64) + 1) * nm + (cols["model"] + 1)
    unknown = []
    for u in np.flatnonzero(np.bincount(pair)):
        pc, mc = divmod(int(u), nm)
        if mc > 0 and rates.entry(str(provs[pc - 1]) if pc > 0 else None, str(models[mc - 1])) is None:
            unknown.append(u)
    if not unknown:
        return
    rows = np.flatnonzero(np.isin(pair, unknown) & valid)
    mcol = layout.columns.get("model", "model") if layout is not None else "model"
    model = frame["model"]
    for i in rows[:MAX_PROBLEMS]:
        m = model.iloc[i]
        found.append((int(i), mcol, f"unknown model {m!r}{rates.book.suggest(str(m))}"))
    valid[rows] = False


def groups_frame(g: Groups | None, labels: Labels, by: list[str]) -> pd.DataFrame:
    """Groups as a frame: text keys as their values (None for none)."""
    keys = group_keys(by)
    if g is None:
        g = Groups({k: np.zeros(0, dtype=np.int64) for k in keys}, {c: np.zeros(0) for c in GROUP_SUMS},
                   np.zeros(0, dtype=np.int64))
    out: dict[str, Any] = {}
    for k in keys:
        v = g.keys[k]
        if k in labels.values:
            lut = np.array(labels.values[k] + [None], dtype=object)
            out[k] = lut[np.where(v >= 0, v, len(labels.values[k]))]
        else:
            out[k] = v
    for c in GROUP_SUMS:
        out[c] = g.sums[c].astype(float)
    out["rows"] = g.rows
    return pd.DataFrame(out)


def merge_frames(frames: list[pd.DataFrame], by: list[str]) -> pd.DataFrame:
    """Sum the group frames of several files (in the order given) into one, sorted by key."""
    frames = [f for f in frames if f is not None]
    labels = Labels(text_keys(by))
    keys = group_keys(by)
    if not frames:
        return groups_frame(None, labels, by)
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    kc = {}
    for k in keys:
        if k in labels.values:
            codes, uniques = pd.factorize(df[k], use_na_sentinel=True)
            kc[k] = labels.ids(k, codes.astype(np.int64), uniques)
        else:
            kc[k] = df[k].to_numpy().astype(np.int64)
    g = group_sum(kc, {c: df[c].to_numpy() for c in GROUP_SUMS}, df["rows"].to_numpy())
    out = groups_frame(g, labels, by)
    order = out.sort_values(keys, kind="stable", na_position="first").index
    return out.loc[order].reset_index(drop=True)


def _empty(by: list[str]) -> pd.DataFrame:
    return pd.DataFrame({**{k: pd.Series(dtype=object) for k in _keys(by)},
                         **{c: pd.Series(dtype=float) for c in SUM_COLS}})


def _keys(by: list[str]) -> list[str]:
    return ["month", *[f"tag.{k}" for k in by], "sku", "tier", "status"]


def aggregate(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Priced groups summed by month, tags, model as priced, tier and price status."""
    if frame.empty:
        return _empty(by)
    months = frame["day"].to_numpy().astype("datetime64[D]").astype("datetime64[M]").astype(str)
    df = pd.DataFrame({"month": months, **{f"tag.{k}": frame[f"tag.{k}"] for k in by},
                       "sku": frame["sku"], "tier": frame["tier"].astype(object), "status": frame["status"]})
    hb = frame["hb"].to_numpy()
    df["rows"] = frame["rows"].to_numpy().astype(float)
    for c in COUNTS:
        df[c] = frame[c].to_numpy()
    for m in COST_METERS:
        df[f"cost.{m}"] = frame[f"cost.{m}"].to_numpy()
    df["cost"] = frame["cost"].to_numpy()
    df["billed_cost"] = np.where(hb, frame["billed_cost"].to_numpy(), np.nan)
    df["billed_rows"] = np.where(hb, df["rows"], 0.0)
    df["repriced_billed"] = np.where(hb, frame["cost"].to_numpy(), np.nan)
    keys = _keys(by)
    for k in keys:
        df[k] = df[k].astype(object).where(df[k].notna(), None)
    out = df.groupby(keys, sort=True, dropna=False)[list(SUM_COLS)].sum(min_count=1).reset_index()
    out["rows"] = out["rows"].fillna(0.0)
    out["billed_rows"] = out["billed_rows"].fillna(0.0)
    out["status"] = out["status"].astype(np.int64)
    return out


# ---- allocation -----------------------------------------------------------------------------

@dataclass
class Allocation:
    by: list[str]
    currency: str
    groups: pd.DataFrame  # month, tags..., kind, direct, shared.<name>..., shared, total, requests, tokens
    detail: pd.DataFrame  # the priced aggregate (month, tags, sku, tier, meters) for FOCUS and JSON
    unpriced: pd.DataFrame  # month, sku, tier, reason, rows, requests, tokens
    billed: pd.DataFrame  # sku, rows, billed, repriced, difference, difference_pct
    shared_items: list[dict]
    totals: dict[str, Any]
    notes: list[str]


def allocate(agg: pd.DataFrame, by: list[str], shared: list[dict], currency: str, rows: int = 0,
             skipped: int = 0, skipped_by: dict | None = None) -> Allocation:
    """Direct cost per group, shared costs split by each item's rule, and the buckets that no
    team owns: ``(unallocated)`` for rows missing a tag, ``unpriced`` for rows with no price."""
    tags = [f"tag.{k}" for k in by]
    if agg.empty:
        agg = _empty(by)
    priced = agg[agg["status"] == 0]
    unp = agg[agg["status"] != 0]
    notes: list[str] = []
    g = priced.groupby(["month", *tags], sort=True, dropna=False)[["cost", "requests", *TOKENS]].sum().reset_index()
    g["tokens"] = g[list(TOKENS)].sum(axis=1)
    g = g.drop(columns=list(TOKENS)).rename(columns={"cost": "direct"})
    g["kind"] = np.where(g[tags].isna().any(axis=1), "unallocated", "allocated") if tags else "allocated"
    for t in tags:
        g[t] = g[t].where(g[t].notna(), UNALLOCATED)
    months = sorted(set(agg["month"].dropna())) if not agg.empty else []
    extra_rows = []
    for item in shared:
        col = f"shared.{item['name']}"
        g[col] = 0.0
        for month in months:
            amount = float(item["monthly_cost"])
            mine = (g["month"] == month) & (g["kind"] == "allocated")
            if not mine.any():
                extra_rows.append({"month": month, **{t: UNALLOCATED for t in tags}, "direct": 0.0, "requests": 0.0,
                                   "tokens": 0.0, "kind": "unallocated", col: amount})
                notes.append(f"{item['name']}: no tagged usage in {month}, so its cost is unallocated")
                continue
            split = item["split"]
            if split == "fixed":
                key = f"tag.{item.get('key') or by[0]}"
                for value, pct in item["percent"].items():
                    share = amount * float(pct) / 100
                    rows_v = mine & (g[key] == value)
                    if not rows_v.any():
                        extra_rows.append({"month": month, **{t: "(shared)" for t in tags}, key: value, "direct": 0.0,
                                           "requests": 0.0, "tokens": 0.0, "kind": "allocated", col: share})
                        continue
                    w = g.loc[rows_v, "direct"].to_numpy()
                    w = w / w.sum() if w.sum() > 0 else np.full(len(w), 1 / len(w))
                    g.loc[rows_v, col] += share * w
                continue
            if split == "even":
                w = np.ones(int(mine.sum()))
            else:
                metric = {"cost": "direct", "tokens": "tokens", "requests": "requests"}[item.get("by") or "cost"]
                w = g.loc[mine, metric].to_numpy().astype(float)
                if w.sum() <= 0:
                    w = np.ones(len(w))
            g.loc[mine, col] += amount * w / w.sum()
    if extra_rows:
        g = pd.concat([g, pd.DataFrame(extra_rows)], ignore_index=True).fillna(
            {f"shared.{i['name']}": 0.0 for i in shared})
        g = g.groupby(["month", *tags, "kind"], sort=True, dropna=False).sum(numeric_only=True).reset_index()
    shared_cols = [f"shared.{i['name']}" for i in shared]
    g["shared"] = g[shared_cols].sum(axis=1) if shared_cols else 0.0
    g["total"] = g["direct"] + g["shared"]
    g = g.sort_values(["month", "kind", *tags], kind="stable").reset_index(drop=True)
    g = g[["month", *tags, "kind", "direct", *shared_cols, "shared", "total", "requests", "tokens"]]
    # unpriced bucket: counts and tokens, never a cost
    u = unp.copy()
    u["reason"] = u["status"].map(lambda s: STATUS[int(s)])
    u["tokens"] = u[list(TOKENS)].sum(axis=1)
    u = u.groupby(["month", "sku", "tier", "reason"], sort=True)[["rows", "requests", "tokens"]].sum().reset_index()
    # billed versus repriced, where the log carries what was billed
    b = agg[(agg["billed_rows"].fillna(0) > 0)]
    billed = pd.DataFrame(columns=["sku", "rows", "billed", "repriced", "difference", "difference_pct"])
    if not b.empty:
        bb = b.groupby("sku", sort=True).agg(rows=("billed_rows", "sum"), billed=("billed_cost", "sum"),
                                            repriced=("repriced_billed", lambda s: s.sum(min_count=1)))
        bb = bb.reset_index()
        bb["difference"] = bb["repriced"] - bb["billed"]
        bb["difference_pct"] = np.where(bb["billed"] != 0, 100 * bb["difference"] / bb["billed"].where(
            bb["billed"] != 0, np.nan), np.nan)
        billed = bb
    direct_total = float(priced["cost"].sum())
    shared_total = float(g["shared"].sum())
    totals = {
        "direct": direct_total, "shared": shared_total, "total": direct_total + shared_total,
        "allocated": float(g.loc[g["kind"] == "allocated", "total"].sum()),
        "unallocated": float(g.loc[g["kind"] == "unallocated", "total"].sum()),
        "unpriced_rows": int(unp["rows"].sum()), "unpriced_tokens": float(unp[list(TOKENS)].sum().sum()),
        "rows_read": int(rows), "rows_priced": int(priced["rows"].sum()), "rows_skipped": int(skipped),
        "skipped_by": dict(sorted((skipped_by or {}).items())), "months": months,
    }
    return Allocation(by, currency, g, priced.reset_index(drop=True), u, billed.reset_index(drop=True), shared,
                      totals, notes)


# ---- engines ------------------------------------------------------------------------------

def run(paths: list[Path], layout: Layout, by: list[str], book, shared: list[dict], on_error: str = "stop",
        engine: str = "local", scheduler: str | None = None, chunk_rows: int = CHUNK_ROWS,
        progress: Callable[[int], None] | None = None) -> Allocation:
    from aicost.usage.read import files_of

    files = [f for p in paths for f in files_of(Path(p))]
    rates = Rates(book)
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
    groups = merge_frames([part.groups for part in parts], by)
    agg = aggregate(price_frame(groups, rates), by)
    return allocate(agg, by, shared, book.currency, rows=sum(p.rows for p in parts),
                    skipped=sum(p.skipped for p in parts), skipped_by=skipped_by)


def load_shared(path: Path, by: list[str]) -> list[dict]:
    """Read and check a shared-costs file: all problems at once, as file:line."""
    from aicost.inputs.validate import validate
    from aicost.model.shared import SharedCostsFile
    from aicost.inputs.yamlio import load_file

    doc = load_file(path)
    spec = validate(doc, SharedCostsFile)
    problems = []
    for i, s in enumerate(spec.shared):
        if s.split == "fixed":
            key = s.key or by[0]
            if key not in by:
                problems.append(doc.problem(("shared", i, "key"), f"'{key}' is not one of --by ({', '.join(by)})"))
    if problems:
        raise InputError(problems)
    return [s.model_dump(mode="python") for s in spec.shared]
