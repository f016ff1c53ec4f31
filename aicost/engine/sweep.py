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
from aicost.inputs.vary import Vary

METRICS = {"total_cost_per_success": "min", "cost_per_success": "min", "cost_per_resolved_task": "min", "monthly_cost": "min", "roi": "max",
           "net_monthly": "max", "cost_per_attempt": "min"}
CHUNK = 4096


def grid(varies: list[Vary]) -> list[np.ndarray]:
    """The points: one array per field (a grid when there are two, first field slowest)."""
    axes = [v.values() for v in varies]
    if len(axes) == 1:
        return axes
    a, b = np.meshgrid(axes[0], axes[1], indexing="ij")
    return [a.ravel(), b.ravel()]


def run(designs: Designs, varies: list[Vary], metric: str = "total_cost_per_success", chunk: int = CHUNK,
        progress=None, order: np.ndarray | None = None) -> dict[str, Any]:
    """The first of a sweep's two passes: at every point the winner and the runner-up over every
    design's options (-1: none usable), their metric, and every option's metric at the middle
    point (NaN where an option is not usable). Chunks run on threads, each ranked while its
    arrays are still in cache; nothing (options, points) wide is kept, so a sweep of 10 million
    points holds a few arrays of 10 million. The options shown are then evaluated on their own
    by :func:`rows`."""
    from concurrent.futures import ThreadPoolExecutor

    from aicost.engine.sampling import WORKERS, ordered

    ties = np.arange(len(designs)) if order is None else order  # default: the plans' own order
    xs = grid(varies)
    n = xs[0].size
    _replan(designs, n)
    mid = n // 2
    sign = 1.0 if METRICS[metric] == "min" else -1.0
    winner, runner = np.empty(n, np.int32), np.empty(n, np.int32)
    winner_value, runner_value = np.empty(n), np.empty(n)
    middle = np.full(len(designs), np.nan)

    def part(start, stop):
        width = stop - start
        # only the varied paths are replaced, so a shallow copy down those paths is enough
        masked = designs.metric(metric, {var.path: x[start:stop] for var, x in zip(varies, xs)})
        masked = np.ascontiguousarray(np.broadcast_to(masked, (len(designs), width)))
        key = np.where(np.isnan(masked), np.inf, sign * masked)
        cols = np.arange(width)
        # as compare ranks: figures at 12 significant digits, ties by ``order``
        ranked = np.lexsort((np.broadcast_to(ties[:, None], key.shape), significant(key)), axis=0)
        first, second = ranked[0], ranked[1] if len(key) > 1 else ranked[0]
        has_first = np.isfinite(key[first, cols])
        has_second = np.isfinite(key[second, cols]) & (len(key) > 1)
        # the figures of rows -1 are never read: where there is no winner, the value is NaN
        winner[start:stop] = np.where(has_first, first, -1)
        runner[start:stop] = np.where(has_second, second, -1)
        winner_value[start:stop] = np.where(has_first, masked[first, cols], np.nan)
        runner_value[start:stop] = np.where(has_second, masked[second, cols], np.nan)
        if start <= mid < stop:
            middle[:] = masked[:, mid - start]
        return stop

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for stop in ordered(pool, part, ((s, min(n, s + chunk)) for s in range(0, n, chunk))):
            if progress:
                progress(stop)
    return {"x": xs, "winner": winner, "runner_up": runner, "winner_value": winner_value,
            "runner_value": runner_value, "middle": middle, "metric": metric, "n": n}


def rows(designs: Designs, varies: list[Vary], first: dict[str, Any], which: list[int], chunk: int = CHUNK,
         progress=None, whole: bool = False) -> np.ndarray:
    """The second pass: the metric of the options ``which`` at every point, (len(which), points),
    written chunk by chunk into the one array returned. Only those options are evaluated (each
    design's plan cut to them, one engine call per design and chunk): the engine works option by
    option, so each comes out exactly as among all of them. ``first``, :func:`run`'s result, makes
    that sure where it is known (each winner's value, the middle point); if it ever differs, every
    option is evaluated as in the first pass (``whole``) and the rows are taken from that."""
    from concurrent.futures import ThreadPoolExecutor

    from aicost.engine.sampling import WORKERS, ordered

    xs, n, metric = first["x"], first["n"], first["metric"]
    _replan(designs, n)
    out = np.empty((len(which), n))
    if not which:
        return out
    evaluated, place = (designs, list(which)) if whole else _cut(designs, which)
    mid, shown, differs = n // 2, np.asarray(which), []

    def part(start, stop):
        m = evaluated.metric(metric, {var.path: x[start:stop] for var, x in zip(varies, xs)})
        got = np.broadcast_to(m, (len(evaluated), stop - start))[place]
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
    from aicost.engine.selfhost import REPLAN_MAX

    for plan, _ in designs.parts:
        plan.replan = n <= REPLAN_MAX


def _cut(designs: Designs, which: list[int]) -> tuple[Designs, list[int]]:
    """The designs cut to the options ``which`` (each design's plan holding only its own), and
    where each of them comes in the cut designs' list."""
    parts, offset = [], 0
    place: dict[int, int] = {}
    for plan, values in designs.parts:
        mine = [i for i in which if offset <= i < offset + len(plan)]
        if mine:
            place.update({i: len(place) + k for k, i in enumerate(mine)})
            parts.append((plan.subset([i - offset for i in mine]), values))
        offset += len(plan)
    return Designs(parts), [place[i] for i in which]


def significant(x: np.ndarray, digits: int = 12) -> np.ndarray:
    """``x`` rounded to ``digits`` significant digits (infinities and zeros kept), so rounding noise
    never orders two options."""
    with np.errstate(all="ignore"):
        finite = np.isfinite(x) & (x != 0)
        scale = np.where(finite, 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(np.where(finite, x, 1.0))))), 1.0)
        return np.where(finite, np.round(x * scale) / scale, x)
