"""Schema of a workload scenario (``scenarios/*.yaml``), version 1."""


from typing import Annotated, Literal

from pydantic import Field, model_validator

from aicost.base.constants import DEFAULT_RANK_BY, RANKINGS
from aicost.model import NOT_BOOL, repeated
from aicost.model.pricing import TIERS, ImageSize, Quality, Tier
from aicost.model.traffic import FORMAT_FAILURE, Effort, EffortLevel, Factor, Resilience

from aicost.model.numbers import MAX_FIGURE, NonNeg, Pos, Prob, Strict, Tokens  # noqa: F401,E402  (re-exported)


class Volume(Strict):
    tasks_per_month: NonNeg = Field(description="tasks the workload handles in a month")
    peak_to_average: Annotated[float, Field(ge=1, le=MAX_FIGURE, allow_inf_nan=False), NOT_BOOL] | None = Field(
        None, description="busiest hour's rate over the mean rate (capacity sizing); default 1, or the peak of "
                          "daily_shape"
    )
    monthly_growth: Annotated[float, Field(ge=-0.5, le=10, allow_inf_nan=False), NOT_BOOL] = Field(
        0.0, description="the volume's growth per month (0.1: +10% a month), for aicost gpu --months")
    daily_shape: Annotated[list[Annotated[float, Field(ge=0, le=MAX_FIGURE, allow_inf_nan=False), NOT_BOOL]],
                           Field(min_length=24, max_length=24)] | None = Field(
        None, description="the load in each hour of the day, 00:00 to 23:00 (any unit: only the shape counts); "
                          "autoscaled GPU fleets follow it. Absent: a working day with peak_to_average")

    @model_validator(mode="after")
    def _one_day(self):
        if self.daily_shape is not None:
            if not any(self.daily_shape):
                raise ValueError("daily_shape has no load in any hour")
            if self.peak_to_average is not None:
                raise ValueError("give daily_shape or peak_to_average, not both (the shape sets the peak; on the "
                                 "command line: --set volume.peak_to_average=null)")
            self.peak_to_average = max(self.daily_shape) * 24 / sum(self.daily_shape)
        elif self.peak_to_average is None:
            self.peak_to_average = 1.0
        return self


class Latency(Strict):
    """How fast an answer is needed: give exactly one of the three."""

    p95_seconds: Pos | None = Field(None, description="interactive: 95th-percentile answer time in seconds")
    minutes: Pos | None = Field(None, description="an answer within this many minutes")
    deadline_hours: Pos | None = Field(None, description="a deadline in hours (e.g. 24 for overnight)")

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [k for k in ("p95_seconds", "minutes", "deadline_hours") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of p95_seconds, minutes or deadline_hours")
        return self


class Step(Strict):
    """One kind of LLM call made during an attempt."""

    name: str
    model: str | None = Field(None, description="run this step on this model (default: the option's model)")
    tier: Tier | None = Field(None, description="run this step on this tier (default: the option's tier)")
    calls: NonNeg = Field(1.0, description="calls of this kind per attempt")
    input_tokens: Tokens = Field(description="prompt tokens per call (the first turn's), cacheable prefix included")
    cached_prefix_tokens: Tokens = Field(0.0, description="the stable prefix that prompt caching can reuse")
    retrieved_tokens: Tokens = Field(0.0, description="retrieved context added to each call's input (not cached)")
    output_tokens: Tokens = Field(description="visible output tokens per call (per turn)")
    reasoning_tokens: Tokens = Field(0.0, description="hidden reasoning tokens per call (billed as output)")
    turns: Annotated[int, Field(ge=1, le=1000), NOT_BOOL] = Field(1, description="conversation turns per call; later turns "
                                                                          "resend the history")
    turn_input_tokens: Tokens = Field(0.0, description="new input tokens in each turn after the first")
    web_searches: NonNeg = Field(0.0, description="web searches per call (turn)")
    search_content_tokens: Tokens | None = Field(None, description="search content tokens each search adds to the "
                                                                     "input, where the provider bills them")
    file_searches: NonNeg = Field(0.0, description="file-search tool calls per call (turn)")
    code_sessions: NonNeg = Field(0.0, description="hosted code-execution sessions per call (turn)")
    tool_seconds: NonNeg = Field(0.0, description="seconds the tools add to each call, for the latency estimate")
    # beyond text tokens (docs/formulas.md "Audio, speech, images, embeddings"); each model bills the unit it prices
    audio_input_minutes: NonNeg = Field(0.0, description="minutes of audio sent with each call (turn)")
    audio_input_tokens: Tokens = Field(0.0, description="audio input tokens per call (turn), instead of minutes")
    audio_output_minutes: NonNeg = Field(0.0, description="minutes of speech produced per call (turn)")
    audio_output_tokens: Tokens = Field(0.0, description="audio output tokens per call (turn), instead of minutes")
    characters: NonNeg = Field(0.0, description="characters of text turned into speech per call (turn)")
    image_inputs: NonNeg = Field(0.0, description="images sent with each call (turn)")
    input_image_size: ImageSize | None = Field(None, description="their size, WIDTHxHEIGHT in pixels (2048x4096)")
    image_detail: Literal["low", "high", "auto"] = Field("auto", description="OpenAI's detail setting (auto: "
                                                                            "counted as high)")
    images_generated: NonNeg = Field(0.0, description="images generated per call (turn)")
    generated_image_size: ImageSize | None = Field(None, description="their size, WIDTHxHEIGHT (1024x1024)")
    image_quality: Quality | None = Field(None, description="their quality: standard or hd (dall-e-3), low, medium "
                                                            "or high (gpt-image-1)")

    @model_validator(mode="after")
    def _consistent(self):
        if self.cached_prefix_tokens > self.input_tokens:
            raise ValueError(
                f"cached_prefix_tokens ({self.cached_prefix_tokens:g}) exceeds input_tokens ({self.input_tokens:g})"
            )
        if self.web_searches > 0 and self.search_content_tokens is None:
            raise ValueError("web_searches needs search_content_tokens (providers bill search content as input)")
        for way in ("input", "output"):
            if getattr(self, f"audio_{way}_minutes") > 0 and getattr(self, f"audio_{way}_tokens") > 0:
                raise ValueError(f"give audio_{way}_minutes or audio_{way}_tokens, not both")
        if self.image_inputs > 0 and self.input_image_size is None:
            raise ValueError("image_inputs needs input_image_size (WIDTHxHEIGHT, e.g. 1024x1024)")
        if self.images_generated > 0 and (self.generated_image_size is None or self.image_quality is None):
            raise ValueError("images_generated needs generated_image_size (e.g. 1024x1024) and image_quality")
        return self


class Attempt(Strict):
    steps: list[Step] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self):
        dupes = repeated([s.name for s in self.steps])
        if dupes:
            raise ValueError(f"step names must be unique; repeated: {', '.join(dupes)}")
        return self


class Caching(Strict):
    hit_rate: Prob = Field(0.0, description="share of cacheable prefix tokens read from cache when caching is on")
    write_ttl: Literal["5m", "1h"] = Field("5m", description="cache lifetime paid for on a write (Anthropic: 5m or 1h)")
    explicit_hours: Annotated[float, Field(ge=0, le=744, allow_inf_nan=False), NOT_BOOL] = Field(
        0.0, description="hours a month an explicit cache holds the steps' cached prefixes (Gemini explicit "
                         "caching: storage billed per 1M tokens per hour, on models whose table gives "
                         "cache_storage_per_mtok_hour; at most 744, a 31-day month); 0: implicit caching only, no storage")


class Quality(Strict):
    """Retry model defaults for every model, and the floor an option must clear."""

    attempts_allowed: Annotated[int, Field(ge=1, le=100), NOT_BOOL] = Field(1, description="attempts before giving up")
    detection_rate: Prob = Field(0.0, description="share of failed attempts caught automatically (then retried)")
    format_failure_rate: Prob = Field(0.0, description=FORMAT_FAILURE)
    min_success: Prob | None = Field(None, description="quality floor: an option whose tasks succeed less often "
                                                       "than this (retries included) is ineligible")
    max_silent_failure: Prob | None = Field(None, description="quality floor: an option that lets more than this "
                                                              "share of tasks fail unnoticed is ineligible")


class ModelQuality(Strict):
    p_success: Prob = Field(description="probability that one attempt succeeds")
    attempts_allowed: Annotated[int, Field(ge=1, le=100), NOT_BOOL] | None = None
    detection_rate: Prob | None = None
    format_failure_rate: Prob | None = Field(None, description=FORMAT_FAILURE + " (default: quality's)")
    tiers: list[Tier] | None = Field(None, description="compare this model only on these tiers")
    input_factor: Factor = Field(1.0, description="this model's input tokens over the steps' counts (its "
                                                  "tokenizer: 1.2 counts 20% more tokens for the same text)")
    output_factor: Factor = Field(1.0, description="this model's visible output over the steps' counts (its "
                                                   "verbosity)")
    effort: dict[Effort, EffortLevel] | None = Field(
        None, description="reasoning effort levels, each compared as its own option: {low: {reasoning_tokens: "
                          "300, p_success: 0.8}, high: {...}}")

    @model_validator(mode="after")
    def _failures_add_up(self):
        for where, p, f in [("", self.p_success, self.format_failure_rate)] + [
                (f"effort.{k}: ", lv.p_success if lv.p_success is not None else self.p_success,
                 lv.format_failure_rate if lv.format_failure_rate is not None else self.format_failure_rate)
                for k, lv in (self.effort or {}).items()]:
            if f is not None and f > 1 - p + 1e-12:
                raise ValueError(f"{where}format_failure_rate ({f:g}) exceeds the failures (1 - p_success = "
                                 f"{1 - p:g}): format failures are a part of them")
        return self


class People(Strict):
    review_share: Prob = Field(0.0, description="share of delivered outputs a person reviews")
    cost_per_review: NonNeg = Field(0.0, description="cost of one review")
    human_cost_per_task: NonNeg = Field(0.0, description="cost of a person finishing a task the AI gave up on")


class Value(Strict):
    value_per_success: NonNeg | None = Field(None, description="what one successful task is worth")
    baseline_cost_per_task: NonNeg | None = Field(None, description="what the task costs done by people today")
    build_cost: NonNeg = Field(0.0, description="one-time cost to build the workload")
    fixed_monthly: NonNeg = Field(0.0, description="fixed monthly costs (hosting, monitoring, licences)")
    horizon_months: Pos = Field(12.0, description="months over which ROI is computed")
    price_per_task: NonNeg | None = Field(None, description="what a customer pays per task (aicost gpu --months "
                                                            "shows the gross margin per task)")

    @model_validator(mode="after")
    def _one_value(self):
        if (self.value_per_success is None) == (self.baseline_cost_per_task is None):
            raise ValueError("give exactly one of value_per_success or baseline_cost_per_task")
        return self


class TierBehaviour(Strict):
    """Flex and Batch realities (both shares default to 0)."""

    flex_refusal_share: Prob = Field(0.0, description="share of Flex calls refused for capacity (not billed)")
    on_flex_refusal: Literal["wait", "standard"] = Field("standard", description="retry later, or send to Standard "
                                                                                 "at Standard prices")
    batch_expiry_share: Prob = Field(0.0, description="share of Batch requests that expire unfinished")
    on_batch_expiry: Literal["resubmit", "standard"] = Field("resubmit", description="resubmit (adds a day) or send "
                                                                                     "to Standard")


class Stage(Strict):
    model: str
    tier: Tier = "standard"
    p_success: Prob | None = Field(None, description="default: the model's p_success under models:")
    detection_rate: Prob | None = None
    attempts_allowed: Annotated[int, Field(ge=1, le=100), NOT_BOOL] | None = None
    format_failure_rate: Prob | None = None
    effort: Effort | None = Field(None, description="the model's effort level under models: this stage runs at")


class Cascade(Strict):
    """Try the first model; escalate a caught failure (or a given-up task) to the next."""

    stages: list[Stage] = Field(min_length=1)
    caching: list[bool] = Field(default_factory=lambda: [False, True])


class Uncertainty(Strict):
    distribution: Literal["pert", "triangular"] = Field(
        "pert", description="distribution of {low, likely, high} ranges that do not name their own dist")


class Variant(Strict):
    """A design variant: overrides of this scenario (as --set), plus its own costs."""

    description: str = ""
    set: list[str] = Field(default_factory=list, description="FIELD=VALUE overrides, as --set")
    fixed_monthly: NonNeg = Field(0.0, description="the variant's own monthly cost (e.g. its own vector database)")
    one_time: NonNeg = Field(0.0, description="a one-time cost (e.g. fine-tuning), amortised over the horizon")


class SelfHostedModel(Strict):
    p_success: Prob = Field(description="probability that one attempt on this open model succeeds")
    attempts_allowed: Annotated[int, Field(ge=1, le=100), NOT_BOOL] | None = None
    detection_rate: Prob | None = None
    format_failure_rate: Prob | None = None


class SelfHosted(Strict):
    """Open models served on rented GPUs, compared beside the hosted APIs."""

    models: dict[str, SelfHostedModel] = Field(min_length=1, description="open models, with their success rates")
    gpus: list[str] | None = Field(None, description="GPU types to consider (default: every type with an offer)")
    providers: list[str] | None = Field(None, description="rental providers (default: all)")
    pricing: list[Literal["on-demand", "reserved", "spot"]] = Field(
        default_factory=lambda: ["on-demand"], description="offer kinds to consider")
    scaling: list[Literal["always-on", "autoscaled"]] = Field(
        default_factory=lambda: ["always-on", "autoscaled"], description="always-on (sized for peak) or autoscaled")
    precision: Literal["auto", "bf16", "fp8"] = Field(
        "auto", description="auto: FP8 where the GPU and model support it, else BF16")
    min_replicas: Annotated[int, Field(ge=0, le=100_000), NOT_BOOL] = Field(1, description="replicas kept running at all times")
    target_utilisation: Annotated[float, Field(gt=0, le=1, allow_inf_nan=False), NOT_BOOL] = Field(
        0.7, description="busy share of paid GPU time the fleet is sized for")
    ops_monthly: NonNeg = Field(0.0, description="operations overhead per month (people, monitoring)")
    max_gpus_per_replica: Annotated[int, Field(ge=1, le=64), NOT_BOOL] = 8
    engines: list[str] | None = Field(None, description="serving engines whose measurements may calibrate the "
                                                        "speed (TensorRT-LLM, vLLM, SGLang, NVIDIA NIM; default: "
                                                        "any, the fastest credible one is kept)")
    cold_start_minutes: Annotated[float, Field(ge=0, le=1440, allow_inf_nan=False), NOT_BOOL] = Field(
        10.0, description="minutes an autoscaled instance is paid before it serves (boot, weights, warm-up)")


class RateLimit(Strict):
    """The organisation's limits for one model on one tier (hosted capacity check)."""

    model: str
    tier: Tier = "standard"
    rpm: Pos | None = Field(None, description="requests per minute")
    tpm: Pos | None = Field(None, description="tokens per minute (input + output)")
    batch_queue_tokens: Pos | None = Field(None, description="Batch: enqueued input tokens at a time")


class Options(Strict):
    tiers: list[Tier] = Field(default_factory=lambda: list(TIERS), description="tiers to compare")
    caching: list[bool] = Field(default_factory=lambda: [False, True], description="compare without and with caching")
    providers: list[str] | None = Field(None, description="only these providers (default: all)")
    effort: list[Effort] | None = Field(None, description="effort levels to compare, of models that list them "
                                                          "(default: every level a model lists)")
    rank_by: Literal[tuple(RANKINGS)] = Field(  # type: ignore[valid-type]
        DEFAULT_RANK_BY, description="the figure that ranks the options (default: total cost per successful "
                                     "outcome, everything the month costs over its successful outcomes)")


from aicost.model.budget import LIMITS, DIFFED, Budget, Share  # noqa: E402,F401  (re-exported)
from aicost.model.commitments import FineTune, Provisioned, Retrieval  # noqa: E402  (they use Strict and the number types)
from aicost.model.segments import Router, Segment  # noqa: E402  (they use Attempt)


class Scenario(Strict):
    version: Literal[1]
    name: str = Field(min_length=1)
    description: str = ""
    tags: dict[Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$")], Annotated[str, Field(min_length=1)]] = Field(
        default_factory=dict, description="showback labels copied to exports: team, feature, tenant, cost_center, "
        "environment or any other")
    volume: Volume
    latency: Latency
    attempt: Attempt
    caching: Caching = Field(default_factory=Caching)
    quality: Quality = Field(default_factory=Quality)
    models: dict[str, ModelQuality] = Field(default_factory=dict, description="hosted models to compare, with "
                                            "their success rates")
    people: People = Field(default_factory=People)
    value: Value
    options: Options = Field(default_factory=Options)
    self_hosted: SelfHosted | None = Field(None, description="open models on rented GPUs")
    provisioned: Provisioned | None = Field(None, description="provisioned throughput (Azure PTU) options")
    fine_tuning: dict[str, FineTune] = Field(default_factory=dict, description="fine-tuned models under models: "
                                             "and how each is trained (the training is spread over the horizon)")
    rate_limits: list[RateLimit] = Field(default_factory=list, description="hosted rate limits to check peak load")
    resilience: Resilience | None = Field(None, description="outages, 429s, retries and failover (absent: providers "
                                          "always answer, and an option over a rate limit is ineligible)")
    retrieval: Retrieval = Field(default_factory=Retrieval)
    tier_behaviour: TierBehaviour = Field(default_factory=TierBehaviour)
    cascades: dict[str, Cascade] = Field(default_factory=dict, description="cascades to rank beside single models")
    segments: dict[str, Segment] = Field(default_factory=dict, description="request classes with their shares; "
                                         "each option is judged on the mix, and the best option per segment is "
                                         "routed to")
    router: Router | None = Field(None, description="the classifier that routes requests to segments (absent: "
                                                    "each request's segment is known)")
    variants: dict[str, Variant] = Field(default_factory=dict, description="design variants, each compared in full")
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    budget: Budget | None = Field(None, description="limits for aicost check (CI budget gate)")

    @model_validator(mode="after")
    def _something_to_compare(self):
        if not self.models and self.self_hosted is None and not self.cascades:
            raise ValueError("give models: (hosted), cascades: or self_hosted: (open models on GPUs) to compare")
        return self


from aicost.model.budget import BudgetEntry, BudgetsFile  # noqa: E402,F401  (re-exported)
