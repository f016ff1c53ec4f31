"""Several plans seen as one list of options: a scenario's design variants, each with its own
scenario values, evaluated side by side (sweeps, break-even searches) exactly as ``compare``
ranks them together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from aicost.engine.evaluate import evaluate, usable
from aicost.engine.parts import volume_per_option_ok
from aicost.engine.plan import KIND_ORDER, Plan
from aicost.inputs.overrides import get_path


#: The monthly volume: the one field :meth:`Designs.each` gives per option.
VOLUME = ("volume", "tasks_per_month")
#: Option-points one call of :meth:`Designs.each` evaluates at most.
CELLS = 1 << 16


@dataclass
class Designs:
    parts: list[tuple[Plan, dict]]  # (plan, scenario values) per design, in compare's order

    @classmethod
    def one(cls, plan: Plan, values: dict) -> "Designs":
        return cls([(plan, values)])

    def __len__(self) -> int:
        return sum(len(p) for p, _ in self.parts)

    def locate(self, i: int) -> tuple[int, int]:
        """(design, option within it) of option ``i`` of the whole list."""
        for k, (plan, _) in enumerate(self.parts):
            if i < len(plan):
                return k, i
            i -= len(plan)
        raise IndexError(i)

    def subset(self, options: list[int]) -> "Designs":
        """Only these options, in this order (each design's plan cut to them)."""
        parts = []
        for i in options:
            k, j = self.locate(i)
            plan, values = self.parts[k]
            parts.append((plan.subset([j]), values))
        return Designs(parts)

    def cut(self, which: list[int]) -> tuple["Designs", list[int]]:
        """Only the options ``which``, each design's plan cut once to its own (in plan order, so
        the engine has nothing to re-select), and where each of ``which`` lands in the cut list."""
        parts: list = []
        place: dict[int, int] = {}
        offset = 0
        for plan, values in self.parts:
            mine = sorted({i for i in which if offset <= i < offset + len(plan)})
            if mine:
                place.update({i: len(place) + k for k, i in enumerate(mine)})
                parts.append((plan.subset([i - offset for i in mine]), values))
            offset += len(plan)
        return Designs(parts), [place[i] for i in which]

    def changed(self, changes: dict[tuple, Any]) -> list[tuple[Plan, dict]]:
        """Each design's (plan, values) with ``changes`` made as ``compare --set`` makes them: the
        change first, then the variant's own ``set:`` over it. Only the containers along each
        changed path are copied: the engine never changes its values."""
        out = []
        for plan, values in self.parts:
            paths = [tuple(p) for p in (values.get("variant") or {}).get("paths", [])]
            own = {p: get_path(values, p) for p in paths}
            # a change inside what the variant sets whole (its own models: say) is overwritten there
            mine = {p: v for p, v in changes.items() if not any(tuple(p[:len(o)]) == o for o in paths)}
            out.append((plan, _shallow(_shallow(values, mine), own)))
        return out

    def volume_each(self) -> bool:
        """Whether :meth:`each` evaluates every design once, each option at its own volumes."""
        return all(volume_per_option_ok(plan, values) for plan, values in self.parts)

    def each(self, metric: str, path: tuple, asks: list[tuple[int, np.ndarray]]) -> list[np.ndarray]:
        """For each (option, values of ``path``) asked, that option's ``metric`` there, as :meth:`metric`
        gives it (NaN where not usable). The volume is given per option (:meth:`volume_each`): one
        engine call per design, an option asked twice evaluated twice, each at its own points (a
        search narrowing many brackets at once); any other field is evaluated at the points of
        every ask together, each option's own kept."""
        out: list[np.ndarray] = [np.empty(0)] * len(asks)
        offset = 0
        for plan, values in self.parts:
            mine = [(k, i - offset, np.asarray(x, dtype=float)) for k, (i, x) in enumerate(asks)
                    if offset <= i < offset + len(plan) and np.size(x)]  # (an empty ask: an empty answer)
            offset += len(plan)
            if not mine:
                continue
            if path == VOLUME and volume_per_option_ok(plan, values):
                width = max(len(x) for *_, x in mine)
                step = max(1, CELLS // width)  # bounded memory: at most CELLS option-points a call
                mine.sort(key=lambda t: (KIND_ORDER[plan.options[t[1]].kind], t[1]))  # the plan's own order:
                for s in range(0, len(mine), step):                                    # nothing to re-select
                    few = mine[s:s + step]
                    sub = plan.subset([j for _, j, _ in few])
                    xs = np.empty((len(few), width))
                    for row, (*_, x) in enumerate(few):
                        xs[row, :len(x)], xs[row, len(x):] = x, x[-1]
                    if sub.select is not None:  # rows in the sub-plan's own order
                        xs[np.asarray(sub.select)] = xs.copy()
                    m = Designs.one(sub, values).metric(metric, {path: xs})
                    for row, (k, _, x) in enumerate(few):
                        out[k] = m[row, :len(x)]
                continue
            rows = sorted({j for _, j, _ in mine})
            starts: dict[int, int] = {}  # each array asked taken once (a pair's two asks share one)
            parts: list[np.ndarray] = []
            at = 0
            for k, _, x in mine:
                if id(asks[k][1]) not in starts:
                    starts[id(asks[k][1])], at = at, at + len(x)
                    parts.append(x)
            m = Designs.one(plan.subset(rows), values).metric(metric, {path: np.concatenate(parts)})
            for k, j, x in mine:
                at = starts[id(asks[k][1])]
                out[k] = m[rows.index(j), at:at + len(x)]
        return out

    def metric(self, metric: str, changes: dict[tuple, Any]) -> np.ndarray:
        """Every option's ``metric`` with ``changes`` (path -> value, arrays for many points) made
        to each design's values, as ``compare --set`` makes them: the change first, then the
        variant's own ``set:`` over it; NaN where an option is not usable. Shape (options, points)."""
        blocks = []
        points = max([np.shape(x)[-1] if np.ndim(x) else 1 for x in changes.values()] or [1])
        for plan, v in self.changed(changes):
            m = evaluate(plan, v, meters=False, want=metric)
            with np.errstate(invalid="ignore"):
                blocks.append(np.where(usable(m, metric), m[metric], np.nan))
        width = max([points] + [np.shape(b)[1] for b in blocks])
        return np.concatenate([np.broadcast_to(b, (b.shape[0], width)) for b in blocks])


def _shallow(tree: dict, changes: dict[tuple, Any]) -> dict:
    """A copy of ``tree`` with each change made, copying only the containers along its path."""
    for path, value in changes.items():
        tree = _replace(tree, path, value)
    return tree


def _replace(tree, path: tuple, value):
    if not path:
        return value
    head, rest = path[0], path[1:]
    out = list(tree) if isinstance(tree, list) else dict(tree)
    out[head] = _replace(tree[head], rest, value)
    return out
