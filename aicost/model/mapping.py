"""Schema of a usage mapping file (``aicost allocate --from MAP.yaml``), version 1.

Which column of a usage log holds each of aicost's usage columns (docs/usage.md).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from aicost.model import NOT_BOOL
from aicost.model.scenario import NonNeg, Strict

Column = Annotated[str, Field(min_length=1)]

#: aicost's usage columns a mapping can name, in the order docs/usage.md lists them
#: (aicost/usage/layouts.py ``KNOWN``; tests/usage holds the two to the same names).
COLUMNS = ("timestamp", "provider", "model", "tier", "requests", "input_tokens", "cached_input_tokens",
           "cache_write_tokens", "cache_write_1h_tokens", "output_tokens", "reasoning_tokens", "web_search_calls",
           "file_search_calls", "code_sessions", "audio_input_tokens", "cached_audio_input_tokens",
           "audio_output_tokens", "image_input_tokens", "cached_image_input_tokens", "image_output_tokens",
           "audio_seconds", "characters", "images",
           "long_context", "inference_geo", "billed_cost", "image_size", "image_quality")
CountName = Literal["requests", "input_tokens", "cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens",
                    "output_tokens", "reasoning_tokens", "web_search_calls", "file_search_calls", "code_sessions",
                    "audio_input_tokens", "cached_audio_input_tokens", "audio_output_tokens", "image_input_tokens",
                    "cached_image_input_tokens", "image_output_tokens", "audio_seconds", "characters", "images"]


class Columns(Strict):
    """aicost column -> the log's column: timestamp is needed, and model unless values gives it;
    a count without a column is 0 (requests: 1)."""

    # both rules are checked in aicost.usage.layouts.from_mapping (a message each, even when
    # another key is wrong); the schema marks timestamp required for editors
    model_config = ConfigDict(json_schema_extra={"required": ["timestamp"]})

    timestamp: Column | None = Field(None, description="ISO 8601 date or time (or Unix time, see time_unit)")
    provider: Column | None = Field(None, description="provider id, or a gateway's name for it")
    model: Column | None = Field(None, description="model id or alias from the price tables")
    tier: Column | None = Field(None, description="standard (default, auto), batch, flex or priority; empty: "
                                "standard; scale (OpenAI Scale Tier): unpriced, priced by contract")
    requests: Column | None = Field(None, description="requests the row stands for (default 1)")
    input_tokens: Column | None = Field(None, description="fresh (uncached) input tokens")
    cached_input_tokens: Column | None = Field(None, description="input read from the prompt cache")
    cache_write_tokens: Column | None = Field(None, description="prompt-cache writes, 5 minute")
    cache_write_1h_tokens: Column | None = Field(None, description="prompt-cache writes, 1 hour")
    output_tokens: Column | None = Field(None, description="output tokens, reasoning included unless given apart")
    reasoning_tokens: Column | None = Field(None, description="reasoning tokens given apart from output")
    web_search_calls: Column | None = Field(None, description="web-search tool calls")
    file_search_calls: Column | None = Field(None, description="file-search tool calls")
    code_sessions: Column | None = Field(None, description="hosted code-execution sessions")
    audio_input_tokens: Column | None = Field(None, description="fresh audio input tokens")
    cached_audio_input_tokens: Column | None = Field(None, description="audio input read from the cache")
    audio_output_tokens: Column | None = Field(None, description="audio output tokens")
    image_input_tokens: Column | None = Field(None, description="image input tokens")
    cached_image_input_tokens: Column | None = Field(None, description="image input read from the cache")
    image_output_tokens: Column | None = Field(None, description="image output tokens (generated images)")
    audio_seconds: Column | None = Field(None, description="seconds of audio transcribed")
    characters: Column | None = Field(None, description="characters turned into speech")
    images: Column | None = Field(None, description="images generated (priced per image at image_size and "
                                                    "image_quality)")
    long_context: Column | None = Field(None, description="true/false; absent: judged from the prompt per request")
    inference_geo: Column | None = Field(None, description="where the request ran: global, us (priced at the "
                                         "provider's US-only variant) or not_available; empty: global")
    billed_cost: Column | None = Field(None, description="what was billed, for billed versus repriced")
    image_size: Column | None = Field(None, description="size of the generated images, WIDTHxHEIGHT")
    image_quality: Column | None = Field(None, description="quality of the generated images (standard, hd, low, "
                                                           "medium, high)")


class Values(Strict):
    """Constants for columns the log lacks: one value on every row."""

    provider: str | None = Field(None, description="provider id")
    model: str | None = Field(None, description="model id or alias")
    tier: str | None = Field(None, description="standard, batch, flex or priority")
    image_size: str | None = Field(None, description="size of the generated images, WIDTHxHEIGHT")
    image_quality: str | None = Field(None, description="quality of the generated images")
    requests: NonNeg | None = None
    input_tokens: NonNeg | None = None
    cached_input_tokens: NonNeg | None = None
    cache_write_tokens: NonNeg | None = None
    cache_write_1h_tokens: NonNeg | None = None
    output_tokens: NonNeg | None = None
    reasoning_tokens: NonNeg | None = None
    web_search_calls: NonNeg | None = None
    file_search_calls: NonNeg | None = None
    code_sessions: NonNeg | None = None
    audio_input_tokens: NonNeg | None = None
    cached_audio_input_tokens: NonNeg | None = None
    audio_output_tokens: NonNeg | None = None
    image_input_tokens: NonNeg | None = None
    cached_image_input_tokens: NonNeg | None = None
    image_output_tokens: NonNeg | None = None
    audio_seconds: NonNeg | None = None
    characters: NonNeg | None = None
    images: NonNeg | None = None
    billed_cost: Annotated[float, Field(allow_inf_nan=False), NOT_BOOL] | None = None


class UsageMapping(Strict):
    """A usage mapping file: how a usage log's columns map onto aicost's (``aicost allocate --from FILE``)."""

    version: Literal[1]
    kind: Literal["usage-mapping"] = "usage-mapping"
    columns: Columns
    values: Values | None = Field(None, description="constants for columns the log lacks")
    tags: dict[str, Column] | None = Field(None, description="tag -> the log's column (a tag is usable in --by)")
    subtract: dict[CountName, Column] | None = Field(
        None, description="count -> the log's column holding a part of it to take out (input_tokens: cached, when "
                          "the log's input includes its cached tokens)")
    tag_list: Column | None = Field(None, description='a column holding a JSON list of "key:value" tags')
    time_unit: Literal["s", "ms"] | None = Field(None, description="Unix seconds or milliseconds; absent: ISO 8601")
