"""What-if sweeps: one or two scenario fields varied over a range, every option at every point.

``FIELD=START:STOP[:STEPS][:log]`` names a field (the same paths as ``--set``) and its range;
two fields make a grid. The points go through the one vectorised engine (in chunks, on every
core); a sweep point equals ``compare`` with the same ``--set`` exactly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from aicost.inputs import scenario as scenario_mod
from aicost.engine.evaluate import evaluate, usable
from aicost.base.errors import InputError, Problem
from aicost.inputs.overrides import get_path, resolve_path
from aicost.inputs.yamlio import dotted

METRICS = {"cost_per_success": "min", "cost_per_resolved_task": "min", "monthly_cost": "min", "roi": "max",
           "net_monthly": "max", "cost_per_attempt": "min"}
DEFAULT_STEPS = 11
CHUNK = 4096


@dataclass(frozen=True)
class Vary:
    field: str
    path: tuple
    start: float
    stop: float
    steps: int
    log: bool
    whole: bool = False

    def values(self) -> np.ndarray:
        x = np.geomspace(self.start, self.stop, self.steps) if self.log else np.linspace(self.start, self.stop, self.steps)
        return np.round(x) if self.whole else x


def parse_vary(text: str, ref, ls, book, sets=(), need_range: bool = True) -> Vary:
    """``FIELD=START:STOP[:STEPS][:log]``, checked like --set: the field exists and both ends are
    valid values for it (same messages as the file)."""
    where = f"--vary {text}"
    field, _, spec = text.partition("=")
    field = field.strip()
    if not field:
        raise InputError(Problem(where, None, "", "expected FIELD=START:STOP[:STEPS][:log]"))
    try:
        path = resolve_path(ls.plain, field)
        current = get_path(ls.plain, path)
    except (KeyError, IndexError, TypeError) as exc:
        raise InputError(Problem(where, None, "", str(exc.args[0] if exc.args else exc))) from None
    if isinstance(current, bool) or not isinstance(current, (int, float)):
        raise InputError(Problem(where, None, dotted(path), "is not a number, so it cannot be varied"))
    parts = [p.strip() for p in spec.split(":")] if spec else []
    log = bool(parts) and parts[-1].lower() == "log"
    if log:
        parts = parts[:-1]
    if not parts:
        if need_range:
            raise InputError(Problem(where, None, dotted(path), "give a range: FIELD=START:STOP[:STEPS][:log]"))
        start, stop, steps = _default_range(ls, path, float(current))
        log = start > 0 and stop / start > 100
    else:
        if len(parts) not in (2, 3):
            raise InputError(Problem(where, None, dotted(path), "expected START:STOP[:STEPS][:log]"))
        try:
            start, stop = float(parts[0]), float(parts[1])
            steps = int(parts[2]) if len(parts) == 3 else DEFAULT_STEPS
        except ValueError:
            raise InputError(Problem(where, None, dotted(path), "START and STOP must be numbers, STEPS a whole "
                                                                 "number")) from None
        if not (math.isfinite(start) and math.isfinite(stop)) or start == stop:
            raise InputError(Problem(where, None, dotted(path), "START and STOP must be different finite numbers"))
        if steps < 2:
            raise InputError(Problem(where, None, dotted(path), "STEPS must be at least 2"))
        if log and (start <= 0 or stop <= 0):
            raise InputError(Problem(where, None, dotted(path), "a log range needs START and STOP above 0"))
    # both ends must be valid values of the field, exactly as --set would check them
    problems = []
    for end in (start, stop):
        try:
            scenario_mod.load(ref, book, list(sets) + [f"{field}={end!r}"])
        except InputError as exc:
            problems += [Problem(where, None, p.path, p.message) for p in exc.problems]
    if problems:
        raise InputError(problems)
    return Vary(field, path, start, stop, steps, log, isinstance(current, int))


def _default_range(ls, path: tuple, current: float) -> tuple[float, float, int]:
    from aicost.model.scenario import Scenario
    from aicost.inputs.ranges import _numeric_bounds

    _, _, lo, hi = _numeric_bounds(Scenario, path)
    if lo >= 0 and hi <= 1:
        return max(lo, 0.0), min(hi, 1.0), 101
    if current <= 0:
        raise InputError(Problem("--vary", None, dotted(path), "give a range (the field's value is 0)"))
    return current / 1000, current * 1000, 101


def grid(varies: list[Vary]) -> list[np.ndarray]:
    """The points: one array per field (a grid when there are two, first field slowest)."""
    axes = [v.values() for v in varies]
    if len(axes) == 1:
        return axes
    a, b = np.meshgrid(axes[0], axes[1], indexing="ij")
    return [a.ravel(), b.ravel()]


def run(plan, values: dict, varies: list[Vary], metric: str = "cost_per_success", chunk: int = CHUNK,
        progress=None) -> dict[str, Any]:
    """Every option's metric at every point (NaN where the option is not usable there), the
    winner and the runner-up. Chunks run on threads; each chunk's ranking is done while its
    arrays are still in cache, and the full (options, points) array is never assembled: take
    the rows you need with :func:`take`."""
    from concurrent.futures import ThreadPoolExecutor

    from aicost.engine.sampling import WORKERS

    xs = grid(varies)
    n = xs[0].size
    sign = 1.0 if METRICS[metric] == "min" else -1.0

    def part(start):
        stop = min(n, start + chunk)
        v = dict(values)  # only the varied paths are replaced, so a shallow copy down those paths is enough
        for var, x in zip(varies, xs):
            v = _replace(v, var.path, x[start:stop])
        m = evaluate(plan, v, meters=False)
        width = stop - start
        with np.errstate(invalid="ignore"):
            masked = np.where(usable(m, metric), m[metric], np.nan)
        masked = np.ascontiguousarray(np.broadcast_to(masked, (len(plan), width)))
        key = np.where(np.isnan(masked), np.inf, sign * masked)
        cols = np.arange(width)
        first = np.argmin(key, axis=0)
        has_first = np.isfinite(key[first, cols])
        key[first, cols] = np.inf
        second = np.argmin(key, axis=0)
        has_second = np.isfinite(key[second, cols])
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


def _replace(tree, path: tuple, value):
    """A copy of ``tree`` with ``value`` at ``path``, copying only the containers along the path."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    out = list(tree) if isinstance(tree, list) else dict(tree)
    out[head] = _replace(tree[head], rest, value)
    return out
