"""Forecast and runway from a usage log (docs/usage.md "Forecast"): each tag group's daily cost, its
linear trend, the months ahead at that trend, and the day a monthly budget is crossed.

A group's daily cost over the log's days (a day it has no usage costs 0) is fitted by least
squares, ``cost(t) = a + b t`` with ``t`` the day from the log's first; a day ahead costs
``max(0, a + b t)``. The month the log ends in is its spend so far plus the trend for the days
left; a budget is crossed on the first day a month's spend to date (logged, then at the trend)
reaches it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPOCH = np.datetime64("1970-01-01", "D")


@dataclass
class Trend:
    first: int  # the log's first day (days since 1970-01-01)
    last: int  # the log's last day
    a: float  # cost on the first day, at the trend
    b: float  # change in the daily cost per day

    def daily(self, day: np.ndarray) -> np.ndarray:
        return np.maximum(0.0, self.a + self.b * (np.asarray(day, dtype=float) - self.first))


#: Fewer days than this give no trend: the days ahead cost the mean day (a line through a few
#: days would project noise).
MIN_DAYS = 14


def daily(days: np.ndarray, cost: np.ndarray, first: int, last: int) -> np.ndarray:
    """Each day's cost from ``first`` to ``last`` (a day without usage costs 0)."""
    return np.bincount(np.asarray(days, dtype=np.int64) - first, weights=np.asarray(cost, dtype=float),
                       minlength=last - first + 1)


def fit(y: np.ndarray, first: int) -> Trend:
    """Least squares through the daily costs ``y`` (from day ``first``); with fewer than
    :data:`MIN_DAYS` days, flat at the mean day."""
    last = first + len(y) - 1
    if len(y) < MIN_DAYS:
        return Trend(first, last, float(y.mean()) if len(y) else 0.0, 0.0)
    b, a = np.polyfit(np.arange(len(y), dtype=float), y, 1)
    return Trend(first, last, float(a), float(b))


def month_start(day: int) -> int:
    m = (EPOCH + np.timedelta64(int(day), "D")).astype("datetime64[M]")
    return int((m.astype("datetime64[D]") - EPOCH).astype(int))


def next_month(day: int) -> int:
    m = (EPOCH + np.timedelta64(int(day), "D")).astype("datetime64[M]") + np.timedelta64(1, "M")
    return int((m.astype("datetime64[D]") - EPOCH).astype(int))


def label(day: int) -> str:
    return str((EPOCH + np.timedelta64(int(day), "D")).astype("datetime64[M]"))


def iso(day: int) -> str:
    return str(EPOCH + np.timedelta64(int(day), "D"))


def _spend(trend: Trend, y: np.ndarray, start: int, end: int) -> np.ndarray:
    """Each day's spend from ``start`` to ``end`` (exclusive): logged where the log has it, else the trend."""
    days = np.arange(start, end)
    out = trend.daily(days)
    past = (days >= trend.first) & (days <= trend.last)
    out[past] = y[days[past] - trend.first]
    return out


def months_ahead(trend: Trend, y: np.ndarray, months: int) -> list[tuple[str, float, int, int]]:
    """The month the log ends in and ``months`` more: (YYYY-MM, spend, its first day, its last day + 1);
    logged days count as logged, later days at the trend."""
    out = []
    start = month_start(trend.last)
    for _ in range(months + 1):
        end = next_month(start)
        out.append((label(start), float(_spend(trend, y, start, end).sum()), start, end))
        start = end
    return out


def crossing(trend: Trend, y: np.ndarray, budget: float, months: int) -> int | None:
    """The first day on which a month's spend to date reaches ``budget`` (from the month the log
    ends in, for ``months`` more); None when it does not within them."""
    for _, _, start, end in months_ahead(trend, y, months):
        hit = np.flatnonzero(np.cumsum(_spend(trend, y, start, end)) >= budget)
        if len(hit):
            return start + int(hit[0])
    return None
