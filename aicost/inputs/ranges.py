"""Ranges in scenario inputs: ``{low, likely, high}`` or ``{p10, p90}`` in place of a number.

At load time every range is lifted out of the data (the point scenario keeps its likely
value, so everything that does not sample sees plain numbers) and checked: ordering, and the
field's own bounds (a probability range beyond [0, 1] is an error at its line).

Distributions:

- ``{low, likely, high}``: PERT by default (a beta with shape 4, smoother than a triangle and
  anchored on the likely value), or ``dist: triangular``.
- ``{p10, p90}``: a normal with those 10th and 90th percentiles (mean ``(p10 + p90) / 2``, sd
  ``(p90 - p10) / 2.5631``); its likely value is the mean. ``dist: normal`` is implied.

Samples are clipped to the field's bounds (probabilities stay in [0, 1], counts non-negative).
"""

from __future__ import annotations

import hashlib
import typing
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from aicost.base.errors import Problem
from aicost.inputs.yamlio import Document, dotted

RANGE_KEYS = {"low", "likely", "high", "p10", "p90", "dist"}
DISTRIBUTIONS = ("pert", "triangular", "normal")
Z90 = 1.2815515655446004  # standard normal 90th percentile


@dataclass(frozen=True)
class Range:
    path: tuple
    dist: str
    low: float
    likely: float
    high: float  # for normal: low = p10, high = p90, likely = the mean
    bound_lo: float
    bound_hi: float

    def to_dict(self) -> dict:
        keys = ("p10", "likely", "p90") if self.dist == "normal" else ("low", "likely", "high")
        return {"field": dotted(self.path), "dist": self.dist, **dict(zip(keys, (self.low, self.likely, self.high)))}

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        a, m, b = self.low, self.likely, self.high
        if self.dist == "normal":
            x = rng.normal(m, (b - a) / (2 * Z90), n)
        elif b == a:
            x = np.full(n, m)
        elif self.dist == "triangular":
            x = rng.triangular(a, m, b, n)
        else:  # PERT: beta(1 + 4 (m - a)/(b - a), 1 + 4 (b - m)/(b - a)) on [a, b]
            alpha = 1 + 4 * (m - a) / (b - a)
            beta = 1 + 4 * (b - m) / (b - a)
            x = a + (b - a) * rng.beta(alpha, beta, n)
        return np.clip(x, self.bound_lo, self.bound_hi)


def _is_range(node: Any) -> bool:
    return isinstance(node, dict) and node and set(node) <= RANGE_KEYS and (
        {"low", "high"} <= set(node) or {"p10", "p90"} <= set(node))


def _numeric_bounds(model: type, path: tuple) -> tuple[bool, bool, float, float]:
    """(is a number field, is a whole-number field, lower bound, upper bound) at ``path``."""
    from pydantic import BaseModel

    current = [(model, [])]
    for part in path:
        nxt = []
        for tp, meta in current:
            for u, m in _unwrap(tp, meta):
                if isinstance(u, type) and issubclass(u, BaseModel):
                    if isinstance(part, str) and part in u.model_fields:
                        f = u.model_fields[part]
                        nxt.append((f.annotation, list(f.metadata)))
                elif typing.get_origin(u) is dict:
                    nxt.append((typing.get_args(u)[1], []))
                elif typing.get_origin(u) is list and isinstance(part, int):
                    nxt.append((typing.get_args(u)[0], []))
        current = nxt
    for tp, meta in current:
        for u, m in _unwrap(tp, meta):
            if u in (float, int):
                lo, hi = -np.inf, np.inf
                for c in m:
                    for attr, val in (("ge", "lo"), ("gt", "lo"), ("le", "hi"), ("lt", "hi")):
                        v = getattr(c, attr, None)
                        if v is not None:
                            lo, hi = (float(v), hi) if val == "lo" else (lo, float(v))
                return True, u is int, lo, hi
    return False, False, -np.inf, np.inf


def _unwrap(tp: Any, meta: list) -> list:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        args = typing.get_args(tp)
        extra = [m for a in args[1:] for m in (getattr(a, "metadata", None) or [a])]
        return _unwrap(args[0], meta + extra)
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return [u for a in typing.get_args(tp) for u in _unwrap(a, meta)]
    return [(tp, meta)]


def extract(data: Any, doc: Document, model: type, default_dist: str = "pert") -> tuple[Any, list[Range], list[Problem]]:
    """The data with every range replaced by its likely value, the ranges, and their problems."""
    ranges: list[Range] = []
    problems: list[Problem] = []

    def walk(node, path):
        if isinstance(node, dict):
            if _is_range(node):
                numeric, whole, lo, hi = _numeric_bounds(model, path)
                if numeric:
                    return take(node, path, whole, lo, hi)
            return {k: walk(v, path + (k,)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, path + (i,)) for i, v in enumerate(node)]
        return node

    def take(node, path, whole, lo, hi):
        where = doc.line_of(path)
        bad = lambda msg: problems.append(Problem(doc.file, where, dotted(path), msg))  # noqa: E731
        try:
            nums = {k: float(v) for k, v in node.items() if k != "dist"}
        except (TypeError, ValueError):
            bad("a range's low, likely, high, p10 and p90 must be numbers")
            return node
        if not all(np.isfinite(v) for v in nums.values()):
            bad("a range's values must be finite numbers")
            return node
        if whole:
            bad("takes a whole number, not a range")
            return node
        dist = node.get("dist") or ("normal" if "p10" in node else default_dist)
        if dist not in DISTRIBUTIONS:
            bad(f"unknown distribution '{dist}' (expected pert, triangular or normal)")
            return node
        if "p10" in node:
            if set(nums) != {"p10", "p90"}:
                bad("give either {low, likely, high} or {p10, p90}")
                return node
            a, b = nums["p10"], nums["p90"]
            if a > b:
                bad(f"p10 ({a:g}) is above p90 ({b:g})")
                return node
            m = (a + b) / 2
            label = ("p10", "p90")
        else:
            if "likely" not in nums or set(nums) - {"low", "likely", "high"}:
                bad("a {low, likely, high} range needs all three")
                return node
            a, m, b = nums["low"], nums["likely"], nums["high"]
            if a > b:
                bad(f"low ({a:g}) is above high ({b:g})")
                return node
            if not a <= m <= b:
                bad(f"likely ({m:g}) is outside low..high ({a:g}..{b:g})")
                return node
            label = ("low", "high")
        for name, v in zip(label, (a, b)):
            if v < lo or v > hi:
                bad(f"the range's {name} ({v:g}) is outside the field's bounds ({lo:g}..{hi:g})")
                return node
        ranges.append(Range(path, dist, a, m, b, lo, hi))
        return m

    point = walk(data, ())
    return point, ranges, problems


def sample(ranges: list[Range], n: int, seed: int | None) -> dict[tuple, np.ndarray]:
    """``n`` samples of every range (in field order), reproducible from ``seed``: the same numbers
    :func:`sampler` draws in chunks of any size."""
    return sampler(ranges, seed)(n)


def sampler(ranges: list[Range], seed: int | None) -> Callable[[int], dict[tuple, np.ndarray]]:
    """A function drawing the next ``size`` samples of every range, for Monte Carlo runs that go a
    chunk at a time. Each range has its own random stream, keyed by the seed and its field's name:
    numpy draws a stream element by element, so chunks of any size give one sequence, and two
    designs of a scenario draw the same numbers for the same field even when one of them has a
    range the other has not. ``seed=None`` takes fresh entropy; pass one ``SeedSequence(None).entropy``
    to several samplers to make them share it."""
    entropy = np.random.SeedSequence(seed).entropy
    streams = []
    for r in sorted(ranges, key=lambda r: dotted(r.path)):
        digest = hashlib.sha256(dotted(r.path).encode()).digest()
        key = tuple(int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4))
        streams.append((r, np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=key))))

    def draw(size: int) -> dict[tuple, np.ndarray]:
        return {r.path: r.sample(rng, size) for r, rng in streams}

    return draw
