"""The result of ``aicost gpu``: the scenario's GPU options with their fleets and break-even volumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aicost.results.base import Result
from aicost.results.compare import OptionResult, ScenarioResult


@dataclass
class GpuOption:
    option: OptionResult
    #: per hosted reference ("best", "batch", "flex"): {"tasks_per_month": x or None, "kind": ...}
    breakeven: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class GpuResult(Result):
    kind = "gpu"
    currency: str
    scenario: ScenarioResult
    references: dict[str, OptionResult | None]  # the cheapest hosted option, and its Batch and Flex tiers
    options: list[GpuOption]
    months: dict[str, Any] | None = None  # aicost gpu --months N: the capacity plan month by month

    def payload(self) -> dict[str, Any]:
        res = self.scenario
        refs = {k: (None if v is None else {"id": v.id, "cost_per_success": v.metrics["cost_per_success"]})
                for k, v in self.references.items()}
        rows = []
        for e in self.options:
            d = e.option.to_dict()
            d["breakeven"] = e.breakeven
            rows.append(d)
        return {"currency": self.currency, "scenarios": [{
            "name": res.name, "file": res.file, "as_of": res.as_of, "tasks_per_month": res.tasks_per_month,
            "latency_need": res.latency_need, "warnings": res.warnings, "hosted_references": refs,
            "options": rows, **({"months": self.months} if self.months is not None else {})}]}
