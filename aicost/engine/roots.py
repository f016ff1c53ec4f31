"""Where two options cost the same: roots of the difference of a metric as one field varies.

The field is varied over a grid through the vectorised engine (one evaluation for the whole
grid); every sign change is then narrowed on a plan of the options involved, 32 points at a
time, until the bracket is within a relative tolerance. Many pairs are searched together (see
:func:`crossings_many`): where the field is the monthly volume, each option of each bracket is
given its own volumes (``Designs.each``), so one engine call a section narrows every bracket.
A crossing at a jump (an always-on fleet adding a replica) is reported as a step: the order
flips there, but the two are never equal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aicost.engine.designs import VOLUME, Designs

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
    return crossings_many(designs, path, [(a, b)], lo, hi, log, points, metric, rel_tol)[0]


def _narrow(designs: Designs, path: tuple, metric: str, pairs: list[tuple[int, int]], group: list,
            rel_tol: float) -> None:
    """K-section of the brackets ``group`` together (the first change in each kept), each bracket's
    crossing then appended to it."""
    def differences(items: list[tuple[int, np.ndarray]]) -> list[np.ndarray]:
        m = designs.each(metric, path, [(i, x) for p, x in items for i in pairs[p]])
        return [m[2 * k] - m[2 * k + 1] for k in range(len(items))]

    for _ in range(60):
        live = [t for t in group if not t[8]]
        if not live:
            break
        inners = [np.linspace(t[2], t[3], (FIRST_SCAN if t[7] == 0 else SECTIONS) + 1) for t in live]
        for t, inner, di in zip(live, inners, differences([(t[0], x) for t, x in zip(live, inners)])):
            t[7] += 1
            change = np.nonzero(np.isfinite(di) & (np.sign(di) != np.sign(t[4])))[0]
            if not len(change):
                t[8] = True
                continue
            j = int(change[0])
            t[2], t[3], t[4] = inner[j - 1], inner[j], di[j - 1]
            if t[3] - t[2] <= rel_tol * max(abs(t[3]), 1e-300):
                t[8] = True
    mids = [0.5 * (t[2] + t[3]) for t in group]
    for t, x, d_at in zip(group, mids, differences([(t[0], np.array([x])) for t, x in zip(group, mids)])):
        equal = abs(d_at[0]) <= 1e-6 * t[6] or abs(d_at[0]) <= 1e-9
        t.append(Crossing(float(x), "equal" if equal else "step", 0 if t[5] < 0 else 1))


def _subset(designs: Designs, rows: list[int]) -> tuple[Designs, dict[int, int]]:
    """The options ``rows`` as one small set of designs, and where each option lands in it."""
    cut, place = designs.cut(rows)
    return cut, dict(zip(rows, place))


def crossings_many(designs: Designs, path: tuple, pairs: list[tuple[int, int]], lo: float, hi: float,
                   log: bool = True, points: int = 512, metric: str = "total_cost_per_success",
                   rel_tol: float = REL_TOL, until_below: int | None = None) -> list[list[Crossing]]:
    """:func:`crossings` for many pairs, with the same grid and the same narrowing, so the same
    answers: the grid is one evaluation of every option involved; the brackets are then narrowed
    together (see below). ``until_below`` (0 or 1): each pair's crossings up to its first one with
    that ``cheaper_below`` only, the later ones neither narrowed nor returned (the GPU view's
    break-even: the first volume from which the second option is cheaper)."""
    if not pairs:
        return []
    sub, pos = _subset(designs, sorted({i for p in pairs for i in p}))
    xs = grid(lo, hi, points, log)
    m = sub.metric(metric, {path: xs})
    # every pair's difference at once (pairs, points); each pair's scale: its largest |difference|
    ds = m[[pos[a] for a, _ in pairs]] - m[[pos[b] for _, b in pairs]]
    finites = np.isfinite(ds)
    with np.errstate(invalid="ignore"):
        scales = np.maximum(np.where(finites.any(axis=1), np.where(np.isnan(ds), -np.inf, np.abs(ds)).max(axis=1),
                                     0.0), 1e-300)
        tieds = finites & (np.abs(ds) <= 1e-12 * scales[:, None])
        changes = finites[:, :-1] & finites[:, 1:] & (np.sign(ds[:, :-1]) != np.sign(ds[:, 1:]))
    at_pair, at_k = np.nonzero(tieds[:, :-1] | changes)  # only where something happens, pair by pair
    events = np.split(at_k, np.searchsorted(at_pair, np.arange(1, len(pairs))))
    found: list[list[tuple[int, Crossing]]] = [[] for _ in pairs]
    tasks: dict[int, list] = {}  # second option -> its pairs' brackets
    for p, d in enumerate(ds):
        finite, tied, change, scale = finites[p], tieds[p], changes[p], float(scales[p])
        mine: list[list] = []  # the pair's brackets: [pair, k, x0, x1, d0, d_k, scale, step, done]
        after = 0  # the scan goes on from here (past a tie)
        for k in events[p].tolist():
            if k < after:
                continue
            end = k
            while tied[k] and end + 1 < len(xs) and tied[end + 1]:
                end += 1
            if end > k:
                found[p].append((k, Crossing(float(xs[k]), "tie", 0, float(xs[end]))))
                after = end + 1
            elif tied[k]:
                if finite[k + 1]:
                    found[p].append((k, Crossing(float(xs[k]), "equal", 0 if d[k + 1] > 0 else 1)))
            elif change[k]:
                mine.append([p, k, xs[k], xs[k + 1], d[k], d[k], scale, 0, False])
        if until_below is not None:
            firsts = [k for k, c in found[p] if c.cheaper_below == until_below] + \
                [t[1] for t in mine if (0 if t[5] < 0 else 1) == until_below]
            if firsts:
                found[p] = [(k, c) for k, c in found[p] if k <= min(firsts)]
                mine = [t for t in mine if t[1] <= min(firsts)]
        tasks.setdefault(pairs[p][1], []).extend(mine)
    # with a volume per option, every bracket of every pair is narrowed in one engine call per
    # section; otherwise the brackets that share a second option go together (a call per group)
    groups = [[t for g in tasks.values() for t in g]] if designs.volume_each() and path == VOLUME \
        else list(tasks.values())
    for group in groups:
        _narrow(designs, path, metric, pairs, group, rel_tol)
        for t in group:
            found[t[0]].append((t[1], t[9]))
    return [[c for _, c in sorted(f, key=lambda kc: kc[0])] for f in found]
