"""``aicost calibrate``: a scenario built from a usage log (its YAML text), and the figures behind it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aicost.results.base import Result


@dataclass
class Calibration(Result):
    kind = "calibration"
    scenario_yaml: str  # the scenario, ready to run (placeholders marked)
    figures: dict[str, Any]  # per group: requests, tasks a month, shape, token quantiles, hit rate

    def payload(self) -> dict[str, Any]:
        return {"figures": self.figures, "scenario_yaml": self.scenario_yaml}
