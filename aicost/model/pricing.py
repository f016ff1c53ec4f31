"""Schema of a pricing table (``pricing/*.yaml``), version 1."""


from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from aicost.base.constants import IMAGE_QUALITIES, TIERS, TOOLS
from aicost.model import NOT_BOOL

Tier = Literal[TIERS]  # type: ignore[valid-type]  # the four tiers of base/constants.py
ToolName = Literal[TOOLS]  # type: ignore[valid-type]

# Decimals are read exactly; their JSON Schema is stated here so that it does not change
# with the pydantic release that generates it (YAML gives plain numbers).
Money = Annotated[Decimal, Field(ge=0, allow_inf_nan=False), WithJsonSchema({"type": "number", "minimum": 0}), NOT_BOOL]
Positive = Annotated[Decimal, Field(gt=0, allow_inf_nan=False), WithJsonSchema({"type": "number", "exclusiveMinimum": 0}), NOT_BOOL]
Percent = Annotated[Decimal, Field(gt=0, lt=100, allow_inf_nan=False),
                    WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 100}), NOT_BOOL]
Ident = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")]
#: An image size, width x height in pixels ("1024x1792").
ImageSize = Annotated[str, Field(pattern=r"^[1-9][0-9]{0,4}x[1-9][0-9]{0,4}$")]
Quality = Literal[IMAGE_QUALITIES]  # type: ignore[valid-type]
Count = Annotated[int, Field(gt=0, le=10**7), NOT_BOOL]


class Strict(BaseModel):
    # defer_build: schemas are built on first validation, so a cached price book loads
    # without building them at all (see aicost.inputs.pricebook.PriceBook.load)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, defer_build=True)


class Sourced(Strict):
    source: str | None = Field(None, description="URL or document the figure comes from (inherited when absent)")
    checked: date | None = Field(None, description="Date the figure was checked against the source (inherited)")
    note: str | None = None


class Rates(Sourced):
    """USD (or the file's currency) per 1M tokens on one tier."""

    input: Money
    output: Money
    cached_input: Money | None = Field(None, description="cache read; absent = no published price")
    cache_write: Money | None = Field(None, description="cache write (5-minute TTL); absent = same as input")
    cache_write_1h: Money | None = Field(None, description="1-hour cache write (Anthropic)")
    reasoning: Money | None = Field(None, description="reasoning tokens; absent = billed as output")
    effective_from: date | None = Field(None, description="first day this price applies (inclusive)")
    effective_to: date | None = Field(None, description="day this price stops applying (exclusive)")
    # beyond text tokens (absent: the model does not bill that unit on this tier)
    audio_input: Money | None = Field(None, description="per 1M audio input tokens")
    cached_audio_input: Money | None = Field(None, description="per 1M cached audio input tokens")
    audio_output: Money | None = Field(None, description="per 1M audio output tokens")
    image_input: Money | None = Field(None, description="per 1M image input tokens (absent: image tokens are "
                                                        "billed as input tokens)")
    cached_image_input: Money | None = Field(None, description="per 1M cached image input tokens (usage logs)")
    image_output: Money | None = Field(None, description="per 1M image output tokens (generated images)")
    per_audio_minute: Money | None = Field(None, description="per minute of audio input (transcription)")
    per_1m_characters: Money | None = Field(None, description="per 1M characters turned into speech")
    per_image: dict[ImageSize, dict[Quality, Money]] | None = Field(
        None, description="per generated image, by size (WxH) then quality")


def _as_list(value):
    return [value] if isinstance(value, dict) else value


#: One rate block, or a list of dated blocks (price history).
TierRates = Annotated[list[Rates], BeforeValidator(_as_list), Field(min_length=1)]


class LongContext(Strict):
    threshold: Annotated[int, Field(gt=0), NOT_BOOL] = Field(description="prompt tokens above which the whole request is repriced")
    tiers: dict[Tier, TierRates]


class ToolPrice(Sourced):
    per_1k_calls: Money | None = None
    per_session: Money | None = None
    per_gb_day: Money | None = None
    free_gb: Money = Decimal(0)
    content_tokens: Literal["input", "free", "fixed_block"] | None = None
    fixed_block_tokens: Annotated[int, Field(gt=0), NOT_BOOL] | None = None


class TierRule(Sourced):
    max_latency_seconds: Positive | None = Field(None, description="longest time the tier may take to answer")
    max_requests_per_file: Annotated[int, Field(gt=0), NOT_BOOL] | None = None
    max_file_mb: Positive | None = None


class Variant(Sourced):
    """A derived provider whose prices are this one's times a multiplier (e.g. Azure Data Zone +10%)."""

    provider: Ident
    name: str
    multiplier: Positive
    tiers: list[Tier]
    models: list[str] | None = Field(None, description="only these models of the file (default: every one), "
                                     "e.g. those that offer US-only inference")


class Speed(Sourced):
    """How fast a model answers on a tier: output speed and time to first token."""

    output_tokens_per_s: Positive = Field(description="output tokens per second while generating")
    ttft_seconds: Annotated[Decimal, Field(ge=0, allow_inf_nan=False),
                            WithJsonSchema({"type": "number", "minimum": 0}), NOT_BOOL] | None = Field(
        None, description="time to first token, seconds")
    label: Literal["published", "measured", "estimated"] = Field(
        description="published: a provider's guarantee or documentation; measured: a third party's benchmark; "
                    "estimated: derived or assumed")
    statistic: Literal["median", "floor"] = Field(
        "median", description="median: a typical (P50) speed; floor: a guaranteed minimum (an SLA such as '99% of "
                              "requests above N tokens/s'), compared with medians as no slower than Standard")


class AudioTokens(Sourced):
    """How many tokens a minute of audio is, for a model that bills audio per token."""

    input: Positive | None = Field(None, description="audio input tokens per minute")
    output: Positive | None = Field(None, description="audio output tokens per minute")


class ImageRule(Sourced):
    """How a model counts an input image as tokens (docs/formulas.md "Image inputs").

    tiles: fit within ``fit_px`` square, shortest side to ``short_side_px``, then
    ``base_tokens + tile_tokens`` per ``tile_px`` tile (detail low: ``base_tokens``);
    patches: ``patch_px`` patches, at most ``max_patches`` (scaled down to fit), x ``multiplier``;
    pixels: width x height / ``pixels_per_token``, scaled down to ``max_edge_px`` and ``max_tokens``;
    gemini: ``tile_tokens`` for an image within ``small_px`` on both sides, else that per
    ``tile_px`` tile.
    """

    rule: Literal["tiles", "patches", "pixels", "gemini"]
    base_tokens: Annotated[int, Field(ge=0), NOT_BOOL] = 0
    tile_tokens: Count | None = None
    tile_px: Count = 512
    fit_px: Count = 2048
    short_side_px: Count = 768
    patch_px: Count = 32
    max_patches: Count = 1536
    multiplier: Positive = Decimal(1)
    pixels_per_token: Count = 750
    max_edge_px: Count | None = None
    max_tokens: Count | None = None
    small_px: Count = 384

    @model_validator(mode="after")
    def _complete(self):
        if self.rule in ("tiles", "gemini") and self.tile_tokens is None:
            raise ValueError(f"the {self.rule} rule needs tile_tokens")
        return self


KINDS = ("chat", "embedding", "transcription", "speech", "image")
#: Provisioned-throughput deployment types (Azure PTU) and reservation terms.
DEPLOYMENTS = ("global", "datazone", "regional")
TERMS = ("hourly", "monthly", "yearly")


class PtuPrice(Sourced):
    """What one provisioned throughput unit costs on one deployment type."""

    hourly: Money = Field(description="per PTU-hour deployed, no reservation")
    monthly: Money | None = Field(None, description="per PTU for a one-month reservation")
    yearly: Money | None = Field(None, description="per PTU for a one-year reservation")


class ModelProvisioned(Sourced):
    """How much a model's provisioned throughput unit serves (Azure's sizing table)."""

    input_tpm_per_ptu: Positive = Field(description="input tokens a minute one PTU serves")
    output_weight: Positive = Field(description="one output token counts as this many input tokens")
    min_ptus: Count = Field(15, description="smallest Global or Data Zone deployment, PTUs")
    increment: Count = Field(5, description="Global or Data Zone deployments grow in steps of this many PTUs")
    regional_min_ptus: Count | None = Field(None, description="smallest Regional deployment (absent: no Regional)")
    regional_increment: Count | None = None


class TierLimits(Strict):
    """One usage tier's limits for a model: requests and tokens a minute, and the Batch queue."""

    rpm: Positive = Field(description="requests per minute")
    tpm: Positive = Field(description="tokens per minute (input + output)")
    batch_queue_tokens: Positive | None = Field(None, description="Batch: input tokens enqueued at a time")


class RateLimits(Sourced):
    """A model's published rate limits per usage tier (OpenAI: tiers 1 to 5, reached by spend)."""

    tiers: dict[Annotated[int, Field(ge=1, le=5)], TierLimits] = Field(min_length=1, description="usage tier "
                                                                                   "(1 to 5) -> its limits")


class ModelPrice(Sourced):
    name: str | None = None
    aliases: list[str] = Field(default_factory=list)
    deprecated: date | None = Field(None, description="day the provider announced the model's retirement (a "
                                    "warning from then on; it is still priced)")
    retired: date | None = Field(None, description="day the provider stopped serving the model: from then on it "
                                 "is not priced (an option is out, a usage row unpriced), never priced as live")
    available_from: date | None = Field(None, description="the model's release day: before it, it is not priced")
    context_window: Annotated[int, Field(gt=0), NOT_BOOL] | None = None
    min_cache_tokens: Annotated[int, Field(ge=0), NOT_BOOL] | None = None
    cache_storage_per_mtok_hour: Money | None = None
    tiers: dict[Tier, TierRates]
    long_context: LongContext | None = None
    tools: dict[ToolName, ToolPrice] = Field(default_factory=dict)
    speeds: dict[Tier, Speed] = Field(default_factory=dict, description="answer speed per tier, for latency")
    kind: Literal[KINDS] = Field("chat", description="chat (text, and the audio or images its rates price); "  # type: ignore[valid-type]
                                 "embedding (input tokens only); transcription (audio in); speech (speech out); "
                                 "image (images generated)")
    audio_tokens: AudioTokens | None = Field(None, description="audio tokens per minute, where audio is billed "
                                                               "per token")
    image_tokens: ImageRule | None = Field(None, description="how an input image counts as tokens (default: the "
                                                             "file's image_tokens; absent: the model takes no images)")
    image_output_tokens: dict[ImageSize, dict[Quality, Count]] | None = Field(
        None, description="image output tokens per generated image, by size then quality (priced at image_output)")
    provisioned: ModelProvisioned | None = Field(None, description="provisioned throughput (Azure PTU) sizing")
    training_per_mtok: Money | None = Field(None, description="a fine-tuned model: training price per 1M training "
                                                              "tokens (x epochs) to make it")
    hosting_per_hour: Money | None = Field(None, description="a fine-tuned model: hosting per hour deployed (Azure)")
    rate_limits: RateLimits | None = Field(None, description="published rate limits per usage tier (a scenario's "
                                                             "resilience.usage_tier picks one)")


class Discount(Sourced):
    """A negotiated discount: provider-wide or for one model, on some or all tiers."""

    provider: Ident | None = None
    model: str | None = Field(None, description="provider/model, or a model name")
    percent: Percent
    tiers: list[Tier] | None = Field(None, description="tiers it applies to (default: all)")

    @model_validator(mode="after")
    def _one_target(self):
        if (self.provider is None) == (self.model is None):
            raise ValueError("give exactly one of provider or model")
        return self


class PricingFile(Strict):
    version: Literal[1]
    provider: Ident | None = Field(None, description="required unless the file only holds discounts")
    name: str | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    source: str
    checked: date
    resells: Ident | None = Field(None, description="provider whose models this one hosts (bare names prefer the original)")
    tier_rules: dict[Tier, TierRule] = Field(default_factory=dict)
    tools: dict[ToolName, ToolPrice] = Field(default_factory=dict)
    image_tokens: ImageRule | None = Field(None, description="how the file's chat models count an input image as "
                                                             "tokens (a model's own rule wins)")
    variants: list[Variant] = Field(default_factory=list)
    provisioned: dict[Literal[DEPLOYMENTS], PtuPrice] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="provisioned throughput prices per deployment type (Azure PTU)")
    models: dict[str, ModelPrice] = Field(default_factory=dict)
    discounts: list[Discount] = Field(default_factory=list, description="negotiated discounts, applied last")

    @model_validator(mode="after")
    def _provider_when_needed(self):
        if self.provider is None and (self.models or self.tools or self.tier_rules or self.variants):
            raise ValueError("give provider: (only a file of discounts may leave it out)")
        if self.provider is None and not self.discounts:
            raise ValueError("give provider: and models:, or discounts:")
        return self
