"""The result of ``aicost compare``: scenarios, each with its options ranked."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from aicost.base.constants import DEFAULT_RANK_BY, RANKINGS
from aicost.base.notices import Notice
from aicost.results.base import RESULT_VERSION, Result  # noqa: F401  (RESULT_VERSION re-exported)

#: Metrics every option carries (null where undefined), in output order.
METRICS = (
    "cost_per_attempt", "expected_attempts", "p_success", "p_silent_failure", "p_given_up",
    "ai_cost_per_task", "review_cost_per_task", "fallback_cost_per_task", "task_cost",
    "total_cost_per_success", "cost_per_success", "cost_per_resolved_task", "monthly_cost", "monthly_benefit",
    "net_monthly", "roi", "payback_months", "latency_seconds",
)
#: Metrics defined even when an option has no price (they do not depend on prices).
PROBABILITIES = ("expected_attempts", "p_success", "p_silent_failure", "p_given_up")


def clean(x: Any) -> float | None:
    """A float for output: None for NaN/inf, negative zero made zero."""
    if x is None:
        return None
    x = float(x)
    if not math.isfinite(x):
        return None
    return x + 0.0


@dataclass
class OptionResult:
    id: str
    kind: str
    provider: str
    model: str
    tier: str
    caching: bool
    status: str  # ok | ineligible | unpriced
    reasons: list[Notice]  # why it is ineligible or unpriced (empty when ok)
    metrics: dict[str, float | None]
    meters: dict[str, dict[str, float | None]]
    notes: list[Notice] = field(default_factory=list)
    price: dict[str, Any] | None = None
    rank: int | None = None
    gpu: dict[str, Any] | None = None  # self-hosted options: fleet, throughput basis, offer
    cascade: dict[str, Any] | None = None  # cascades: their stages
    variant: str | None = None  # the design variant, when the scenario names variants
    uncertainty: dict[str, Any] | None = None  # with --samples: percentiles and p_cheapest
    latency_lower_bound: bool = False  # latency_seconds is a lower bound (no time to first token known)
    provisioned: dict[str, Any] | None = None  # provisioned-throughput options: PTUs, utilisation, spill, price
    effort: str | None = None  # the reasoning-effort level the option runs at (models.<ref>.effort)
    resilience: dict[str, Any] | None = None  # outages, 429s and failover: shares, and the usage tier that fits

    @property
    def eligible(self) -> bool:
        return self.status == "ok"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "rank": self.rank, "id": self.id, "kind": self.kind, "provider": self.provider,
            "model": self.model, "tier": self.tier, "caching": self.caching,
            "eligible": self.eligible, "status": self.status, "reason": Because(self.reasons),
        }
        if self.effort is not None:
            d["effort"] = self.effort
        if self.resilience is not None:
            d["resilience"] = self.resilience
        if self.variant is not None:
            d["variant"] = self.variant
        if self.uncertainty is not None:
            d["uncertainty"] = self.uncertainty
        d.update(self.metrics)
        d["latency_lower_bound"] = self.latency_lower_bound  # latency_seconds is at least this (no TTFT known)
        d["notes"] = list(self.notes)
        d["meters"] = self.meters
        d["price"] = self.price
        if self.gpu is not None:
            d["gpu"] = self.gpu
        if self.cascade is not None:
            d["cascade"] = self.cascade
        if self.provisioned is not None:
            d["provisioned"] = self.provisioned
        return d


@dataclass
class ScenarioResult:
    name: str
    file: str
    description: str
    tasks_per_month: float
    latency_need: Notice
    as_of: str
    options: list[OptionResult]
    assumptions: dict[str, Any] = field(default_factory=dict)
    notes: list[Notice] = field(default_factory=list)
    overrides: list[str] = field(default_factory=list)
    warnings: list[Notice] = field(default_factory=list)
    uncertainty: dict[str, Any] | None = None  # ranges, and the samples and seed when sampled

    rank_by: str = DEFAULT_RANK_BY  # the figure the options are ranked by
    routing: dict[str, Any] | None = None  # a request mix: each segment's best option, and what routing saves

    @property
    def best(self) -> OptionResult | None:
        """The first-ranked option that is eligible and has the ranking figure."""
        for o in self.options:
            if o.eligible and o.metrics.get(self.rank_by) is not None:
                return o
        return None

    def to_dict(self) -> dict[str, Any]:
        best = self.best
        return {
            "name": self.name, "file": self.file, "description": self.description,
            "as_of": self.as_of, "tasks_per_month": self.tasks_per_month, "latency_need": self.latency_need,
            "overrides": list(self.overrides), "assumptions": self.assumptions, "notes": list(self.notes),
            "warnings": list(self.warnings),
            **({"uncertainty": self.uncertainty} if self.uncertainty is not None else {}),
            "rank_by": self.rank_by, "best": best.id if best else None,
            **({"routing": self.routing} if self.routing is not None else {}),
            "options": [o.to_dict() for o in self.options],
        }


@dataclass
class CompareResult(Result):
    kind = "compare"
    currency: str
    scenarios: list[ScenarioResult]

    def payload(self) -> dict[str, Any]:
        return {"currency": self.currency, "scenarios": [s.to_dict() for s in self.scenarios]}


def rank_key(o: OptionResult, rank_by: str = DEFAULT_RANK_BY) -> tuple:
    """How options are ordered: eligible, then ineligible, then unpriced; within each, by the
    ranking figure (compared at 12 significant digits, so rounding noise never decides), then
    by id, the uncached twin before the cached one."""
    order = {"ok": 0, "ineligible": 1, "unpriced": 2}[o.status]
    v = o.metrics.get(rank_by)
    if v is not None:
        v = float(f"{v:.12g}") * (1 if RANKINGS[rank_by] == "min" else -1)
    twin = o.id.replace(":cached", "")
    return (order, v is None, v if v is not None else 0.0, twin, o.caching, o.id)


class Because(tuple):
    """An option's reasons, said as one line joined by '; ' (None when there are none)."""

