"""Scenario sections for what a team commits to or owns: provisioned throughput (Azure PTU),
fine-tuned models and the retrieval store (docs/formulas.md "Provisioned throughput",
"Fine-tuning", "Retrieval")."""

from typing import Annotated, Literal

from pydantic import Field

from aicost.model import NOT_BOOL
from aicost.model.scenario import NonNeg, Pos, Prob, Strict


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


class OwnStore(Strict):
    """Your own vector database instead of hosted file search: its prices are inputs (docs/formulas.md)."""

    storage_per_gb_month: NonNeg = Field(0.0, description="storage, per GB a month (Pinecone serverless: 0.33)")
    queries_per_task: NonNeg = Field(1.0, description="searches per attempt (fan-out)")
    read_units_per_query: NonNeg = Field(0.0, description="read units a search costs (Pinecone: 1 per GB of the "
                                                          "namespace, at least 0.25)")
    per_million_read_units: NonNeg = Field(0.0, description="per 1M read units (Pinecone serverless: 16)")
    instance_monthly: NonNeg = Field(0.0, description="a dedicated or self-hosted instance, a month")
    minimum_monthly: NonNeg = Field(0.0, description="the plan's monthly minimum (Pinecone Standard: 50)")
    ops_monthly: NonNeg = Field(0.0, description="people and tooling to run it, a month")


class Retrieval(Strict):
    vector_store_gb: NonNeg = Field(0.0, description="size of the vector store (the corpus's vectors), GB: hosted "
                                                     "file search, or your own store")
    corpus_tokens: NonNeg = Field(0.0, description="tokens in the corpus (what embedding it costs)")
    refresh_share: Prob = Field(0.0, description="share of the corpus re-embedded a month (own store)")
    embedding_model: str | None = Field(None, description="the embedding model (own store), priced from the tables")
    embedding_tier: Literal["standard", "batch"] = Field("batch", description="the tier the re-embedding runs on")
    own_store: OwnStore | None = Field(None, description="your own vector database instead of hosted file search")
