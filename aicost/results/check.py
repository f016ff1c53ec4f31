"""The result of ``aicost check``: one check per scenario and limit, and the figures judged."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from aicost.base.constants import EXIT_BREACH, EXIT_INPUT, EXIT_OK
from aicost.base.notices import Notice
from aicost.results.base import Result

OK, WARN, FAIL, ERROR = "ok", "warning", "failed", "error"


@dataclass
class Check:
    """One scenario and one limit (or one scenario that could not be evaluated)."""

    scenario: str  # the scenario's name
    file: str  # as the user named it
    line: int | None  # the limit's line in the file (for annotations)
    budget: str  # e.g. max_cost_per_success; "input" for an input error
    status: str  # ok | warning | failed | error
    message: Notice  # what the check found, as a notice (words in aicost.report.explain)
    option: str | None = None
    chosen: str | None = None  # "production" (named by the budget) or "best eligible"
    metric: str | None = None
    kind: str | None = None  # max | min
    limit: float | None = None
    actual: float | None = None
    warn_level: float | None = None
    percentile: int | None = None
    over_by: float | None = None  # how far past the limit (positive when breached), in the metric's unit

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass
class Report(Result):
    kind = "check"
    checks: list[Check] = field(default_factory=list)
    skipped: list[tuple[str, Notice]] = field(default_factory=list)  # (file, why): scenarios without a budget
    currency: str = "USD"
    scenarios: list[dict] = field(default_factory=list)  # per scenario: the option judged and its figures
    baseline: str | None = None  # the --compare-to file, when given
    ignored: int = 0  # YAML files met in a directory that are not scenarios or budgets files
    as_of: str = ""  # the date prices were taken at (ISO 8601)

    def counts(self) -> dict[str, int]:
        out = {OK: 0, WARN: 0, FAIL: 0, ERROR: 0}
        for c in self.checks:
            out[c.status] += 1
        return out

    def exit_code(self, fail_on_warn: bool = False, no_fail: bool = False) -> int:
        n = self.counts()
        if n[ERROR]:  # an incomplete run never exits 0, --no-fail or not
            return EXIT_INPUT
        if no_fail:
            return EXIT_OK
        if n[FAIL] or (fail_on_warn and n[WARN]):
            return EXIT_BREACH
        return EXIT_OK

    def payload(self, code: int | None = None) -> dict[str, Any]:
        scenarios = [{k: v for k, v in s.items() if k != "budget"} for s in self.scenarios]
        return {"currency": self.currency, "exit_code": self.exit_code() if code is None else code,
                "counts": self.counts(), "baseline": self.baseline, "scenarios": scenarios,
                "checks": [c.to_dict() for c in self.checks],
                "skipped": [{"file": f, "why": w} for f, w in self.skipped]}
