"""Usage-log layouts: how each source's columns map onto aicost's own usage columns.

aicost's own layout (``--from aicost``) is documented in docs/usage.md. The others follow
each source's documented field names:

- ``openai``: the Usage API's completions results (``/v1/organization/usage/completions``):
  ``input_tokens`` (includes cached), ``input_cached_tokens``, ``output_tokens``,
  ``num_model_requests``, ``model``, ``batch``, ``service_tier``, ``project_id``, ``user_id``,
  ``api_key_id``, in buckets with ``start_time`` (Unix seconds).
- ``anthropic``: the Admin API's usage, either report:
  the Usage and Cost Analytics API (``/v1/organizations/analytics/usage``, beta
  ``analytics-usage-cost-2026-08-24``: flat rows of ``group`` dimensions and ``usage`` counts)
  or the legacy messages usage report (``/v1/organizations/usage_report/messages``: buckets of
  ``results``). The same names in both: ``uncached_input_tokens``, ``cache_read_input_tokens``,
  ``cache_creation.ephemeral_5m_input_tokens`` / ``ephemeral_1h_input_tokens``,
  ``output_tokens``, ``server_tool_use.web_search_requests``, ``requests`` (analytics only),
  ``model``, ``service_tier``, ``inference_geo`` (``global`` / ``us`` / ``not_available``),
  ``context_window`` (``0-200k`` / ``200k-1M``), ``workspace_id``, ``api_key_id``, with
  ``starting_at`` (RFC 3339).
- ``litellm``: LiteLLM proxy spend logs (the ``LiteLLM_SpendLogs`` table in its schema.prisma):
  ``startTime``, ``model``, ``custom_llm_provider``, ``prompt_tokens``, ``completion_tokens``,
  ``spend`` (what LiteLLM billed), ``team_id``, ``end_user``, ``user``, ``request_tags``
  (a JSON list; ``key:value`` items become tags).
- a YAML mapping file for anything else (``--from mapping.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aicost.base.constants import TIERS

#: aicost's usage columns; counts default to 0 when a layout has no such column.
COUNTS = ("requests", "input_tokens", "cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens",
          "output_tokens", "reasoning_tokens", "web_search_calls", "file_search_calls", "code_sessions")
TOKENS = ("input_tokens", "cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens", "output_tokens",
          "reasoning_tokens")
#: Counts beyond text tokens (docs/usage.md "Audio, speech, images, embeddings"): count -> (rate, meter, units
#: per rate unit). Audio seconds are priced per minute, or as audio tokens at the model's tokens per minute;
#: images per image at the row's image_size and image_quality. An embedding model's input_tokens are its own
#: meter (embedding).
MEDIA_COUNTS = {"audio_input_tokens": ("audio_input", "audio_input", 1e6),
                "cached_audio_input_tokens": ("cached_audio_input", "cached_audio_input", 1e6),
                "audio_output_tokens": ("audio_output", "audio_output", 1e6),
                "image_input_tokens": ("image_input", "image_input", 1e6),
                "cached_image_input_tokens": ("cached_image_input", "cached_image_input", 1e6),
                "image_output_tokens": ("image_output", "image_output", 1e6),
                "audio_seconds": ("audio_second", "audio_minutes", 1.0),
                "characters": ("per_1m_characters", "characters", 1e6),
                "images": ("per_image", "images", 1.0)}
COUNTS = (*COUNTS, *MEDIA_COUNTS)
TEXT = ("provider", "model", "tier")
#: Text columns that say which generated image a row's ``images`` are (per-image prices depend on them).
IMAGE_TEXT = ("image_size", "image_quality")
KNOWN = ("timestamp", *TEXT, *COUNTS, "long_context", "inference_geo", "billed_cost", *IMAGE_TEXT)
#: The tiers a usage row may name: aicost's four, then tiers that providers bill but publish no
#: per-token price for (their rows are unpriced, with the reason; they never stop a run):
#: OpenAI's Scale Tier (prepaid token-per-minute units bought by contract,
#: https://openai.com/api-scale-tier/) and the two Anthropic usage-report tiers with no public rate
#: (https://platform.claude.com/docs/en/api/admin/usage_report/retrieve_messages).
USAGE_TIERS = (*TIERS, "scale", "priority_on_demand", "flex_discount", "fast_mode")
TIER_WORDS = {"standard": "standard", "default": "standard", "auto": "standard", "on_demand": "standard",
              "batch": "batch", "flex": "flex", "priority": "priority", "fast": "priority", "scale": "scale",
              "priority_on_demand": "priority_on_demand", "flex_discount": "flex_discount"}
#: Inference geography (Anthropic's ``inference_geo``) -> the price table's variant for it: "us" rows
#: are priced at the ``anthropic-us`` variant (1.1x, Claude 4.6 and later); "global" and
#: "not_available" (models without the choice) at the provider's own prices.
GEO_WORDS = {"global": "", "not_available": "", "us": "us"}


def without_geo(provider: str) -> str | None:
    """The provider a geography's variant belongs to (``anthropic-us`` -> ``anthropic``); None
    when ``provider`` names no geography."""
    for suffix in {f"-{w}" for w in GEO_WORDS.values() if w}:
        if provider.endswith(suffix):
            return provider[: -len(suffix)]
    return None


@dataclass
class Layout:
    """Where each aicost column comes from: ``columns`` maps aicost name -> source column;
    ``values`` gives constants; ``subtract`` (aicost name -> source column) takes a part out of
    a total (OpenAI's input includes its cached tokens); ``tags`` maps tag -> source column."""

    name: str
    columns: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    subtract: dict[str, Any] = field(default_factory=dict)  # a column, or a tuple of columns
    tags: dict[str, str] = field(default_factory=dict)
    tag_list: str | None = None  # a column holding a JSON list of "key:value" tags
    time_unit: str | None = None  # "s" when the timestamp is Unix seconds
    nested: bool = False  # JSON buckets with "results" (the provider usage APIs)
    bucket_time: str | None = None
    lc_column: str | None = None  # Anthropic's context_window: "200k-1M" means long-context rates
    lc_value: str | None = None
    batch_flag: str | None = None  # OpenAI's boolean "batch"
    speed_column: str | None = None  # Anthropic's "speed": "fast" rows ran in fast mode (its own prices)
    all_tags: bool = False  # any other column is a tag (aicost's own layout)

    def tag_source(self, key: str) -> str | None:
        """The log column a tag comes from (None: not a column; maybe in ``tag_list``)."""
        return self.tags.get(key, key if self.all_tags else None)


AICOST = Layout("aicost", {k: k for k in KNOWN}, all_tags=True)

OPENAI = Layout(
    "openai",
    {"timestamp": "start_time", "model": "model", "tier": "service_tier", "requests": "num_model_requests",
     "input_tokens": "input_tokens", "cached_input_tokens": "input_cached_tokens",
     "output_tokens": "output_tokens",
     # completions: audio and image tokens are parts of the totals (openai-python usage_completions_response:
     # input_tokens "includes text, audio, and image tokens", input_audio_tokens "uncached audio input tokens",
     # output_tokens "across text, audio, and image outputs"); images, audio_speeches, audio_transcriptions
     # and embeddings results carry images (with size), characters, seconds and input_tokens
     "audio_input_tokens": "input_audio_tokens", "cached_audio_input_tokens": "input_cached_audio_tokens",
     "audio_output_tokens": "output_audio_tokens", "image_input_tokens": "input_image_tokens",
     "cached_image_input_tokens": "input_cached_image_tokens",
     "image_output_tokens": "output_image_tokens", "audio_seconds": "seconds", "characters": "characters",
     "images": "images", "image_size": "size"},
    values={"provider": "openai"},
    subtract={"input_tokens": ("input_cached_tokens", "input_audio_tokens", "input_image_tokens"),
              "cached_input_tokens": ("input_cached_audio_tokens", "input_cached_image_tokens"),
              "output_tokens": ("output_audio_tokens", "output_image_tokens")},
    tags={"project": "project_id", "user": "user_id", "api_key": "api_key_id"},
    time_unit="s", nested=True, bucket_time="start_time", batch_flag="batch",
)

ANTHROPIC = Layout(
    "anthropic",
    {"timestamp": "starting_at", "model": "model", "tier": "service_tier", "requests": "requests",
     "inference_geo": "inference_geo",
     "input_tokens": "uncached_input_tokens", "cached_input_tokens": "cache_read_input_tokens",
     "cache_write_tokens": "cache_creation.ephemeral_5m_input_tokens",
     "cache_write_1h_tokens": "cache_creation.ephemeral_1h_input_tokens",
     "output_tokens": "output_tokens", "web_search_calls": "server_tool_use.web_search_requests"},
    values={"provider": "anthropic"},
    tags={"workspace": "workspace_id", "api_key": "api_key_id"},
    nested=True, bucket_time="starting_at", lc_column="context_window", lc_value="200k-1M", speed_column="speed",
)

LITELLM = Layout(
    "litellm",
    {"timestamp": "startTime", "model": "model", "provider": "custom_llm_provider",
     "input_tokens": "prompt_tokens", "output_tokens": "completion_tokens", "billed_cost": "spend"},
    tags={"team": "team_id", "tenant": "end_user", "user": "user", "organization": "organization_id"},
    tag_list="request_tags",
)

BUILTIN = {"aicost": AICOST, "openai": OPENAI, "anthropic": ANTHROPIC, "litellm": LITELLM}


def get(name: str) -> Layout:
    """A built-in layout by name, or a mapping file."""
    if name in BUILTIN:
        return BUILTIN[name]
    p = Path(name)
    if p.suffix in (".yaml", ".yml") or p.exists():
        return from_mapping(p)
    from aicost.base.errors import bad_argument, did_you_mean

    raise bad_argument("source", f"unknown layout {name!r}{did_you_mean(name, list(BUILTIN))}; expected "
                       f"{', '.join(BUILTIN)} or a mapping file (.yaml)")


def from_mapping(path: Path) -> Layout:
    """A user mapping file (schema: :class:`aicost.model.mapping.UsageMapping`): ``columns``
    (aicost column -> source column), ``values`` (constants), ``tags`` (tag -> source column),
    ``subtract``, ``tag_list``, ``time_unit``. Every problem at once, as file:line."""
    from aicost.base.errors import InputError
    from aicost.inputs.validate import validate
    from aicost.inputs.yamlio import load_file
    from aicost.model import SUPPORTED_VERSION
    from aicost.model.mapping import UsageMapping

    doc = load_file(path)
    data = doc.data
    problems = []
    try:
        spec = validate(doc, UsageMapping)
    except InputError as exc:
        if not isinstance(data, dict) or data.get("version") != SUPPORTED_VERSION:
            raise  # not a mapping, or a version this aicost does not read: that is the one problem
        spec, problems = None, list(exc.problems)
    problems += _mapping_rules(doc)
    if problems:
        raise InputError(problems)
    raw = {k: data.get(k) or {} for k in ("columns", "values", "subtract")}  # the file's order
    cols = {k: getattr(spec.columns, k) for k in raw["columns"] if getattr(spec.columns, k) is not None}
    values = {k: getattr(spec.values, k) for k in raw["values"] if getattr(spec.values, k) is not None}
    return Layout(f"mapping {path.name}", cols, values, dict(spec.subtract or {}), dict(spec.tags or {}),
                  spec.tag_list, spec.time_unit)


def _mapping_rules(doc) -> list:
    """What the schema cannot say of a mapping file: timestamp and model must be mapped, and a
    count can lose a part only when it is mapped. Read from the file as written, so that they
    are said even when another key is wrong."""
    data = doc.data
    cols, values, subtract = (data.get(k) for k in ("columns", "values", "subtract"))
    if not isinstance(cols, dict):
        return []  # missing, or not a mapping: the schema says so
    mapped = {k for k, v in cols.items() if v is not None}
    out = []
    if "model" not in mapped and not (isinstance(values, dict) and values.get("model") is not None):
        out.append(doc.problem(("columns",), "map model: (the column naming the model)"))
    if "timestamp" not in mapped:
        out.append(doc.problem(("columns",), "map timestamp: (the column with each row's date or time)"))
    for k in subtract if isinstance(subtract, dict) else ():
        if k in COUNTS and k not in mapped:
            out.append(doc.problem(("subtract", k), f"{k} is not in columns: there is nothing to take it from"))
    return out
