"""Where two options cost the same: roots of the difference of a metric as one field varies.

The field is varied over a grid through the vectorised engine (one evaluation for the whole
grid); every sign change is then narrowed on a two-option plan, 32 points at a time, until
the bracket is within a relative tolerance. A crossing at a jump (an always-on fleet adding a
replica) is reported as a step: the order flips there, but the two are never equal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aicost.engine.designs import Designs

REL_TOL = 1e-9
SECTIONS = 32
FIRST_SCAN = 512  # the first narrowing scans a grid cell finely, so the earliest crossing in it is kept


@dataclass(frozen=True)
class Crossing:
    value: float  # the field's value where the order of the two options flips (or a tie starts)
    kind: str  # "equal" (the metric is equal there, within tolerance), "step" (a jump) or "tie"
    cheaper_below: int  # 0: the first option is cheaper just below the value, 1: the second
    until: float | None = None  # a tie: the two are equal from ``value`` to here


def grid(lo: float, hi: float, points: int, log: bool) -> np.ndarray:
    return np.geomspace(lo, hi, points) if log else np.linspace(lo, hi, points)


def difference(pair: Designs, path: tuple, xs, metric: str) -> np.ndarray:
    """Metric of the first option minus the second's at each x; NaN where either is not usable
    (ineligible or unpriced there), so no crossing is found where an option is not a choice."""
    x = pair.metric(metric, {path: np.asarray(xs, dtype=float)})
    return x[0] - x[1]


def crossings(designs: Designs, path: tuple, a: int, b: int, lo: float, hi: float, log: bool = True,
              points: int = 512, metric: str = "total_cost_per_success", rel_tol: float = REL_TOL) -> list[Crossing]:
    """Every value of ``path`` in [lo, hi] where options ``a`` and ``b`` (of any designs) swap order."""
    pair = designs.subset([a, b])  # evaluates to [a, b] in this order
    xs = grid(lo, hi, points, log)
    d = difference(pair, path, xs, metric)
    out: list[Crossing] = []
    finite = np.isfinite(d)
    scale = max(float(np.nanmax(np.abs(d))) if finite.any() else 0.0, 1e-300)
    tied = finite & (np.abs(d) <= 1e-12 * scale)
    k = 0
    while k < len(xs) - 1:
        if tied[k]:  # equal over a stretch of the grid: one tie, from its first point to its last
            end = k
            while end + 1 < len(xs) and tied[end + 1]:
                end += 1
            if end > k:
                out.append(Crossing(float(xs[k]), "tie", 0, float(xs[end])))
                k = end + 1
                continue
        if not (finite[k] and finite[k + 1]):
            k += 1
            continue
        if tied[k] or np.sign(d[k]) != np.sign(d[k + 1]):
            x0, x1, d0 = xs[k], xs[k + 1], d[k]
            if tied[k]:
                out.append(Crossing(float(x0), "equal", 0 if d[k + 1] > 0 else 1))
                k += 1
                continue
            for step in range(60):  # k-section: points through the vectorised engine, the first change kept
                inner = np.linspace(x0, x1, (FIRST_SCAN if step == 0 else SECTIONS) + 1)
                di = difference(pair, path, inner, metric)
                change = np.nonzero(np.isfinite(di) & (np.sign(di) != np.sign(d0)))[0]
                if not len(change):
                    break
                j = int(change[0])
                x0, x1, d0 = inner[j - 1], inner[j], di[j - 1]
                if x1 - x0 <= rel_tol * max(abs(x1), 1e-300):
                    break
            x = 0.5 * (x0 + x1)
            at = difference(pair, path, [x], metric)[0]
            equal = abs(at) <= 1e-6 * scale or abs(at) <= 1e-9
            out.append(Crossing(float(x), "equal" if equal else "step", 0 if d[k] < 0 else 1))
        k += 1
    return out
