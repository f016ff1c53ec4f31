"""Scenario sections about the traffic as it really is (docs/formulas.md "Traffic"): reasoning effort
levels, failures by kind, request segments and a router, availability, failover and rate limits."""

from typing import Annotated, Literal

from pydantic import Field

from aicost.base.constants import EFFORTS  # noqa: F401  (re-exported: the schema's levels)
from aicost.model import NOT_BOOL
from aicost.model.numbers import Factor, Prob, Strict, Tokens  # noqa: F401  (Factor re-exported)

Effort = Literal["minimal", "low", "medium", "high", "xhigh"]
#: A model's failures split by kind (docs/formulas.md "Failures by kind"): format failures are caught by
#: a parser or schema (always, then retried); the rest are content failures, caught at detection_rate.
FORMAT_FAILURE = "share of attempts whose output fails the parser or schema (always caught, then retried); " \
                 "the other failures are content failures, caught at detection_rate"



class EffortLevel(Strict):
    """One reasoning-effort setting of a model: its reasoning tokens and how often it succeeds."""

    reasoning_tokens: Tokens = Field(description="hidden reasoning tokens per call at this effort (replace the "
                                                 "steps' reasoning_tokens on this model)")
    p_success: Prob | None = Field(None, description="default: the model's p_success")
    format_failure_rate: Prob | None = Field(None, description="default: the model's")




class Failover(Strict):
    """Where requests go when the option's provider is down or over its rate limit."""

    model: str = Field(description="the model requests fail over to (under models:, or any priced model)")
    tier: Literal["standard", "batch", "flex", "priority"] = "standard"
    on: list[Literal["outage", "rate_limit"]] = Field(default_factory=lambda: ["outage", "rate_limit"], min_length=1,
                                                      description="what sends a request to it")
    p_success: Prob | None = Field(None, description="default: the model's p_success under models:")


class Resilience(Strict):
    """Outages and rate limits (docs/formulas.md "Failure economics"): the share of requests that
    fail over or are lost, what that costs and how long it makes a user wait."""

    availability: dict[str, Prob] = Field(default_factory=dict, description="share of time each provider (or "
                                          "provider/model, or model) answers: {openai: 0.995}; default 1")
    failover: Failover | None = Field(None, description="absent: a request lost to an outage or a rate limit "
                                                        "is given up (people finish it at human_cost_per_task)")
    usage_tier: dict[str, Annotated[int, Field(ge=1, le=5)]] = Field(
        default_factory=dict, description="the usage tier of each provider's account, {openai: 3}: its published "
                                          "rate limits apply to models with a table (rate_limits: wins)")
    projects: Annotated[int, Field(ge=1, le=10_000), NOT_BOOL] = Field(
        1, description="projects (or keys) the load is spread over, each with the tier's limits")
    retries: Annotated[int, Field(ge=0, le=20), NOT_BOOL] = Field(
        2, description="retries of a request refused with a 429 or an outage error before it fails over")
    backoff_seconds: Annotated[float, Field(ge=0, le=3600, allow_inf_nan=False), NOT_BOOL] = Field(
        1.0, description="the first retry's wait; each further retry waits twice as long (not billed: latency)")
