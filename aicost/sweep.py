"""What-if sweeps: one or two scenario fields varied over a range, every option at every point.

``FIELD=START:STOP[:STEPS][:log]`` names a field (the same paths as ``--set``) and its range;
two fields make a grid. The points go through the one vectorised engine (in chunks, on every
core); a sweep point equals ``compare`` with the same ``--set`` exactly.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import scenario as scenario_mod
from .engine.evaluate import INELIGIBLE, UNPRICED, evaluate
from .errors import InputError, Problem
from .overrides import get_path, resolve_path, set_path
from .yamlio import dotted

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
    from .model.scenario import Scenario
    from .ranges import _numeric_bounds

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


def usable(m: dict) -> np.ndarray:
    bad = np.zeros(m["cost_per_success"].shape, bool)
    for key in INELIGIBLE + UNPRICED:
        bad |= m["flags"][key]
    return ~bad


def run(plan, values: dict, varies: list[Vary], metric: str = "cost_per_success", chunk: int = CHUNK,
        progress=None) -> dict[str, Any]:
    """Every option's metric at every point, whether it is usable there, and the winner."""
    from concurrent.futures import ThreadPoolExecutor

    from .uncertainty import WORKERS

    xs = grid(varies)
    n = xs[0].size

    def part(start):
        stop = min(n, start + chunk)
        v = copy.deepcopy(values)
        for var, x in zip(varies, xs):
            set_path(v, var.path, x[start:stop])
        m = evaluate(plan, v, meters=False)
        width = stop - start
        return (np.broadcast_to(m[metric], (len(plan), width)), np.broadcast_to(usable(m), (len(plan), width)),
                stop)

    parts = []
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for p in pool.map(part, range(0, n, chunk)):
            parts.append(p)
            if progress:
                progress(p[2])
    value = np.concatenate([p[0] for p in parts], axis=1)
    ok = np.concatenate([p[1] for p in parts], axis=1) & np.isfinite(value)
    best = np.where(ok, value, np.inf if METRICS[metric] == "min" else -np.inf)
    winner = np.argmin(best, axis=0) if METRICS[metric] == "min" else np.argmax(best, axis=0)
    winner = np.where(ok.any(axis=0), winner, -1)
    return {"x": xs, "value": value, "usable": ok, "winner": winner, "metric": metric}
