"""Results of ``aicost sweep``, ``aicost breakeven`` and ``aicost sensitivity``.

Fields are also readable by name (``result["x"]``), as the renderers read them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from aicost.base.notices import Notice
from aicost.results.base import Result


class _ByName:
    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)

    def plain(self, *names: str) -> dict[str, Any]:
        return {n: getattr(self, n) for n in names or [f.name for f in fields(self)]}  # type: ignore[arg-type]


@dataclass
class SweepResult(_ByName, Result):
    kind = "sweep"
    scenario: str
    file: str
    metric: str
    currency: str
    fields: list[dict[str, Any]]  # field, start, stop, steps, log
    x: list[np.ndarray]  # each varied field's value at each point kept
    ids: list[str]  # every option's id
    shown: list[int]  # the options reported (every winner, then the best at the middle point)
    values: np.ndarray  # (shown, points kept): the metric of each shown option (a grid's summary: none)
    winner: np.ndarray  # index into ids per point kept (-1: none usable)
    winner_value: np.ndarray
    runner_up: np.ndarray
    runner_value: np.ndarray
    #: Which of the sweep's points are kept (None: every one). A summary keeps what the table and
    #: the charts draw: :func:`samples` and both sides of every change of winner.
    index: np.ndarray | None = None
    n: int | None = None  # the sweep's points (kept or not)

    @property
    def points(self) -> int:
        return int(self.winner.size) if self.n is None else self.n

    def at(self, points: np.ndarray) -> np.ndarray:
        """Where each of these sweep points is among the points kept."""
        points = np.asarray(points, dtype=np.int64)
        return points if self.index is None else np.searchsorted(self.index, points)

    def payload(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "file": self.file, "metric": self.metric, "currency": self.currency,
                "fields": self.fields, "points": self.points}


#: A terminal sparkline's most columns, and the most points a drawn chart goes through.
SPARK_POINTS, CHART_POINTS = 48, 4000


def samples(n: int) -> np.ndarray:
    """The points of an ``n``-point sweep that its table and charts draw at any width: the first,
    the middle and the last, every spacing of a sparkline (1 to SPARK_POINTS columns) and the
    chart's CHART_POINTS. (Both sides of each change of winner are kept besides.)"""
    counts = [*range(1, SPARK_POINTS + 1), CHART_POINTS]
    picks = [np.linspace(0, n - 1, min(c, n)).round().astype(np.int64) for c in counts]
    return np.unique(np.concatenate([np.asarray([0, n // 2, n - 1], np.int64), *picks]))


@dataclass
class Crossing:
    value: float
    kind: str
    cheaper_below: str
    cheaper_above: str


@dataclass
class BreakevenResult(_ByName, Result):
    kind = "breakeven"
    scenario: str
    file: str
    metric: str
    currency: str
    field: str
    start: float
    stop: float
    log: bool
    tolerance: float
    current: float
    pairs: list[dict[str, Any]]  # {"a", "b", "crossings": [{value, kind, cheaper_below, cheaper_above}]}
    summary: Notice | None  # when two options never cross: which is cheaper throughout, or neither usable
    ids: list[str]
    #: for charts: x, and per option involved its metric along x (filled when asked for)
    series: dict[str, Any] = dataclasses.field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return self.plain("scenario", "file", "metric", "currency", "field", "start", "stop", "log", "tolerance",
                          "current", "summary", "pairs")


@dataclass
class SensitivityResult(_ByName, Result):
    kind = "sensitivity"
    scenario: str
    option: str
    metric: str
    base: float | None
    rows: list[dict[str, Any]]
    currency: str = "USD"
    columns: tuple[str, ...] = ("field", "dist", "low", "likely", "high", "metric_at_low", "metric_at_likely",
                                "metric_at_high", "swing")
    right: tuple[str, ...] = ("low", "likely", "high", "metric_at_low", "metric_at_likely", "metric_at_high",
                              "swing")

    def extra(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "option": self.option, "metric": self.metric}

    def payload(self) -> dict[str, Any]:
        return {**self.extra(), "rows": self.rows}
