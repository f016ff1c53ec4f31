"""Monte Carlo over ranged inputs: percentiles and the chance each option is the cheapest.

Every ranged input is sampled (see :func:`aicost.inputs.ranges.sampler`); all options of every
design are evaluated on the same samples by the same vectorised engine as a single point, a chunk
at a time, and nothing as long as the sample count is kept: ten million samples need about the
memory of a hundred thousand. Per option: P10 / P50 / P90 of cost per success, monthly cost and
ROI over the samples where it is eligible and priced (exactly what ``np.percentile`` gives on all
of them, see :class:`Quantiles`), and ``p_cheapest``, the share of samples in which it has the
lowest cost per success among the options of every design usable there.
"""

from __future__ import annotations

import copy
from collections import deque
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from aicost.engine.evaluate import evaluate, usable
from aicost.engine.plan import Plan
from aicost.inputs.overrides import set_path
from aicost.inputs.ranges import sampler

SUMMARISED = ("cost_per_success", "monthly_cost", "roi")
PERCENTILES = (10, 50, 90)
CHUNK = None  # samples a chunk of bookkeeping: None picks it from the samples and options (chunk_size)
BLOCK = 2048  # samples an engine call: its temporaries (~40 KB a sample at 64 options) stay in cache
CELLS = 1 << 19  # figures (options x samples) a chunk holds at most: ~4 MB of each summarised figure
WORKERS = max(1, min(4, __import__("os").cpu_count() or 1))
KEEP = 16384  # samples whose figures are all kept before the percentile windows first narrow
WIDTH = 7.0  # half a window, in standard errors of the percentile's rank (a miss: about 1e-12 per edge)
NARROWEST = 1024  # an option's values needed before its windows narrow
BUDGET = 1 << 22  # kept values of one figure that make the windows narrow again before their time


def simulate(designs: list[tuple[Plan, dict, list]], n: int, seed: int | None, chunk: int | None = CHUNK,
             progress=None, keep: int = KEEP, width: float = WIDTH) -> list[list[dict[str, Any]]]:
    """Every option of every design (plan, scenario values, ranges) on ``n`` samples, the designs
    on the same draws: per design, per option in plan order, ``usable_share``, ``p_cheapest``
    (among the options of all designs) and the percentiles of each summarised figure.

    The samples are drawn and evaluated a chunk at a time (``chunk`` samples; by default as many
    as :func:`chunk_size` picks); only counts and the few values near each percentile are kept. In
    the rare run where a percentile falls outside the values kept for it, the samples are drawn and
    evaluated again (the same draws: a stream per range) with wider windows, then with none."""
    lives, parts = [], []
    for plan, values, _ in designs:
        # an option its model does not offer on its tier can never be usable: leave it out of the runs
        point = evaluate(plan, values, meters=False)
        live = [i for i in range(len(plan)) if not point["flags"]["not_offered"][i, 0]]
        sub = plan.subset(live)
        sub.replan = False  # samples stretch the nominal GPU plan, however many are drawn
        if sub.select is not None and sorted(sub.select) == list(range(len(sub.options))):
            # the smaller plan holds exactly these options: take its rows in its own order rather than
            # have the engine copy every figure into the order asked (a quarter of its time here)
            live = [live[sub.select.index(r)] for r in range(len(sub.options))]
            sub.select = None
        lives.append(live)
        parts.append((sub, values))
    entropy = np.random.SeedSequence(seed).entropy  # one seed for every design, even when it is None
    rows = sum(len(live) for live in lives)
    chunk = chunk or chunk_size(n, rows)
    usable_count = np.zeros(rows, np.int64)
    wins = np.zeros((rows, rows + 1), np.int64)  # [option, t]: samples it is among the t cheapest tied
    found: dict[tuple[str, int], Any] = {}
    widths = (width, 4 * width, None) if rows else ()
    for attempt, w in enumerate(widths):
        tracks = {k: Quantiles(rows, keep, w) for k in SUMMARISED}
        for stop, figures, ok, ties in _chunks(parts, [r for _, _, r in designs], n, entropy, chunk):
            for k in SUMMARISED:
                tracks[k].add(*figures[k])
            if attempt == 0:
                usable_count += ok
                wins += ties
                if progress:
                    progress(stop)
        for k, t in tracks.items():
            got, missed = t.results()
            found.update({(k, j): got[j] for j in range(rows) if not missed[j] and (k, j) not in found})
        if len(found) == rows * len(SUMMARISED):
            break
    with np.errstate(all="ignore"):
        p = (wins[:, 1:] / np.arange(1, rows + 1)).sum(axis=1) / n
    never = {"usable_share": 0.0, "p_cheapest": 0.0, **{k: None for k in SUMMARISED}}
    out, j = [], 0
    for (plan, _, _), live in zip(designs, lives):
        summaries = [dict(never) for _ in range(len(plan))]
        for i in live:
            summaries[i] = {"usable_share": float(usable_count[j] / n), "p_cheapest": float(p[j]),
                            **{k: found[k, j] for k in SUMMARISED}}
            j += 1
        out.append(summaries)
    return out


def chunk_size(n: int, rows: int) -> int:
    """Samples a chunk by default: each summarised figure of every option under ``CELLS`` values
    a chunk (its arrays stay a few MB, however many options; at least ``BLOCK`` samples), the
    chunks a multiple of the workers where each gets a block, and all of equal size (the workers
    finish together)."""
    k = -(-n // max(BLOCK, CELLS // max(rows, 1)))
    k = min(-(-k // WORKERS) * WORKERS, -(-n // BLOCK))
    return max(1, -(-n // max(k, 1)))


def _chunks(parts: list[tuple[Plan, dict]], ranges: list[list], n: int, entropy: Any,
            chunk: int) -> Iterator[tuple[int, dict[str, tuple], np.ndarray, np.ndarray]]:
    """Per chunk, in order: its end, each summarised figure of every live option of every design
    (NaN where the option is not usable or the figure not finite) as :meth:`Quantiles.add` takes it,
    usable counts, and win counts. Draws happen here, in order; the evaluations run on threads
    (numpy lets go of the GIL), a chunk's in engine calls of at most ``BLOCK`` samples."""
    from concurrent.futures import ThreadPoolExecutor

    draws = [sampler(r, entropy) for r in ranges]
    rows = sum(len(plan) for plan, _ in parts)

    def work(stop: int, size: int, drawn: list[dict]):
        figures = {k: np.empty((rows, size)) for k in SUMMARISED}
        ok_count = np.zeros(rows, np.int64)
        ties = np.zeros(rows * (rows + 1), np.int64)
        scenarios = [copy.deepcopy(values) for _, values in parts]  # the engine reads them, never writes
        blocks = -(-size // BLOCK)
        for b in range(blocks):
            lo, hi = size * b // blocks, size * (b + 1) // blocks
            cps, top = [], 0
            for (plan, _), v, d in zip(parts, scenarios, drawn):
                if not len(plan):
                    continue
                for path, x in d.items():
                    set_path(v, path, x[lo:hi])
                m = evaluate(plan, v, meters=False, want=SUMMARISED)
                shape = (len(plan), hi - lo)
                ok = np.broadcast_to(usable(m, "cost_per_success"), shape)
                for k in SUMMARISED:
                    x = np.broadcast_to(m[k], shape)
                    with np.errstate(invalid="ignore"):
                        figures[k][top:top + len(plan), lo:hi] = np.where(ok & np.isfinite(x), x, np.nan)
                cps.append(np.where(ok, figures["cost_per_success"][top:top + len(plan), lo:hi], np.inf))
                ok_count[top:top + len(plan)] += np.count_nonzero(ok, axis=1)
                top += len(plan)
            joint = np.concatenate(cps)
            low = joint.min(axis=0)
            tied = (joint == low) & np.isfinite(low)  # options with exactly the lowest cost share that sample's win
            r, c = np.nonzero(tied)
            ties += np.bincount(r * (rows + 1) + np.count_nonzero(tied, axis=0)[c], minlength=rows * (rows + 1))
        prepared = {}
        for k, x in figures.items():  # this chunk's arrays are its own: sorted where they lie
            x.sort(axis=1)
            prepared[k] = (x, np.count_nonzero(~np.isnan(x), axis=1))
        return stop, prepared, ok_count, ties.reshape(rows, rows + 1)

    def jobs():
        for start in range(0, n, chunk):
            stop = min(n, start + chunk)
            yield stop, stop - start, [d(stop - start) for d in draws]

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        yield from ordered(pool, work, jobs())


def ordered(pool, fn: Callable, jobs: Iterable[tuple], depth: int = 2 * WORKERS) -> Iterator:
    """``fn(*job)`` for each job on the pool, results in the jobs' order, at most ``depth`` in flight
    (so that chunks never pile up in memory, and jobs are made, in order, only as they are needed)."""
    pending: deque = deque()
    for job in jobs:
        pending.append(pool.submit(fn, *job))
        if len(pending) >= depth:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


class Quantiles:
    """P10 / P50 / P90 of each row's values, fed a chunk at a time, exactly as ``np.percentile``
    (linear interpolation) gives them on all the values, in memory that grows as the square root
    of their number rather than the number.

    A percentile needs the values at two ranks, fixed by the final count. Every value is kept
    until ``keep`` samples are in. From then on each percentile of each row has a window
    ``[lo, hi]`` around its current estimate, ``width`` standard errors of the rank on either side,
    that only ever narrows (each time the samples double, or when too much is kept): values below
    it are counted, values equal to an end are counted, values strictly inside are kept. At the end
    each rank is found from the count below and the values kept; one outside its window (about
    once in 10^8 runs at the default width) is reported as missed, for the caller to run again
    with wider windows. ``width=None`` never narrows.
    """

    def __init__(self, rows: int, keep: int = KEEP, width: float | None = WIDTH):
        self.rows, self.keep, self.width = rows, keep, width
        q = len(PERCENTILES)
        self.seen = np.zeros(rows, np.int64)
        self.lo, self.hi = np.full((q, rows), -np.inf), np.full((q, rows), np.inf)
        self.below, self.at_lo, self.at_hi = (np.zeros((q, rows), np.int64) for _ in range(3))
        # (row, value, count or None for ones) pieces: one store for all until the windows first narrow,
        # and until then each chunk's sorted rows as they came (merged, row by row, when first needed)
        self.kept: list[list[tuple]] = [[]]
        self.dense: list[np.ndarray] = []
        self.size = self.samples = 0
        self.next = keep

    @staticmethod
    def prepare(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A chunk (rows, samples; NaN: no value) as :meth:`add` takes it: each row sorted, NaN last,
        and each row's count of values (done on the worker threads)."""
        return np.sort(x, axis=1), np.count_nonzero(~np.isnan(x), axis=1)

    def add(self, s: np.ndarray, seen: np.ndarray) -> None:
        """One chunk, from :meth:`prepare`."""
        self.seen += seen
        self.samples += s.shape[1]
        if len(self.kept) == 1:  # every value
            self.dense.append(s)
            self.size += int(seen.sum())
        else:
            q = len(PERCENTILES)
            edges = np.concatenate([self.lo, self.hi]).T  # per row: each window's lo, then each hi
            first, last = np.empty(edges.shape, np.int64), np.empty(edges.shape, np.int64)
            inside: list[list] = [[] for _ in range(q)]
            for j in range(self.rows):
                row = s[j, :seen[j]]
                first[j] = f = row.searchsorted(edges[j], "left")
                last[j] = t = row.searchsorted(edges[j], "right")
                for k in range(q):
                    if f[q + k] > t[k]:  # strictly inside window k: after the values equal to lo, before hi
                        inside[k].append((j, row[t[k]:f[q + k]]))
            self.below += first[:, :q].T
            self.at_lo += (last[:, :q] - first[:, :q]).T
            self.at_hi += np.where(self.hi != self.lo, (last[:, q:] - first[:, q:]).T, 0)
            for k, got in enumerate(inside):
                if got:
                    self._keep(k, np.repeat(np.asarray([j for j, _ in got], np.int32), [len(v) for _, v in got]),
                               np.concatenate([v for _, v in got]))
        if self.width is not None and self.samples >= self.keep and (self.samples >= self.next
                                                                     or self.size > BUDGET):
            self._narrow_dense() if self.dense else self._narrow()
            self.next = 2 * self.samples

    def _keep(self, k: int, rows: np.ndarray, values: np.ndarray) -> None:
        if rows.size:
            self.kept[k].append((rows, values, None))
            self.size += rows.size

    def _compact(self, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Store ``k`` as one piece sorted by row then value, equal values counted once; and the
        cumulative counts, 0 first."""
        pieces = self.kept[k] or [(np.zeros(0, np.int32), np.zeros(0), None)]
        if len(pieces) == 1 and pieces[0][2] is not None:  # compacted already
            rows, vals, counts = pieces[0]
            return rows, vals, counts, np.concatenate([[0], np.cumsum(counts)])
        rows, vals = np.concatenate([r for r, _, _ in pieces]), np.concatenate([v for _, v, _ in pieces])
        counts = np.concatenate([np.ones(r.size, np.int64) if c is None else c for r, _, c in pieces])
        if len(pieces) > 1:  # each piece is sorted by row then value: order by row, then each row's values
            order = np.argsort(rows, kind="stable")
            rows, vals, counts = rows[order], vals[order], counts[order]
            bounds = np.searchsorted(rows, np.arange(self.rows + 1))
            for j in np.flatnonzero(np.diff(bounds) > 1):
                a, b = bounds[j], bounds[j + 1]
                order = np.argsort(vals[a:b], kind="stable")  # equal values keep their order, as they came
                vals[a:b], counts[a:b] = vals[a:b][order], counts[a:b][order]
        first = np.ones(rows.size, bool)
        first[1:] = (rows[1:] != rows[:-1]) | (vals[1:] != vals[:-1])
        if not first.all():
            starts = np.flatnonzero(first)
            rows, vals, counts = rows[starts], vals[starts], np.add.reduceat(counts, starts)
        self.kept[k] = [(rows, vals, counts)]
        return rows, vals, counts, np.concatenate([[0], np.cumsum(counts)])

    def _windows(self) -> list[tuple]:
        """Per percentile: its store compacted, and per row where its values start in it, how many
        it holds, and the window's size (the values equal to lo, the kept ones, those equal to hi)."""
        if len(self.kept) == 1:
            if self.dense:
                d = self._merged()
                self.kept[0].append((np.repeat(np.arange(self.rows, dtype=np.int32), self.seen), d[~np.isnan(d)],
                                     None))
            self._compact(0)
            self.kept = [list(self.kept[0]) for _ in PERCENTILES]
        out: list[tuple] = []
        for k in range(len(PERCENTILES)):
            same = next((w for w in out if self.kept[k] and w[0] is self.kept[k][0][0]), None)  # a shared store
            rows, vals, counts, cum = same[:4] if same else self._compact(k)
            bounds = same[7] if same else np.searchsorted(rows, np.arange(self.rows + 1))
            base, inner = cum[bounds[:-1]], cum[bounds[1:]] - cum[bounds[:-1]]
            out.append((rows, vals, counts, cum, base, inner, self.at_lo[k] + inner + self.at_hi[k], bounds))
        self.size = sum(w[0].size for w in out)
        return [w[:7] for w in out]

    @staticmethod
    def _entry(cum: np.ndarray, base: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """The index of the kept value at position ``pos`` among a row's kept values (clipped)."""
        return np.minimum(np.searchsorted(cum[1:], base + np.maximum(pos, 0), side="right"), max(cum.size - 2, 0))

    def _merged(self) -> np.ndarray:
        """Every value so far, (rows, samples), each row sorted (NaN last): the chunks' rows merged
        by a stable sort (equal values keep the order they came in, as the store's sort keeps them)."""
        d = self.dense[0] if len(self.dense) == 1 else np.sort(np.concatenate(self.dense, axis=1), axis=1,
                                                               kind="stable")
        self.dense = []
        return d

    def _narrow_dense(self) -> None:
        """The first narrowing, from every value so far: what :meth:`_narrow` does to the store of
        every value, read straight off each sorted row (no store of a million values to build)."""
        d, m, seen = self._merged(), np.maximum(self.seen, 1), self.seen
        self.kept = []
        for k, pct in enumerate(PERCENTILES):
            p = pct / 100
            w = self.width * np.sqrt(p * (1 - p) / m) + 2 / m
            a = np.floor((p - w) * (m - 1)).astype(np.int64)  # positions in the row (nothing below yet)
            b = np.minimum(np.ceil((p + w) * (m - 1)).astype(np.int64) + 1, m - 1)
            ok = (seen >= NARROWEST) & (seen > 0) & (a < seen) & (b >= 0)
            up, down = ok & (a >= 0), ok & (b < seen - 1)
            rows, vals = [], []
            for j in range(self.rows):
                row = d[j, :seen[j]]
                start, stop = 0, seen[j]
                if up[j]:
                    self.lo[k, j] = v = row[a[j]]
                    self.below[k, j], start = row.searchsorted(v, "left"), row.searchsorted(v, "right")
                    self.at_lo[k, j] = start - self.below[k, j]
                if down[j]:
                    self.hi[k, j] = v = row[b[j]]
                    stop = row.searchsorted(v, "left")
                    self.at_hi[k, j] = 0 if self.hi[k, j] == self.lo[k, j] else row.searchsorted(v, "right") - stop
                if stop > start:
                    rows.append(np.full(stop - start, j, np.int32))
                    vals.append(row[start:stop])
            self.kept.append([(np.concatenate(rows), np.concatenate(vals), None)] if rows else [])
            self._compact(k)
        self.size = sum(piece[0][0].size for piece in self.kept)

    def _narrow(self) -> None:
        """Each row's windows cut down to ``width`` standard errors around the rank of its percentile."""
        m = np.maximum(self.seen, 1)
        for k, ((rows, vals, counts, cum, base, inner, size), pct) in enumerate(zip(self._windows(), PERCENTILES)):
            p = pct / 100
            lo, hi, below, at_lo, at_hi = self.lo[k], self.hi[k], self.below[k], self.at_lo[k], self.at_hi[k]
            d = self.width * np.sqrt(p * (1 - p) / m) + 2 / m
            a = np.floor((p - d) * (m - 1)).astype(np.int64) - below  # positions in the window
            b = np.minimum(np.ceil((p + d) * (m - 1)).astype(np.int64) + 1, m - 1) - below
            ok = (self.seen >= NARROWEST) & (size > 0) & (a < size) & (b >= 0)  # else leave it: the end tells
            if not vals.size:
                vals, counts = np.zeros(1), np.zeros(1, np.int64)
            i, h = self._entry(cum, base, a - at_lo), self._entry(cum, base, b - at_lo)
            up = ok & (a >= at_lo)  # lo moves up: to a kept value, or to hi
            kept_lo, to_hi = up & (a < at_lo + inner), up & (a >= at_lo + inner)
            down = ok & (b < size - 1)  # hi moves down: to a kept value, or to lo
            kept_hi, to_lo = down & (b >= at_lo) & (b < at_lo + inner), down & (b < at_lo)
            new_lo = np.where(kept_lo, vals[i], np.where(to_hi, hi, lo))
            new_below = below + np.where(kept_lo, at_lo + cum[i] - base, np.where(to_hi, at_lo + inner, 0))
            new_at_lo = np.where(kept_lo, counts[i], np.where(to_hi, at_hi, at_lo))
            new_hi = np.where(kept_hi, vals[h], np.where(to_lo, lo, hi))
            new_at_hi = np.where(kept_hi, counts[h], np.where(to_lo, 0, at_hi))
            self.lo[k], self.hi[k], self.below[k], self.at_lo[k] = new_lo, new_hi, new_below, new_at_lo
            self.at_hi[k] = np.where(new_lo == new_hi, 0, new_at_hi)
            r, v, c = self.kept[k][0]
            keep = (v > new_lo[r]) & (v < new_hi[r])
            self.kept[k] = [(r[keep], v[keep], c[keep])]
        self.size = sum(piece[0][0].size for piece in self.kept)

    def results(self) -> tuple[list[dict[str, float] | None], np.ndarray]:
        """Each row's percentiles (None when it has no value), as ``np.percentile`` computes them
        (the values at ranks floor(h) and floor(h) + 1, h = (m - 1) q, interpolated the same way),
        and which rows had a rank outside its window."""
        m = self.seen
        missed = np.zeros(self.rows, bool)
        figures = []
        for k, ((rows, vals, counts, cum, base, inner, size), pct) in enumerate(zip(self._windows(), PERCENTILES)):
            h = (m - 1) * (pct / 100)
            prev = np.floor(h)
            t = h - prev
            ends = []
            for rank in (prev.astype(np.int64), np.minimum(prev.astype(np.int64) + 1, m - 1)):
                pos = rank - self.below[k]
                missed |= (m > 0) & ((pos < 0) | (pos >= size))
                i = self._entry(cum, base, pos - self.at_lo[k])
                held = vals[i] if vals.size else np.zeros(self.rows)
                ends.append(np.where(pos < self.at_lo[k], self.lo[k],
                                     np.where(pos < self.at_lo[k] + inner, held, self.hi[k])))
            a, b = ends
            with np.errstate(invalid="ignore"):  # rows without a value: their ends are infinite
                diff = b - a  # numpy's _lerp, step by step
                figures.append(np.where(t >= 0.5, b - diff * (1 - t), a + diff * t))
        out: list[dict[str, float] | None] = [
            None if m[j] == 0 else {f"p{pct}": float(f[j]) for pct, f in zip(PERCENTILES, figures)}
            for j in range(self.rows)]
        return out, missed
