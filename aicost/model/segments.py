"""Scenario sections for a request mix (docs/formulas.md "Segments and routing"): request classes
with their shares, attempt shapes and success rates, and the router that sends each request to
its segment's option."""

from typing import Annotated, Literal

from pydantic import Field

from aicost.model import NOT_BOOL
from aicost.model.numbers import Prob, Strict, Tokens
from aicost.model.scenario import Attempt
from aicost.model.traffic import Effort


class SegmentLevel(Strict):
    p_success: Prob | None = None
    format_failure_rate: Prob | None = None


class SegmentModel(Strict):
    """A model's figures on one segment's requests (the rest as under models:)."""

    p_success: Prob | None = Field(None, description="probability that one attempt on this segment succeeds")
    detection_rate: Prob | None = None
    format_failure_rate: Prob | None = None
    effort: dict[Effort, SegmentLevel] | None = Field(None, description="per effort level: p_success on this "
                                                                        "segment")


class Segment(Strict):
    """One class of requests: its share of the traffic, its attempt and its success rates."""

    share: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False), NOT_BOOL] | None = Field(None, description="share of the tasks in this segment (the shares add up to 1; "
                                                 "one segment may leave it out: the rest)")
    description: str = ""
    attempt: Attempt | None = Field(None, description="this segment's steps (default: the scenario's attempt)")
    models: dict[str, SegmentModel] = Field(default_factory=dict, description="per model under models: its "
                                            "success rates on this segment (default: the model's)")


class Router(Strict):
    """A classifier call per task that picks the segment (and so the option) for each request."""

    model: str = Field(description="the classifier's model, priced from the tables")
    tier: Literal["standard", "batch", "flex", "priority"] = "standard"
    input_tokens: Tokens = Field(description="input tokens of the classifier call")
    output_tokens: Tokens = Field(0.0, description="output tokens of the classifier call")
    accuracy: Prob = Field(description="share of requests sent to their own segment's option; a misrouted "
                                       "request goes to another segment's option (shares of the others)")
