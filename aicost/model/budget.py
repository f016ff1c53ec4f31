"""Schemas of budgets: the limits ``aicost check`` holds a scenario to, inside a scenario or in a
file of their own (``kind: budgets``)."""

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from aicost.model import NOT_BOOL
from aicost.model.numbers import MAX_FIGURE, NonNeg, Strict


def _percent(v):
    """``80%`` -> 0.8; numbers as they are."""
    if isinstance(v, str) and v.strip().endswith("%"):
        try:
            return float(v.strip()[:-1]) / 100.0
        except ValueError:
            raise ValueError(f"expected a number or a percentage such as 80%, got {v!r}") from None
    return v


Share = Annotated[float, BeforeValidator(_percent), Field(gt=0, le=1, allow_inf_nan=False), NOT_BOOL]


def _increase(v):
    """``10%`` (relative, kept as text) or an amount in the table's currency (>= 0)."""
    if isinstance(v, bool):
        raise ValueError("expected a percentage such as 10% or an amount such as 500")
    if isinstance(v, str):
        t = v.strip()
        if not t.endswith("%"):
            raise ValueError(f"expected a percentage such as 10% or an amount such as 500, got {v!r}")
        x = _percent(t)
        if not 0 <= x < float("inf"):
            raise ValueError(f"the percentage must be 0% or more, got {v!r}")
        return t
    if isinstance(v, (int, float)) and v >= 0 and v != float("inf"):
        return float(v)
    raise ValueError(f"expected a percentage such as 10% or an amount of 0 or more, got {v!r}")


Increase = Annotated[str | float, BeforeValidator(_increase)]
DIFFED = ("cost_per_success", "monthly_cost")
LIMITS = {"max_total_cost_per_success": ("total_cost_per_success", "max"),
          "max_cost_per_success": ("cost_per_success", "max"),
          "max_cost_per_resolved_task": ("cost_per_resolved_task", "max"),
          "max_monthly_cost": ("monthly_cost", "max"), "min_roi": ("roi", "min"),
          "max_latency_seconds": ("latency_seconds", "max")}


class Budget(Strict):
    """Limits that ``aicost check`` holds the scenario to (a CI gate)."""

    option: str | None = Field(None, description="the option in production (an option id, or its unique end such "
                                                 "as gpt-5-mini:standard:cached); default: the best eligible option")
    max_total_cost_per_success: NonNeg | None = Field(
        None, description="most a successful outcome may cost, fully loaded (everything the month costs over its "
                          "successful outcomes)")
    max_cost_per_success: NonNeg | None = Field(None, description="most a successful outcome may cost (AI and "
                                                                  "review)")
    max_cost_per_resolved_task: NonNeg | None = Field(None, description="most a resolved task may cost")
    max_monthly_cost: NonNeg | None = Field(None, description="most the workload may cost a month")
    max_latency_seconds: NonNeg | None = Field(
        None, description="longest the option's estimated answer time per attempt may be, seconds (the estimate "
                          "compare shows: time to first token and output at the tables' median speeds, tools, and "
                          "the waits of retries and failover)")
    min_roi: Annotated[float, Field(ge=-MAX_FIGURE, le=MAX_FIGURE, allow_inf_nan=False), NOT_BOOL] | None = Field(
        None, description="least ROI over the horizon (0.5 = 50%)")
    warn_at: Share | None = Field(None, description="warn when a figure is past this share of a limit (0.8 or 80%)")
    percentile: Annotated[int, Field(ge=1, le=99), NOT_BOOL] | None = Field(
        None, description="judge this percentile of each figure over the scenario's ranges (e.g. 90)")
    max_increase: Increase | dict[Literal["cost_per_success", "monthly_cost"], Increase] | None = Field(
        None, description="against a baseline (aicost check --compare-to): the most cost per success and monthly "
                          "cost may rise, as 10% or an amount; or per figure, {cost_per_success: 5%, monthly_cost: "
                          "500}")

    @model_validator(mode="after")
    def _a_limit(self):
        if all(getattr(self, k) is None for k in LIMITS) and self.max_increase is None:
            raise ValueError("give at least one limit: " + ", ".join(LIMITS) + " or max_increase")
        return self


class BudgetEntry(Budget):
    scenario: str = Field(min_length=1, description="the scenario file (relative to this file) or a bundled name")
    set: list[str] = Field(default_factory=list, description="overrides for this check, as --set")


class SpendBudget(Strict):
    """Actual spend per tag value, from a usage log, held to a monthly limit (``aicost check`` fails
    when a team's spend this month passes its limit, and warns when the trend will)."""

    usage: list[str] = Field(min_length=1, description="usage logs (relative to this file): files or directories")
    layout: str = Field("aicost", description="their column layout: aicost, openai, anthropic, litellm, or a "
                                              "mapping file (relative to this file)")
    by: str = Field(description="the tag whose values have limits, e.g. team")
    max_monthly_spend: NonNeg | None = Field(None, description="the limit of every value")
    limits: dict[str, NonNeg] = Field(default_factory=dict, description="value -> its own monthly limit")
    warn_at: Share | None = Field(None, description="warn when this month's spend passes this share of a limit "
                                                    "(0.8 or 80%); a month-end projection over the limit always "
                                                    "warns")

    @model_validator(mode="after")
    def _a_limit(self):
        if self.max_monthly_spend is None and not self.limits:
            raise ValueError("give max_monthly_spend or limits: {value: amount}")
        return self


class BudgetsFile(Strict):
    """A file of budgets that point at scenarios (``kind: budgets``): one team's limits kept apart
    from the workload descriptions, and limits on actual spend from usage logs (``spend:``)."""

    kind: Literal["budgets"]
    version: Literal[1]
    budgets: list[BudgetEntry] = Field(default_factory=list)
    spend: list[SpendBudget] = Field(default_factory=list, description="actual spend per tag value, from logs")

    @model_validator(mode="after")
    def _something(self):
        if not self.budgets and not self.spend:
            raise ValueError("give budgets: (scenarios) or spend: (usage logs)")
        return self
