"""Sum usage rows by group key: per piece, across a file's pieces, and across files.

The key is day, provider, model, tier, long-context bucket, billed or not, and the --by tags.
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
        found.append((int(i), mcol, f"unknown model {m!r}{rates.book.suggest(str(m))}", f"unknown model {m!r}"))
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
