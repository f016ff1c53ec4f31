"""What-if sweeps: one or two scenario fields varied over a range, every option at every point.

Each varied field (:class:`aicost.inputs.vary.Vary`, parsed from ``--vary``) has a range;
two fields make a grid. The points go through the one vectorised engine (in chunks, on every
core, in two passes that keep nothing as wide as every option at every point); a sweep point
equals ``compare`` with the same ``--set`` exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aicost.engine.designs import Designs
from aicost.engine.moves import Chunks
from aicost.inputs.vary import Vary

METRICS = {"total_cost_per_success": "min", "cost_per_success": "min", "cost_per_resolved_task": "min", "monthly_cost": "min", "roi": "max",
           "net_monthly": "max", "cost_per_attempt": "min"}
CHUNK = 16384  # points a chunk at most
CELLS = CHUNK * 64  # engine rows x points a chunk at most: 64 hosted options at CHUNK points


def grid(varies: list[Vary]) -> list[np.ndarray]:
    """Every point at once: one array per field (a grid when there are two, first field slowest)."""
    points = Points(varies)
    return points.at(slice(0, points.n))


class Points:
    """A sweep's points as :func:`grid` lists them, made a piece at a time (never held whole):
    ``at(i)`` is each field's value at point numbers ``i``."""

    def __init__(self, varies: list[Vary] | None = None, given: list[np.ndarray] | None = None):
        self.varies, self.given = varies, given
        self.n = given[0].size if given is not None else int(np.prod([v.steps for v in varies or []]))

    def at(self, i) -> list[np.ndarray]:
        if self.given is not None:
            return [x[i] for x in self.given]
        i = np.arange(i.start, i.stop) if isinstance(i, slice) else np.asarray(i, dtype=np.int64)
        varies = self.varies or []
        if len(varies) == 1:
            return [varies[0].at(i)]
        across = varies[1].steps
        return [varies[0].at(i // across), varies[1].at(i % across)]


def chunk_points(designs: Designs, which: list[int]) -> int:
    """Points a chunk: at most CHUNK, and at most CELLS over the engine rows the options ``which``
    take (a self-hosted option is costed at every replica size it keeps, a row each), so that a
    chunk's arrays are the same size whatever the options: self-hosted-wins' 120 GPU options at
    4 sizes and 24 hosted ones, 2,080 points; a chunk of 16,384 there held ~700 MB."""
    rows = 0
    for i in which:
        k, j = designs.locate(i)
        plan = designs.parts[k][0]
        o = plan.options[plan.select[j] if plan.select is not None else j]
        rows += int(plan.gpu["gpus_per_replica"].shape[1]) if o.kind == "gpu" and plan.gpu else 1
    return max(256, min(CHUNK, CELLS // max(rows, 1)))


def run(designs: Designs, varies: list[Vary], metric: str = "total_cost_per_success", chunk: int | None = None,
        progress=None, order: np.ndarray | None = None, every: bool = True) -> dict[str, Any]:
    """The first of a sweep's two passes: at every point the winner and the runner-up over every
    design's options (-1: none usable), their metric, and every option's metric at the middle
    point (NaN where an option is not usable). Chunks run on threads, each ranked while its
    arrays are still in cache; nothing (options, points) wide is kept. With ``every=False`` only
    a summary is kept (``index``: the points of :func:`aicost.results.whatif.samples` and both
    sides of every change of winner), so memory does not grow with the points. Options that no
    point can make usable (not offered, or too slow for a latency need the sweep leaves alone)
    are not evaluated. The options shown are then evaluated on their own by :func:`rows`."""
    from concurrent.futures import ThreadPoolExecutor

    from aicost.engine.sampling import WORKERS, ordered

    ties = np.arange(len(designs)) if order is None else np.asarray(order)
    points = Points(varies)
    n = points.n
    _replan(designs, n)
    mid = n // 2
    sign = 1.0 if METRICS[metric] == "min" else -1.0
    # the options that can win, in compare's order among equals: the first of equal figures wins
    can = set(alive(designs, varies))
    live = [int(i) for i in np.argsort(ties, kind="stable") if i in can]
    evaluate = Chunks(designs, live, [v.path for v in varies], points, metric)  # rows in tie order
    chunk = chunk or chunk_points(designs, live)
    live_ids = np.asarray(live + [-1], np.int32)  # row -1 (none usable) maps to -1
    middle = np.full(len(designs), np.nan)
    keep = Kept(n, every)

    def part(start, stop):
        width = stop - start
        m = evaluate(start, stop)
        key = np.where(np.isnan(m), np.inf, sign * m)
        cols = np.arange(width)
        # as compare ranks: figures at 12 significant digits, ties by ``order`` (the rows' order)
        first = least(key) if len(live) else np.zeros(width, np.int64)
        has_first = np.isfinite(key[first, cols]) if len(live) else np.zeros(width, bool)
        if len(live) > 1:
            rest = key.copy()
            rest[first, cols] = np.inf
            second = least(rest)
        else:
            second = first
        has_second = (second != first) & (np.isfinite(key[second, cols]) if len(live) > 1 else False)
        w = live_ids[np.where(has_first, first, -1)]
        r = live_ids[np.where(has_second, second, -1)]
        wv = np.where(has_first, m[first, cols], np.nan) if len(live) else np.full(width, np.nan)
        rv = np.where(has_second, m[second, cols], np.nan) if len(live) > 1 else np.full(width, np.nan)
        if start <= mid < stop:
            middle[live] = m[:, mid - start]
        return start, stop, w, r, wv, rv

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for start, stop, *got in ordered(pool, part, ((s, min(n, s + chunk)) for s in range(0, n, chunk))):
            keep.add(start, stop, *got)
            if progress:
                progress(stop)
    index = keep.index()
    return {"x": points.at(index), "index": None if every else index, **keep.arrays(),
            "middle": middle, "metric": metric, "n": n}


class Kept:
    """The first pass's winners and runners-up as chunks come in, in order: at every point, or
    (``every=False``) at the summary's points only."""

    def __init__(self, n: int, every: bool):
        from aicost.results.whatif import samples

        self.every, self.n = every, n
        self.parts: list[tuple] = []  # (points, winner, runner-up, their values) per chunk
        self.fixed: np.ndarray = np.zeros(0, np.int64) if every else samples(n)
        self.last: tuple | None = None  # the previous chunk's last point: one side of a change
        self.last_picked = False

    def add(self, start: int, stop: int, w, r, wv, rv) -> None:
        if self.every:
            self.parts.append((None, w, r, wv, rv))
            return
        change = w != np.concatenate([[self.last[1] if self.last else w[0]], w[:-1]])
        pick = change.copy()
        pick[:-1] |= change[1:]  # both sides of a change inside the chunk
        lo, hi = np.searchsorted(self.fixed, [start, stop])
        pick[self.fixed[lo:hi] - start] = True
        if change[0] and self.last is not None and not self.last_picked:  # a change at the chunk's start
            self.parts.append(tuple(np.asarray([v]) for v in self.last))
        pts = np.arange(start, stop)
        self.parts.append((pts[pick], w[pick], r[pick], wv[pick], rv[pick]))
        self.last, self.last_picked = (stop - 1, w[-1], r[-1], wv[-1], rv[-1]), bool(pick[-1])

    def index(self) -> np.ndarray:
        if self.every:
            return np.arange(self.n)
        return np.concatenate([p[0] for p in self.parts]) if self.parts else np.zeros(0, np.int64)

    def arrays(self) -> dict[str, np.ndarray]:
        names = ("winner", "runner_up", "winner_value", "runner_value")
        types = (np.int32, np.int32, float, float)
        if not self.parts:
            return {k: np.zeros(0, t) for k, t in zip(names, types)}
        return {k: np.concatenate([p[j + 1] for p in self.parts]).astype(t, copy=False)
                for j, (k, t) in enumerate(zip(names, types))}


def alive(designs: Designs, varies: list[Vary]) -> list[int]:
    """The options some point of the sweep could make usable: all but those not offered at all,
    and, when no varied field is a latency need or a tier's behaviour, those too slow for it (a
    tier's time against the need: the same at every point). Each design's plan is evaluated once
    at its own values. A request mix keeps every option (its routed option needs them)."""
    from aicost.engine.evaluate import evaluate

    timing = any(v.path[0] in ("latency", "tier_behaviour") for v in varies)
    out: list[int] = []
    offset = 0
    for plan, values in designs.parts:
        k = len(plan)
        if plan.segments:
            out += range(offset, offset + k)
        else:
            flags = evaluate(plan, values, meters=False)["flags"]
            dead = np.asarray(np.asarray(flags["not_offered"]).reshape(k, -1).all(axis=1))
            if not timing:
                dead = dead | np.asarray(flags["too_slow"]).reshape(k, -1).all(axis=1)
            out += [offset + j for j in range(k) if not dead[j]]
        offset += k
    return out


def rows(designs: Designs, varies: list[Vary], first: dict[str, Any], which: list[int], chunk: int | None = None,
         progress=None, whole: bool = False) -> np.ndarray:
    """The second pass: the metric of the options ``which`` at every point, (len(which), points),
    written chunk by chunk into the one array returned (at the points :func:`run` kept). Only those options are evaluated (each
    design's plan cut to them, one engine call per design and chunk): the engine works option by
    option, so each comes out exactly as among all of them. ``first``, :func:`run`'s result, makes
    that sure where it is known (each winner's value, the middle point); if it ever differs, every
    option is evaluated as in the first pass (``whole``) and the rows are taken from that."""
    from concurrent.futures import ThreadPoolExecutor

    from aicost.engine.sampling import WORKERS, ordered

    xs, metric = first["x"], first["metric"]
    n = xs[0].size  # the points kept (every point, or a summary's)
    _replan(designs, first["n"])
    out = np.empty((len(which), n))
    if not which:
        return out
    evaluate = Chunks(designs, list(which), [v.path for v in varies], Points(given=xs), metric) if not whole else None
    chunk = chunk or chunk_points(designs, list(range(len(designs))) if whole else list(which))
    index = first.get("index")
    mid = first["n"] // 2 if index is None else int(np.searchsorted(index, first["n"] // 2))
    shown, differs = np.asarray(which), []

    def part(start, stop):
        if evaluate is not None:
            got = evaluate(start, stop)
        else:  # every option, as the first pass evaluated them
            m = designs.metric(metric, {var.path: x[start:stop] for var, x in zip(varies, xs)})
            got = np.broadcast_to(m, (len(designs), stop - start))[shown]
        out[:, start:stop] = got
        won = first["winner"][start:stop][None, :] == shown[:, None]
        same = np.array_equal(got[won], np.broadcast_to(first["winner_value"][start:stop], won.shape)[won])
        if start <= mid < stop:
            same &= np.array_equal(got[:, mid - start], first["middle"][shown], equal_nan=True)
        if not same:
            differs.append(start)
        return stop

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for stop in ordered(pool, part, ((s, min(n, s + chunk)) for s in range(0, n, chunk))):
            if progress:
                progress(stop)
    if differs and not whole:
        return rows(designs, varies, first, which, chunk, progress, whole=True)
    return out


def _replan(designs: Designs, n: int) -> None:
    """GPU options are planned again at each point of a sweep of up to REPLAN_MAX points (exactly
    as compare --set would), else stretched from the nominal plan: decided once for the whole
    sweep, so that no chunk differs from another."""
    if not any(plan.gpu_quality for plan, _ in designs.parts):  # no GPU option (nor its planner) to load
        return
    from aicost.engine.selfhost import REPLAN_MAX

    for plan, _ in designs.parts:
        plan.replan = n <= REPLAN_MAX


def least(key: np.ndarray) -> np.ndarray:
    """Per column, the first row whose figure at 12 significant digits is the least: what
    ``np.argmin(significant(key), axis=0)`` gives, without rounding every figure. Rounding never
    reverses an order, so only figures within a rounding step of the column's least (2e-10 of
    it, a generous bound) can round to the same; where a column has more than one of those,
    they are rounded and compared."""
    low = key.min(axis=0)
    with np.errstate(invalid="ignore"):  # (a column of inf, all unusable: every row, and the first wins)
        near = key <= np.where(np.isfinite(low), low + np.abs(low) * 2e-10, low)
    pick = near.argmax(axis=0)
    some = np.nonzero(np.count_nonzero(near, axis=0) > 1)[0]
    if some.size:
        sub = np.where(near[:, some], significant(key[:, some]), np.inf)
        pick[some] = np.argmin(sub, axis=0)
    return pick


def significant(x: np.ndarray, digits: int = 12) -> np.ndarray:
    """``x`` rounded to ``digits`` significant digits (infinities and zeros kept), so rounding noise
    never orders two options."""
    with np.errstate(all="ignore"):
        finite = np.isfinite(x) & (x != 0)
        scale = np.where(finite, 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(np.where(finite, x, 1.0))))), 1.0)
        return np.where(finite, np.round(x * scale) / scale, x)
