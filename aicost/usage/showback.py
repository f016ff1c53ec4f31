"""Showback from usage logs: read, price, aggregate, then allocate to teams with shared costs.

One file is processed by :func:`process_file` (chunks of a million rows; memory stays bounded
by the chunk and the number of distinct groups). The local engine runs it on each file in
turn; the Dask engine runs it on each partition file on the cluster's workers. Both merge the
per-file aggregates with :func:`merge` and allocate with :func:`allocate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..errors import InputError, Problem
from .layouts import COUNTS, TOKENS, Layout
from .price import COST_METERS, STATUS, Rates, price_frame
from .read import CHUNK_ROWS, Restart, normalise, raw_chunks

SUM_COLS = ("rows", *COUNTS, *(f"cost.{m}" for m in COST_METERS), "cost", "billed_cost", "billed_rows",
            "repriced_billed")
UNALLOCATED = "(unallocated)"
MAX_PROBLEMS = 200


@dataclass
class FilePart:
    """What one file (or partition) gives: its aggregate, the problems found and counts."""

    agg: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    n_problems: int = 0
    rows: int = 0
    skipped: int = 0
    skipped_by: dict[str, int] = field(default_factory=dict)


def process_file(path: str | Path, layout: Layout, by: list[str], rates: Rates, on_error: str = "stop",
                 chunk_rows: int = CHUNK_ROWS, progress: Callable[[int], None] | None = None) -> FilePart:
    """Read, check, price and aggregate one usage file, chunk by chunk."""
    path = Path(path)
    try:
        return _process(path, layout, by, rates, on_error, chunk_rows, progress, careful=False)
    except Restart:
        return _process(path, layout, by, rates, on_error, chunk_rows, progress, careful=True)


def _process(path, layout, by, rates, on_error, chunk_rows, progress, careful) -> FilePart:
    part = FilePart(agg=pd.DataFrame())
    aggs = []
    for raw, first, line_offset, pos in prefetch(raw_chunks(path, layout, chunk_rows, careful)):
        try:
            frame, found, valid = normalise(raw, layout, by)
        except InputError as exc:
            raise InputError([Problem(str(path), None, "", p.message) for p in exc.problems]) from None
        part.rows += len(frame)
        frame = price_frame(frame, rates)
        if on_error == "stop":  # a model no table knows is a bad row too (with --on-error skip: unpriced)
            unknown = np.flatnonzero((frame["status"].to_numpy() == 1) & valid)
            mcol = layout.columns.get("model", "model")
            for i in unknown[:MAX_PROBLEMS]:
                m = frame["model"].iloc[i]
                found.append((int(i), mcol, f"unknown model {m!r}{rates.book.suggest(str(m))}"))
            valid = valid.copy()
            valid[unknown] = False
        found.sort(key=lambda x: x[0])
        for i, col, msg in found:
            line = first + i + line_offset if line_offset is not None else None
            where = f"row {first + i}" + (f": {col}" if col else "")
            if len(part.problems) < MAX_PROBLEMS:
                part.problems.append(Problem(str(path), line, where, msg))
            part.n_problems += 1
        n_bad = int((~valid).sum())
        if n_bad:
            part.skipped += n_bad
            for _, col, msg in found:
                key = f"{col}: {msg.split(':')[0].split(' (')[0]}"
                part.skipped_by[key] = part.skipped_by.get(key, 0) + 1
            frame = frame[valid]
        if on_error == "stop" and part.n_problems:
            continue  # keep reading: every problem in the file is reported at once
        aggs.append(aggregate(frame, by))
        if progress is not None:
            progress(pos)
    part.agg = merge(aggs) if aggs else _empty(by)
    return part


def prefetch(chunks):
    """Read the next chunk on a thread while this one is priced (the readers release the GIL)."""
    import queue
    import threading

    q: queue.Queue = queue.Queue(maxsize=1)
    done = object()
    stop = threading.Event()

    def work():
        try:
            for c in chunks:
                if stop.is_set():
                    return
                q.put(c)
            q.put(done)
        except BaseException as exc:  # raised again in the caller's thread
            q.put(exc)

    t = threading.Thread(target=work, daemon=True)
    t.start()
    try:
        while True:
            item = q.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while t.is_alive():  # let the reader finish its current piece and stop
            try:
                q.get(timeout=0.05)
            except queue.Empty:
                pass


def _empty(by: list[str]) -> pd.DataFrame:
    return pd.DataFrame({**{k: pd.Series(dtype=object) for k in _keys(by)},
                         **{c: pd.Series(dtype=float) for c in SUM_COLS}})


def _keys(by: list[str]) -> list[str]:
    return ["month", *[f"tag.{k}" for k in by], "sku", "tier", "status"]


def aggregate(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Sums by month, tags, model, tier and price status: one pass of bincounts over group ids
    built from the columns' codes (no sorting, no pandas groupby on a million rows)."""
    if frame.empty:
        return _empty(by)
    from .price import dense_unique

    months = frame["day"].to_numpy().astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    parts: list[tuple[np.ndarray, list]] = []
    m_u, m_codes = dense_unique(months)
    parts.append((m_codes, [str(np.datetime64(int(m), "M")) for m in m_u]))
    for k in [f"tag.{k}" for k in by] + ["sku", "tier"]:
        c = pd.Categorical(frame[k])
        parts.append((c.codes.astype(np.int64) + 1, [None] + list(c.categories)))
    st = frame["status"].to_numpy().astype(np.int64)
    parts.append((st, list(range(int(st.max()) + 1))))
    gid = np.zeros(len(frame), dtype=np.int64)
    for codes, labels in parts:
        gid = gid * len(labels) + codes
    ug, inv = dense_unique(gid)
    k = len(ug)
    cols = {}
    billed = frame["billed_cost"].to_numpy()
    has_billed = ~np.isnan(billed)
    cost = frame["cost"].to_numpy()
    for c in SUM_COLS:
        if c == "rows":
            w = None
        elif c == "billed_rows":
            w = has_billed.astype(float)
        elif c == "repriced_billed":
            w = np.where(has_billed, np.nan_to_num(cost), 0.0)
        else:
            w = np.nan_to_num(frame[c].to_numpy())
        cols[c] = np.bincount(inv, weights=w, minlength=k).astype(float)
    keys = {}
    rest = ug.copy()
    for (codes, labels), name in zip(reversed(parts), reversed(_keys(by))):
        idx = rest % len(labels)
        rest = rest // len(labels)
        keys[name] = np.array(labels, dtype=object)[idx]
    out = pd.DataFrame({**{n: keys[n] for n in _keys(by)}, **cols})
    out["status"] = out["status"].astype(np.int64)
    return out


def merge(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame()
    df = pd.concat(parts, ignore_index=True)
    keys = [c for c in df.columns if c not in SUM_COLS]
    for k in keys:
        df[k] = df[k].astype(object).where(df[k].notna(), None)
    out = df.groupby(keys, sort=False, dropna=False)[list(SUM_COLS)].sum(min_count=1).reset_index()
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
    from .read import files_of

    files = [f for p in paths for f in files_of(Path(p))]
    rates = Rates(book)
    if engine == "dask":
        from .dask_engine import run_parts

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
    agg = merge([part.agg for part in parts])
    return allocate(agg, by, shared, book.currency, rows=sum(p.rows for p in parts),
                    skipped=sum(p.skipped for p in parts), skipped_by=skipped_by)


def load_shared(path: Path, by: list[str]) -> list[dict]:
    """Read and check a shared-costs file: all problems at once, as file:line."""
    from ..model import validate
    from ..model.shared import SharedCostsFile
    from ..yamlio import load_file

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
