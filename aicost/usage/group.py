"""Sum usage rows by group key: per piece, across a file's pieces, and across files.

The key is the price period (the first day of a run of days at the same prices in the same
month, see :meth:`~aicost.usage.price.Rates.periods`), provider, model, tier, long-context
bucket, billed or not, and the --by tags. Keys are held as small integers (text keys as ids in
a :class:`Labels`) and only the counts a log has are summed, so a group costs about 60 bytes:
a log with a million distinct tag values stays within a few hundred megabytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aicost.usage.cells import text_codes
from aicost.usage.layouts import COUNTS, Layout
from aicost.usage.price import Rates, dense_unique

GROUP_SUMS = (*COUNTS, "billed_cost")
MAX_PROBLEMS = 200


@dataclass
class Groups:
    """Summed usage: one entry per distinct key; ``keys`` hold integer codes (text keys as ids
    in a :class:`Labels`), ``sums`` the summed counts (only the columns a log has: one that is
    missing is zero throughout), ``rows`` the number of rows."""

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
        vals = uniques if isinstance(uniques, list) and all(type(u) is str for u in uniques) else \
            list(map(str, uniques))
        with self._lock:
            ids, values = self._ids[name], self.values[name]
            got = list(map(ids.get, vals))  # known values looked up in C; new ones numbered below
            if None in got:
                for j in [j for j, i in enumerate(got) if i is None]:
                    i = ids.get(vals[j])
                    if i is None:
                        i = ids[vals[j]] = len(values)
                        values.append(vals[j])
                    got[j] = i
        got.append(-1)
        return np.fromiter(got, dtype=np.int32, count=len(got))[codes]

    def done(self) -> None:
        """No more lookups: let the lookup tables go (the values stay)."""
        self._ids = {k: {} for k in self._ids}


def text_keys(by: list[str]) -> list[str]:
    return ["provider", "model", *[f"tag.{k}" for k in by]]


def group_keys(by: list[str]) -> list[str]:
    return ["day", "provider", "model", "tier", "lcb", "hb", *[f"tag.{k}" for k in by]]


def reduce(frame: pd.DataFrame, valid: np.ndarray, by: list[str], rates: Rates, labels: Labels,
           layout: Layout | None = None, found: list | None = None) -> Groups:
    """Sum a normalised chunk's valid rows by :func:`group_keys`. With ``found`` (a list), rows
    naming a model no table knows are added to it as problems and left out."""
    cols: dict[str, np.ndarray] = {"day": rates.periods(frame["day"].to_numpy()).astype(np.int32)}
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
    ``keys`` (see :func:`number`); the groups come in the order of their keys."""
    n = len(next(iter(keys.values())))
    if n == 0:
        return Groups({k: v[:0] for k, v in keys.items()}, {k: v[:0].astype(float) for k, v in sums.items()},
                      np.zeros(0, dtype=np.int64))
    inv, k, rep = number(keys)
    out_keys = {name: v[rep] for name, v in keys.items()}
    out_sums = {c: np.bincount(inv, weights=w, minlength=k) for c, w in sums.items()}
    count = np.bincount(inv, minlength=k) if rows is None else np.bincount(inv, weights=rows, minlength=k)
    return Groups(out_keys, out_sums, count.astype(np.int64))


def number(keys: dict[str, np.ndarray]) -> tuple[np.ndarray, int, np.ndarray]:
    """Number the distinct combinations of the integer ``keys`` 0..k-1 in the order of their
    values (the first key first): each row's number, k, and a row of each."""
    _, inv = dense_unique(pack(keys))
    k = int(inv.max()) + 1
    rep = np.empty(k, dtype=np.int64)
    rep[inv] = np.arange(len(inv), dtype=np.int32 if len(inv) < 2**31 else np.int64)  # a row of each group
    return inv, k, rep


def pack(keys: dict[str, np.ndarray]) -> np.ndarray:
    """The integer ``keys`` packed into one integer per row that sorts as they do (a key that is
    the same on every row adds nothing): no sorting of rows, no hashing of text."""
    gid = np.zeros(len(next(iter(keys.values()))), dtype=np.int64)
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
    return gid


def combine(parts: list[Groups], remap: dict[str, np.ndarray] | None = None, regroup: bool = False) -> Groups:
    """Sum group tables that share one numbering of labels, in the order given (one table is
    taken as it is, unless ``regroup``); with ``remap`` (per text key, a table from id to new id,
    -1 last), the ids are renumbered first. The parts are used up: each column is let go once
    gathered, so the sum needs little more memory than its parts."""
    if len(parts) == 1 and remap is None and not regroup:
        return parts[0]
    names = list(parts[0].keys)
    keys = {}
    for name in names:
        v = np.concatenate([p.keys.pop(name) for p in parts])
        keys[name] = remap[name][v] if remap is not None and name in remap else v
    inv, k, rep = number(keys)
    out_keys = {name: keys.pop(name)[rep] for name in names}
    sums = {}
    for c in GROUP_SUMS:
        if any(c in p.sums for p in parts):
            w = np.concatenate([p.sums.pop(c) if c in p.sums else np.zeros(len(p)) for p in parts])
            sums[c] = np.bincount(inv, weights=w, minlength=k)
    rows = np.bincount(inv, weights=np.concatenate([p.rows for p in parts]), minlength=k).astype(np.int64)
    return Groups(out_keys, sums, rows)


class Sums:
    """A file's groups as its pieces come, summed again from time to time. The groups are dealt
    into shards by their keys; a shard's new groups are copied into arrays that it keeps from
    one sum to the next (so that no small arrays are left strewn over the heap), and the shard
    is summed again before its new groups would outnumber half of its sum so far (or a share of
    ``least``): memory stays within about 1.5 times the distinct groups plus one shard's working
    arrays, and each group is summed a bounded number of times, however many distinct tag
    values the log has."""

    def __init__(self, least: int, shards: int = 8):
        self.base: list[Groups | None] = [None] * shards
        self.new = [_Pending() for _ in range(shards)]
        self.least = max(1, least // shards)
        self.summed_count = 0  # shards summed again so far

    def add(self, g: Groups) -> None:
        n = len(self.base)
        h = np.zeros(len(g), dtype=np.int64)
        for v in g.keys.values():
            h = h * 1_000_003 + v  # (wraps around: only spreads the groups)
        shard = np.mod(h, n).astype(np.uint8)
        order = np.argsort(shard, kind="stable")  # (a radix sort)
        cuts = np.searchsorted(shard[order], np.arange(n + 1))
        for s in range(n):
            rows = order[cuts[s]:cuts[s + 1]]
            base = self.base[s]
            if self.new[s].n and self.new[s].n + len(rows) > max(self.least, len(base) // 2 if base else 0):
                self.base[s] = self.summed(s)
            if len(rows):
                self.new[s].put(g, rows)

    def summed(self, s: int) -> Groups | None:
        """Shard ``s`` summed (its new groups taken in)."""
        base, new = self.base[s], self.new[s]
        if not new.n:
            return base
        self.base[s] = None
        out = combine([base, new.view()] if base is not None else [new.view()], regroup=True)
        new.n = 0
        self.summed_count += 1
        return out


class _Pending:
    """A shard's new groups, in arrays that grow as needed and are kept once emptied."""

    def __init__(self) -> None:
        self.cols: dict[tuple[str, str], np.ndarray] = {}
        self.n = 0

    def put(self, g: Groups, rows: np.ndarray) -> None:
        src = {**{("keys", k): v for k, v in g.keys.items()}, **{("sums", c): v for c, v in g.sums.items()},
               ("rows", ""): g.rows}
        end = self.n + len(rows)
        cap = len(next(iter(self.cols.values()))) if self.cols else 0
        if end > cap:
            cap = max(end, cap + cap // 2, 4096)
            for name, v in self.cols.items():
                self.cols[name] = np.concatenate([v[:self.n], np.zeros(cap - self.n, dtype=v.dtype)])
        for name, v in src.items():
            if name not in self.cols:  # a count first met now: zero so far
                self.cols[name] = np.zeros(cap, dtype=v.dtype)
            np.take(v, rows, out=self.cols[name][self.n:end])
        for name, v in self.cols.items():
            if name not in src:
                v[self.n:end] = 0
        self.n = end

    def view(self) -> Groups:
        part: dict[str, dict] = {"keys": {}, "sums": {}, "rows": {}}
        for (kind, name), v in self.cols.items():
            part[kind][name] = v[:self.n]
        return Groups(part["keys"], part["sums"], part["rows"][""])


def ordered(sums: Sums, labels: Labels) -> tuple[Groups | None, dict[str, list]]:
    """A file's groups summed into one table whose text ids are the rank of their text (-1,
    none, first), in the order of their keys' values, whatever order the pieces' threads met
    the labels in; and the text of each key, in that order. The shards are summed one at a
    time, then (their groups being distinct) put in order; ``sums`` is used up."""
    labels.done()
    values, remap = {}, {}
    for name, vals in labels.values.items():
        order = sorted(range(len(vals)), key=vals.__getitem__)
        rank = np.empty(len(vals) + 1, dtype=np.int32)
        rank[order] = np.arange(len(vals), dtype=np.int32)
        rank[-1] = -1
        values[name], remap[name] = list(map(vals.__getitem__, order)), rank
    parts = []
    for i in range(len(sums.base)):
        g = sums.summed(i)
        sums.base[i], sums.new[i] = None, _Pending()
        if g is not None:
            parts.append(g)
    if not parts:
        return None, values
    names = list(parts[0].keys)
    keys = {}
    for name in names:
        v = np.concatenate([p.keys.pop(name) for p in parts])
        keys[name] = remap[name][v] if name in remap else v
    perm = np.argsort(pack(keys))  # (the groups are distinct: no ties to keep in order)
    out = Groups({name: keys.pop(name)[perm] for name in names}, {}, np.concatenate([p.rows for p in parts])[perm])
    for p in parts:
        p.rows = p.rows[:0]
    for c in GROUP_SUMS:
        if any(c in p.sums for p in parts):
            out.sums[c] = np.concatenate([p.sums.pop(c) if c in p.sums else np.zeros(len(p)) for p in parts])[perm]
    return out, values


def _unknown_models(frame, cols, values, valid, rates: Rates, layout, found: list) -> None:
    """Rows naming a model no price table knows: each distinct provider and model is looked up
    once (a bincount over the pairs); only when one is unknown are its rows found and named."""
    provs, models = list(values["provider"]), list(values["model"])
    nm = len(models) + 1
    pair = (cols["provider"].astype(np.int64) + 1) * nm + (cols["model"] + 1)
    unknown = []
    for u in np.flatnonzero(np.bincount(pair)):
        pc, mc = divmod(int(u), nm)
        prov = str(provs[pc - 1]) if pc > 0 else None
        model = str(models[mc - 1]) if mc > 0 else None
        if model is not None and rates.entry(prov, model) is None and not rates.outside_geo(prov, model):
            unknown.append(u)  # (a known model run where it has no price is unpriced with that reason)
    if not unknown:
        return
    rows = np.flatnonzero(np.isin(pair, unknown) & valid)
    mcol = layout.columns.get("model", "model") if layout is not None else "model"
    model = frame["model"]
    for i in rows[:MAX_PROBLEMS]:
        m = model.iloc[i]
        found.append((int(i), mcol, f"unknown model {m!r}{rates.book.suggest(str(m))}", f"unknown model {m!r}"))
    valid[rows] = False


def groups_frame(g: Groups | None, values: dict[str, list], by: list[str]) -> pd.DataFrame:
    """Groups as a frame: text keys as categories (their values, missing for none), the sums
    the groups have (a missing column is zero throughout) and ``rows``."""
    if g is None:
        g = Groups({k: np.zeros(0, dtype=np.int32) for k in group_keys(by)}, {"requests": np.zeros(0)},
                   np.zeros(0, dtype=np.int64))
    out: dict[str, Any] = {}
    for k in group_keys(by):
        v = g.keys[k]
        if k in values:
            out[k] = pd.Categorical.from_codes(v, categories=pd.Index(values[k], dtype=object), validate=False)
        else:
            out[k] = v
    for c in GROUP_SUMS:
        if c in g.sums:
            out[c] = g.sums[c]
    out["rows"] = g.rows
    return pd.DataFrame(out, copy=False)


def merge_frames(frames: list[pd.DataFrame | None], by: list[str]) -> pd.DataFrame:
    """Sum the group frames of several files (in the order given) into one, in the order of the
    keys' values (text by its text, none first). One file's frame is already so."""
    frames = [f for f in frames if f is not None]
    if len(frames) == 1:
        return frames[0]
    if not frames:
        return groups_frame(None, {k: [] for k in text_keys(by)}, by)
    keys: dict[str, Any] = {}
    values = {}
    for k in group_keys(by):
        if k in text_keys(by):
            values[k] = sorted(set().union(*(f[k].cat.categories for f in frames)))
            at = pd.Index(values[k], dtype=object)
            luts = [np.append(at.get_indexer(f[k].cat.categories), -1).astype(np.int32) for f in frames]
            keys[k] = np.concatenate([lut[f[k].cat.codes.to_numpy()] for lut, f in zip(luts, frames)])
        else:
            keys[k] = np.concatenate([f[k].to_numpy() for f in frames])
    sums = {c: np.concatenate([f[c].to_numpy() if c in f else np.zeros(len(f)) for f in frames])
            for c in GROUP_SUMS if any(c in f for f in frames)}
    g = group_sum(keys, sums, np.concatenate([f["rows"].to_numpy() for f in frames]))
    return groups_frame(g, values, by)
