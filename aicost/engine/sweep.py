"""What-if sweeps: one or two scenario fields varied over a range, every option at every point.

Each varied field (:class:`aicost.inputs.vary.Vary`, parsed from ``--vary``) has a range;
two fields make a grid. The points go through the one vectorised engine (in chunks, on every
core); a sweep point equals ``compare`` with the same ``--set`` exactly.
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
    """Every option's metric at every point (NaN where the option is not usable there), the
    winner and the runner-up, over every design's options. Chunks run on threads; each chunk's
    ranking is done while its arrays are still in cache, and the full (options, points) array is
    never assembled: take the rows you need with :func:`take`."""
    from concurrent.futures import ThreadPoolExecutor

    from aicost.engine.sampling import WORKERS

    ties = np.arange(len(designs)) if order is None else order  # default: the plans' own order
    xs = grid(varies)
    n = xs[0].size
    sign = 1.0 if METRICS[metric] == "min" else -1.0

    def part(start):
        stop = min(n, start + chunk)
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
        return (masked, np.where(has_first, first, -1), np.where(has_second, second, -1), stop)

    chunks, winner, runner = [], [], []
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for masked, first, second, stop in pool.map(part, range(0, n, chunk)):
            chunks.append(masked)
            winner.append(first)
            runner.append(second)
            if progress:
                progress(stop)
    return {"x": xs, "chunks": chunks, "winner": np.concatenate(winner), "runner_up": np.concatenate(runner),
            "metric": metric, "n": n}


def significant(x: np.ndarray, digits: int = 12) -> np.ndarray:
    """``x`` rounded to ``digits`` significant digits (infinities and zeros kept), so rounding noise
    never orders two options."""
    with np.errstate(all="ignore"):
        finite = np.isfinite(x) & (x != 0)
        scale = np.where(finite, 10.0 ** (digits - 1 - np.floor(np.log10(np.abs(np.where(finite, x, 1.0))))), 1.0)
        return np.where(finite, np.round(x * scale) / scale, x)


def take(res: dict, rows) -> np.ndarray:
    """The metric of the given options (rows of the plan) at every point: (len(rows), points)."""
    rows = list(rows)
    if not rows:
        return np.empty((0, res["n"]))
    return np.concatenate([c[rows] for c in res["chunks"]], axis=1)


def pick(res: dict, which: np.ndarray) -> np.ndarray:
    """At each point, the metric of the option ``which`` names there (NaN where it is -1)."""
    out = np.full(res["n"], np.nan)
    start = 0
    for c in res["chunks"]:
        w = which[start:start + c.shape[1]]
        ok = w >= 0
        out[start:start + c.shape[1]][ok] = c[w[ok], np.nonzero(ok)[0]]
        start += c.shape[1]
    return out
