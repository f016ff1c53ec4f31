"""``--vary FIELD=START:STOP[:STEPS][:log]``: a scenario field and the range to move it over,
checked like ``--set`` (the field exists, both ends are valid values for it)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from aicost.base.errors import InputError, Problem
from aicost.inputs import scenario as scenario_mod
from aicost.inputs.overrides import get_path, resolve_path
from aicost.inputs.yamlio import dotted

DEFAULT_STEPS = 11


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
        return self.at(np.arange(self.steps))

    def at(self, i: np.ndarray) -> np.ndarray:
        """The values at step numbers ``i`` (any of them, in any order), each exactly as
        ``np.linspace`` / ``np.geomspace`` of the whole range gives it: a long sweep is made a
        piece at a time, never held whole."""
        i = np.asarray(i, dtype=np.int64)
        x = _geometric(self.start, self.stop, self.steps, i) if self.log else \
            _linear(self.start, self.stop, self.steps, i)
        return np.round(x) if self.whole else x


def _linear(start: float, stop: float, n: int, i: np.ndarray) -> np.ndarray:
    """``np.linspace(start, stop, n)[i]``, by numpy's own steps (elementwise, so any piece of the
    range comes out bit for bit as in the whole)."""
    y = i.astype(float)
    div = n - 1
    delta = np.subtract(stop, start, dtype=float)
    if div > 0:
        step = delta / div
        y = y / div * delta if step == 0 else y * step
    else:
        y = y * delta
    y = y + start
    if n > 1:
        y[i == n - 1] = stop
    return y


def _geometric(start: float, stop: float, n: int, i: np.ndarray) -> np.ndarray:
    """``np.geomspace(start, stop, n)[i]``, by numpy's own steps."""
    sign = np.sign(np.float64(start))
    lo, hi = np.float64(start) / sign, np.float64(stop) / sign
    y = np.power(10.0, _linear(np.log10(lo), np.log10(hi), n, i))
    y[i == 0] = lo
    if n > 1:
        y[i == n - 1] = hi
    return y * sign


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
    except TypeError:  # a section the scenario leaves out (router:, resilience:): nothing to vary in it
        node, parts = ls.plain, field.split(".")
        for k, part in enumerate(parts):
            if not isinstance(node, dict) or node.get(part) is None:
                break
            node = node[part]
        section = ".".join(parts[:k + 1])
        raise InputError(Problem(where, None, section, "the scenario leaves this section out; add it to the file "
                                                       "(or with --set) to vary its fields")) from None
    except (KeyError, IndexError) as exc:
        raise InputError(Problem(where, None, "", str(exc.args[0] if exc.args else exc))) from None
    if path and path[0] == "variants":
        raise InputError(Problem(where, None, dotted(path), "a design variant's own fields cannot be varied: vary "
                                                            "the scenario's field (every design shares it), or "
                                                            "compare variants with --set"))
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


