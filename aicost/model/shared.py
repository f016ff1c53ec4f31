"""Schema of a shared-costs file (``aicost allocate --shared FILE``), version 1."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from aicost.model import NOT_BOOL, repeated
from aicost.model.scenario import Strict


class SharedCost(Strict):
    """A cost no single team runs up (a gateway, evals, a vector database, reserved GPUs),
    split over the teams' groups every month of the log."""

    name: Annotated[str, Field(min_length=1)]
    monthly_cost: Annotated[Decimal, Field(allow_inf_nan=False), NOT_BOOL] = Field(
        description="amount per month in the tables' currency; negative for a credit")
    split: Literal["even", "weighted", "fixed"] = Field(
        description="even: the same to every group; weighted: in proportion to 'by'; fixed: 'percent' per value of 'key'")
    by: Literal["cost", "tokens", "requests"] | None = Field(None, description="weighted by this (default cost)")
    key: str | None = Field(None, description="fixed: the --by tag the percentages name (default: the first)")
    percent: dict[str, Annotated[Decimal, Field(ge=0, le=100, allow_inf_nan=False), NOT_BOOL]] | None = Field(
        None, description="fixed: share per tag value, summing to 100")
    provider: str | None = Field(None, description="who invoices it, for FOCUS rows (default In-house)")
    category: Literal["Usage", "Purchase", "Credit", "Adjustment"] | None = Field(
        None, description="FOCUS ChargeCategory (default Usage, or Credit when negative)")

    @model_validator(mode="after")
    def _rule(self):
        if self.split == "fixed":
            if not self.percent:
                raise ValueError("split: fixed needs percent: {value: share, ...} summing to 100")
            total = sum(self.percent.values())
            if total != 100:
                raise ValueError(f"percent must sum to 100 (they sum to {total})")
        elif self.percent is not None:
            raise ValueError("percent: is only for split: fixed")
        if self.by is not None and self.split != "weighted":
            raise ValueError("by: is only for split: weighted")
        return self


class SharedCostsFile(Strict):
    version: Literal[1]
    kind: Literal["shared-costs"] = "shared-costs"
    shared: list[SharedCost] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self):
        dup = repeated([s.name for s in self.shared])
        if dup:
            raise ValueError(f"shared cost names must be unique: {', '.join(dup)}")
        return self
