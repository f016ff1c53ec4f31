"""The result of ``aicost export``: the options exported, with what their finance rows need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from aicost.base.notices import Notice
from aicost.results.base import Result
from aicost.results.compare import OptionResult, ScenarioResult

FOCUS_VERSIONS = ("1.2", "1.3")


def month_bounds(day: date) -> tuple[date, date]:
    """The billing month of ``day``: its first day and the next month's first day (exclusive)."""
    start = day.replace(day=1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, end


@dataclass
class ExportItem:
    scenario: ScenarioResult
    option: OptionResult
    tags: dict[str, Any]
    start: date
    end: date
    names: tuple[str, str]  # (ProviderName, PublisherName)


@dataclass
class ExportResult(Result):
    kind = "export"
    items: list[ExportItem]
    totals: dict[tuple[str, str], Decimal]  # (scenario file, option id) -> the report's monthly cost
    skipped: list[Notice]  # options not exported (or exported though not eligible), and why
    currency: str
    focus_version: str
    account: str = "aicost-forecast"

    def payload(self) -> dict[str, Any]:
        return {"currency": self.currency, "focus_version": self.focus_version, "account": self.account,
                "options": [{"scenario": i.scenario.name, "file": i.scenario.file, "option": i.option.id,
                             "monthly_cost": i.option.metrics.get("monthly_cost"), "tags": i.tags,
                             "period_start": i.start.isoformat(), "period_end": i.end.isoformat()}
                            for i in self.items],
                "skipped": list(self.skipped)}
