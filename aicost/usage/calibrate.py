"""Calibrate (docs/usage.md "Calibrate"): what a usage log says about a workload, per tag value:
requests a month, the day's shape by hour, each request's input, cached and output tokens as
distributions, and the cache hit rate. Read in one streamed pass; each request's token counts are
kept as weighted histograms on log-spaced bins (a row of N requests weighs N), so memory stays
flat whatever the log's length."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from aicost.base.errors import InputError, Problem
from aicost.usage.files import files_of
from aicost.usage.layouts import Layout
from aicost.usage.normalise import normalise
from aicost.usage.parse import parse
from aicost.usage.pieces import CHUNK_ROWS, chunks

#: Bin edges for a request's token counts: 0, then 1 to 10^8 at 64 bins a decade (3.7% wide).
EDGES = np.concatenate([[0.0, 0.5], np.logspace(0, 8, 8 * 64 + 1)])
KINDS = ("input", "cached", "output")


@dataclass
class Stats:
    requests: float = 0.0
    hours: np.ndarray = field(default_factory=lambda: np.zeros(24))  # requests by hour of the day (UTC)
    hist: dict = field(default_factory=lambda: {k: np.zeros(len(EDGES) - 1) for k in KINDS})
    cached_hit: np.ndarray = field(default_factory=lambda: np.zeros(len(EDGES) - 1))  # cached, where > 0
    tokens: dict = field(default_factory=lambda: {k: 0.0 for k in KINDS})
    models: dict = field(default_factory=dict)  # provider/model -> requests

    def quantile(self, kind: str, q: float, hist: np.ndarray | None = None) -> float:
        h = self.hist[kind] if hist is None else hist
        total = h.sum()
        if total <= 0:
            return 0.0
        full = np.flatnonzero(h)
        if len(full) == 1 and hist is None:  # every request in one bin: their mean is exact
            return self.tokens[kind] / self.requests if self.requests else 0.0
        c = np.cumsum(h) / total
        i = int(np.searchsorted(c, q, "left"))
        i = min(i, len(h) - 1)
        lo, hi = EDGES[i], EDGES[i + 1]
        before = c[i - 1] if i else 0.0
        frac = (q - before) / (c[i] - before) if c[i] > before else 0.5
        return float(lo * (hi / lo) ** frac) if lo > 0 else float(hi * frac)


def hour_of(ts: pd.Series, unit: str | None) -> np.ndarray:
    """The hour of the day (UTC) of each timestamp; -1 where it is not one."""
    if unit in ("s", "ms"):
        v = pd.to_numeric(ts, errors="coerce").to_numpy(dtype=float) / (1000.0 if unit == "ms" else 1.0)
        return np.where(np.isnan(v), -1, (np.floor(np.nan_to_num(v) / 3600) % 24)).astype(int)
    if pd.api.types.is_datetime64_any_dtype(ts.dtype):
        return ts.dt.hour.fillna(-1).astype(int).to_numpy()
    text = ts.astype("string")
    dated_only = (text.str.len() <= 10).fillna(True).to_numpy()  # a date has no hour
    t = pd.to_datetime(text, utc=True, errors="coerce", format="mixed")
    return np.where(dated_only, -1, t.dt.hour.fillna(-1).astype(int).to_numpy())


class _Groups:
    """Every group's sums as arrays (group x hour, group x bin), grown as new tag values appear;
    group 0 is the whole log."""

    def __init__(self) -> None:
        self.index: dict = {}  # tag value -> group (1...)
        self.requests = np.zeros(1)
        self.hours = np.zeros((1, 24))
        self.hist = {k: np.zeros((1, len(EDGES) - 1)) for k in KINDS}
        self.cached_hit = np.zeros((1, len(EDGES) - 1))
        self.tokens = {k: np.zeros(1) for k in KINDS}
        self.models: dict = {}  # (group, provider/model) -> requests

    def ids(self, values) -> np.ndarray:
        out = np.empty(len(values), dtype=np.int64)
        for i, v in enumerate(values):
            key = None if v is None or (isinstance(v, float) and v != v) else v
            if key not in self.index:
                self.index[key] = len(self.index) + 1
            out[i] = self.index[key]
        grow = len(self.index) + 1 - len(self.requests)
        if grow > 0:
            self.requests = np.pad(self.requests, (0, grow))
            self.hours = np.pad(self.hours, ((0, grow), (0, 0)))
            self.cached_hit = np.pad(self.cached_hit, ((0, grow), (0, 0)))
            for k in KINDS:
                self.hist[k] = np.pad(self.hist[k], ((0, grow), (0, 0)))
                self.tokens[k] = np.pad(self.tokens[k], (0, grow))
        return out

    def add(self, g: np.ndarray, w: np.ndarray, hours: np.ndarray, per: dict, models: np.ndarray) -> None:
        np.add.at(self.requests, g, w)
        ok = hours >= 0
        np.add.at(self.hours, (g[ok], hours[ok]), w[ok])
        for k in KINDS:
            b = np.clip(np.searchsorted(EDGES, per[k], "right") - 1, 0, len(EDGES) - 2)
            np.add.at(self.hist[k], (g, b), w)
            np.add.at(self.tokens[k], g, per[k] * w)
            if k == "cached":
                hit = per[k] > 0
                np.add.at(self.cached_hit, (g[hit], b[hit]), w[hit])
        for (gi, m), c in pd.Series(w).groupby([g, models]).sum().items():
            self.models[(int(gi), m)] = self.models.get((int(gi), m), 0.0) + float(c)

    def stats(self, gi: int, models: dict) -> Stats:
        return Stats(float(self.requests[gi]), self.hours[gi].copy(), {k: self.hist[k][gi].copy() for k in KINDS},
                     self.cached_hit[gi].copy(), {k: float(self.tokens[k][gi]) for k in KINDS}, models)


def collect(paths: list[Path], layout: Layout, by: str | None, chunk_rows: int = CHUNK_ROWS) -> tuple[dict, int]:
    """:class:`Stats` of the whole log (key None) and of each tag value (key ``("tag", value)``; an
    untagged row's value is None), and the days the log spans."""
    acc = _Groups()
    first, last = None, None
    tags = [by] if by else []
    for path in [f for p in paths for f in files_of(Path(p))]:
        name = str(path)
        for chunk in chunks(path, layout, chunk_rows):
            raw, broken = parse(chunk, set(), name)
            frame, found, valid = normalise(raw, layout, tags, broken)
            if found:
                i, col, msg, _ = found[0]
                first_row = chunk.first if chunk.first is not None else 1
                line = first_row + i + chunk.line_offset if chunk.line_offset is not None else None
                raise InputError([Problem(name, line, f"row {first_row + i}" + (f": {col}" if col else ""), msg)])
            if not len(frame):
                continue
            ts_col = layout.columns.get("timestamp")
            hours = hour_of(raw[ts_col], layout.time_unit) if ts_col in raw.columns else np.full(len(frame), -1)
            day = frame["day"].to_numpy()
            first = int(day.min()) if first is None else min(first, int(day.min()))
            last = int(day.max()) if last is None else max(last, int(day.max()))
            n = np.maximum(frame["requests"].to_numpy(dtype=float), 1.0)
            per = {"input": (frame["input_tokens"].to_numpy(dtype=float) + frame["cached_input_tokens"].to_numpy(
                dtype=float)) / n,
                   "cached": frame["cached_input_tokens"].to_numpy(dtype=float) / n,
                   "output": frame["output_tokens"].to_numpy(dtype=float) / n}
            prov = frame["provider"].astype(object)
            models = np.where(prov.isna().to_numpy(), frame["model"].astype(str).to_numpy(),
                              (prov.astype(str) + "/" + frame["model"].astype(str)).to_numpy())
            whole = np.zeros(len(frame), dtype=np.int64)
            acc.add(whole, n, hours, per, models)
            if by:
                codes, uniques = pd.factorize(frame[f"tag.{by}"].astype(object), use_na_sentinel=False)
                acc.add(acc.ids(list(uniques))[codes], n, hours, per, models)
    if first is None:
        raise InputError(Problem(str(paths[0]) if paths else "usage", None, "", "no usage rows to calibrate from"))
    models: dict = {}
    for (g, m), c in acc.models.items():
        models.setdefault(g, {})[m] = c
    stats = {None: acc.stats(0, models.get(0, {}))}
    for key, gi in acc.index.items():
        stats[("tag", key)] = acc.stats(gi, models.get(gi, {}))
    return stats, last - first + 1
