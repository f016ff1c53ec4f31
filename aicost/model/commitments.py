"""Scenario sections for what a team commits to or owns: provisioned throughput (Azure PTU) and
fine-tuned models (docs/formulas.md "Provisioned throughput", "Fine-tuning")."""

from typing import Annotated, Literal

from pydantic import Field

from aicost.model import NOT_BOOL
from aicost.model.scenario import NonNeg, Pos, Strict


class Provisioned(Strict):
    """Provisioned throughput (Azure PTU) options beside pay-as-you-go (docs/formulas.md "Provisioned")."""

    deployments: list[Literal["global", "datazone", "regional"]] = Field(
        default_factory=lambda: ["global"], min_length=1, description="deployment types to compare")
    terms: list[Literal["hourly", "monthly", "yearly"]] = Field(
        default_factory=lambda: ["hourly", "monthly", "yearly"], min_length=1,
        description="hourly (no reservation), a one-month or a one-year reservation")
    ptus: Annotated[int, Field(gt=0, le=10**7), NOT_BOOL] | None = Field(
        None, description="PTUs already reserved (absent: sized for the busiest hour x headroom)")
    headroom: Annotated[float, Field(ge=1, le=100, allow_inf_nan=False), NOT_BOOL] = Field(
        1.0, description="capacity over the busiest hour's load when sizing (1.2: 20% spare)")
    spillover: bool = Field(True, description="load above the capacity goes to pay-as-you-go Standard (false: "
                                              "it is refused, and an option that cannot hold the load is out)")


class FineTune(Strict):
    """How a fine-tuned model listed under models: is trained (docs/formulas.md "Fine-tuning")."""

    training_tokens: Pos = Field(description="tokens in the training file")
    epochs: Annotated[float, Field(ge=1, le=100, allow_inf_nan=False), NOT_BOOL] = Field(3.0, description="passes")
    retrain_every_months: NonNeg = Field(0.0, description="trained again every this many months (0: once)")
    hosting_hours_per_month: Annotated[float, Field(ge=0, le=744, allow_inf_nan=False), NOT_BOOL] = Field(
        730.0, description="hours a month the fine-tune is deployed, where hosting is billed (Azure)")
