"""The typed result of ``aicost diff``: what changed between two compare reports, and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from aicost.results.base import Result


@dataclass
class Driver:
    """One reason for a scenario's change in monthly cost, in the currency: ``kind`` is volume,
    tokens (per task), price, attempts (retries and success rates), people (review and fallback)
    or fixed (fixed and GPU costs)."""

    kind: str
    amount: float
    detail: str = ""


@dataclass
class ScenarioChange:
    scenario: str
    file: str
    status: str  # changed | unchanged | added | removed
    option_before: str | None = None
    option_after: str | None = None
    monthly_before: float | None = None
    monthly_after: float | None = None
    per_success_before: float | None = None
    per_success_after: float | None = None
    drivers: list[Driver] = field(default_factory=list)  # of the option both runs recommend, or of the one before

    @property
    def change(self) -> float | None:
        if self.monthly_before is None or self.monthly_after is None:
            return None
        return self.monthly_after - self.monthly_before


@dataclass
class DiffResult(Result):
    kind = "diff"
    base: str
    head: str
    currency: str
    scenarios: list[ScenarioChange] = field(default_factory=list)

    def totals(self) -> dict[str, float]:
        before = sum(s.monthly_before or 0.0 for s in self.scenarios if s.status != "added")
        after = sum(s.monthly_after or 0.0 for s in self.scenarios if s.status != "removed")
        return {"monthly_before": before, "monthly_after": after, "change": after - before}

    def payload(self) -> dict[str, Any]:
        return {"base": self.base, "head": self.head, "currency": self.currency, "totals": self.totals(),
                "scenarios": [{**asdict(s), "change": s.change} for s in self.scenarios]}
