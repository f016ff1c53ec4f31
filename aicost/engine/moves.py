"""Which options a sweep's varied fields can move, and a chunk evaluator that computes the
others once.

A field moves only the options that read it. Prompt caching (``caching.*``) moves only options
with caching on; a model's own entry (``models.<m>.*``) only the options whose rows run that
model, when no failover model is stated (a failover's figures reach every option) and no step is
pinned to that model (a pinned step takes its model's token factors on every option); the
self-hosted section only the GPU options. Every other field, and a request mix, moves every
option. An option a field cannot move is evaluated at one point and its figure stands for every
point; before a sweep relies on that, the figure is checked bit for bit at 17 points spread over
the range, ends included, and any difference makes every option evaluated at every point, as
before.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aicost.engine.designs import Designs


def unmoved(designs: Designs, paths: list[tuple]) -> set[int]:
    """The options (indices of the whole list) that none of ``paths`` can move."""
    out: set[int] = set()
    offset = 0
    for plan, values in designs.parts:
        if not plan.segments and plan.select is None:
            # a step pinned to a model gives every option that model's token factors
            pinned = {st.get("model") for st in values["attempt"]["steps"]} - {None}
            out.update(offset + j for j, o in enumerate(plan.options)
                       if all(_still(plan, j, o, p, pinned) for p in paths))
        offset += len(plan)
    return out


def _still(plan: Any, j: int, option: Any, path: tuple, pinned: frozenset | set = frozenset()) -> bool:
    gpu = option.kind == "gpu"
    rows = [] if gpu else list(option.rows) if option.kind == "cascade" else [j]
    if path[0] == "self_hosted":
        return not gpu
    if path[0] == "caching":
        return not any(bool(np.any(plan.caching[r])) for r in rows)
    if path[0] == "models" and len(path) > 1 and not plan.failover and path[1] not in pinned:
        return all(_model(plan.row_quality[r]) != path[1] for r in rows)
    return False


def _model(source: tuple) -> str:
    """The scenario's name of a row's model: ("models", ref[, effort]) or ("stage", cascade, i, ref)."""
    return source[3] if source[0] == "stage" else source[1]


#: Points (evenly spread, ends included) where an option taken as unmoved is checked bit for bit.
PROBES = 17


class Chunks:
    """The metric of the options ``which`` (in that order) at points ``start:stop`` of ``points``
    (a :class:`aicost.engine.sweep.Points`):
    the options the varied fields move evaluated there, the others computed once."""

    def __init__(self, designs: Designs, which: list[int], paths: list[tuple], points: Any, metric: str):
        self.paths, self.points, self.metric, self.k = paths, points, metric, len(which)
        still = unmoved(designs, paths) & set(which)
        self.flat = None
        if still:
            fixed = [i for i in which if i in still]
            cut, place = designs.cut(fixed)
            n = points.n
            probe = np.unique(np.linspace(0, n - 1, PROBES).round().astype(np.int64))
            one = np.broadcast_to(self._metric(cut, probe[:1]), (len(fixed), 1))[place]
            at = np.broadcast_to(self._metric(cut, probe), (len(fixed), probe.size))[place]
            if np.array_equal(np.broadcast_to(one, at.shape), at, equal_nan=True):
                self.flat = (np.asarray([k for k, i in enumerate(which) if i in still]), one)
            else:
                still = set()
        moving = which if self.flat is None else [i for i in which if i not in still]
        self.rows = np.asarray([k for k, i in enumerate(which) if i in set(moving)], dtype=int)
        self.cut: Designs | None
        self.cut, self.place = designs.cut(moving) if moving else (None, [])

    def _metric(self, designs: Designs, points: np.ndarray) -> np.ndarray:
        return designs.metric(self.metric, dict(zip(self.paths, self.points.at(points))))

    def __call__(self, start: int, stop: int) -> np.ndarray:
        width = stop - start
        if not self.k:
            return np.empty((0, width))
        if self.flat is None:
            assert self.cut is not None
            m = self.cut.metric(self.metric, dict(zip(self.paths, self.points.at(slice(start, stop)))))
            return np.broadcast_to(m, (self.k, width))[self.place]
        out = np.empty((self.k, width))
        rows, one = self.flat
        out[rows] = one
        if self.cut is not None:
            m = self.cut.metric(self.metric, dict(zip(self.paths, self.points.at(slice(start, stop)))))
            out[self.rows] = np.broadcast_to(m, (len(self.place), width))[self.place]
        return out
