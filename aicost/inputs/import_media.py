"""Audio, speech, image and embedding prices carried over from LiteLLM and genai-prices data
(``aicost pricing import``; see aicost.inputs.importers for text tokens).

LiteLLM: per audio and image token fields (``input_cost_per_audio_token``,
``cache_read_input_audio_token_cost``, ``output_cost_per_audio_token``,
``input_cost_per_image_token``, ``output_cost_per_image_token``, with the tier suffixes),
``input_cost_per_second`` (transcription), ``input_cost_per_character`` (speech), and per-image
entries keyed ``[quality/]W-x-H/model`` (``input_cost_per_image``, ``output_cost_per_image`` or
``input_cost_per_pixel``). genai-prices: ``input_audio_mtok``, ``cache_audio_read_mtok``,
``output_audio_mtok``, ``input_image_mtok``, ``output_image_mtok``, ``input_mchars`` and
``input_audio_hours`` / ``audio_hours``.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from aicost.base.constants import IMAGE_QUALITIES

#: aicost media rate -> LiteLLM per-token field (before the tier suffix)
LITELLM_MEDIA = {"audio_input": "input_cost_per_audio_token", "cached_audio_input": "cache_read_input_audio_token_cost",
                 "audio_output": "output_cost_per_audio_token", "image_input": "input_cost_per_image_token",
                 "cached_image_input": "cache_read_input_image_token_cost",
                 "image_output": "output_cost_per_image_token"}
#: LiteLLM mode -> aicost model kind
LITELLM_KINDS = {"embedding": "embedding", "audio_transcription": "transcription", "audio_speech": "speech",
                 "image_generation": "image"}
GENAI_MEDIA = {"input_audio_mtok": "audio_input", "cache_audio_read_mtok": "cached_audio_input",
               "output_audio_mtok": "audio_output", "input_image_mtok": "image_input",
               "cache_image_read_mtok": "cached_image_input",
               "output_image_mtok": "image_output", "input_mchars": "per_1m_characters"}
_SIZE_KEY = re.compile(r"^(?:(?P<q>[a-z]+)/)?(?P<w>\d+)-x-(?P<h>\d+)/(?P<model>[^/]+)$")


def _dec(x: Any) -> Decimal | None:
    """A price as an exact decimal (a float by its shortest repr: no binary noise); None when
    absent or not a number."""
    if x is None or isinstance(x, bool):
        return None
    try:
        return Decimal(repr(x)) if isinstance(x, float) else Decimal(str(x))
    except ArithmeticError:
        return None


def _tidy(d: Decimal) -> Decimal:
    if not d.is_finite():
        return d  # kept as it is, so that validation names it (a price must be a finite number)
    d = d.normalize()
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d


def litellm_media(entry: dict, suffix: str) -> dict[str, Decimal]:
    """One tier's media rates of a LiteLLM entry: per 1M audio and image tokens, per minute, per
    1M characters."""
    out: dict[str, Decimal] = {}
    for ours, field in LITELLM_MEDIA.items():
        d = _dec(entry.get(field + suffix))
        if d is not None:
            out[ours] = _tidy(d * 1_000_000)
    second = _dec(entry.get("input_cost_per_second" + suffix))
    if second is not None and "audio_input" not in out and entry.get("mode") == "audio_transcription":
        out["per_audio_minute"] = _tidy(second * 60)
    char = _dec(entry.get("input_cost_per_character" + suffix))
    if char is not None:
        out["per_1m_characters"] = _tidy(char * 1_000_000)
    return out


def litellm_images(data: dict, lp_of) -> dict[tuple[str, str], dict]:
    """Per-image prices from LiteLLM's size keys: (LiteLLM provider, model) -> {size: {quality: $}}.
    A key without a quality (dall-e-2) is "standard"."""
    out: dict[tuple[str, str], dict] = {}
    for key, entry in data.items():
        if not isinstance(entry, dict) or entry.get("mode") != "image_generation":
            continue
        lp = lp_of(entry)
        rest = key.split("/", 1)[1] if key.lower().startswith(lp + "/") else key
        m = _SIZE_KEY.match(rest)
        if not m:
            continue
        quality = m.group("q") or "standard"
        if quality not in IMAGE_QUALITIES:
            continue
        w, h = int(m.group("w")), int(m.group("h"))
        price = _dec(entry.get("input_cost_per_image")) or _dec(entry.get("output_cost_per_image"))
        pixel = _dec(entry.get("input_cost_per_pixel"))
        if price is None and pixel is not None:
            price = (pixel * w * h).quantize(Decimal("0.000001"))
        if price is None:
            continue
        out.setdefault((lp, m.group("model")), {}).setdefault(f"{w}x{h}", {})[quality] = _tidy(price)
    return out


def is_size_key(model_id: str) -> bool:
    """A LiteLLM per-image key (``hd/1024-x-1792/dall-e-3``), priced into its model instead."""
    return _SIZE_KEY.match(model_id) is not None


def tier_rates(entry: dict, kind: str, suffix: str, text: dict | None, per_mtok, images: dict | None) -> dict | None:
    """One tier of an imported model: its text rates and media rates. A model that bills only
    media (transcription per second, speech per character, images per image) or only input
    (embeddings) states its text tokens at 0, which the model's kind keeps from being used for
    text (aicost.inputs.media)."""
    media = litellm_media(entry, suffix)
    if text is None:
        inp = per_mtok(entry.get(f"input_cost_per_token{suffix}"))
        if kind == "chat" or (inp is None and not media and not images):
            return None
        text = {"input": inp or Decimal(0), "output": per_mtok(entry.get(f"output_cost_per_token{suffix}")) or Decimal(0)}
    if kind == "embedding":
        text["output"] = Decimal(0)
    out = {**text, **media}
    if images:
        out["per_image"] = images
    return out


def genai_media(p: dict) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for theirs, ours in GENAI_MEDIA.items():
        v = p.get(theirs)
        if v is not None:  # a value that is not a number is kept as it is, for validation to name
            d = _dec(v) if not isinstance(v, (dict, list)) else None
            out[ours] = _tidy(d) if d is not None else v
    raw = p.get("input_audio_hours", p.get("audio_hours"))
    if raw is not None and "audio_input" not in out:
        hours = _dec(raw) if not isinstance(raw, (dict, list)) else None
        out["per_audio_minute"] = raw if hours is None else _tidy(hours / 60) if hours.is_finite() else hours
    return out


def _units(entry: dict) -> str:
    """How a LiteLLM entry is priced, in words: per second, per character, per image, audio tokens."""
    fields = [f for f, v in entry.items() if v is not None and ("cost_per" in f or f.endswith("_cost"))]
    found = [words for key, words in (("per_second", "per second"), ("per_character", "per character"),
                                      ("per_image", "per image"), ("image_token", "per image token"),
                                      ("audio_token", "per audio token"), ("per_pixel", "per pixel"),
                                      ("per_query", "per query")) if any(key in f for f in fields)]
    return ", ".join(dict.fromkeys(found))


def _litellm_tools(entry: dict) -> dict:
    tools: dict[str, dict] = {}
    search = entry.get("search_context_cost_per_query")
    if isinstance(search, dict):
        medium = search.get("search_context_size_medium") or search.get("search_context_size_low")
        if medium is not None:
            tools["web_search"] = {"per_1k_calls": _tidy(Decimal(repr(medium)) * 1000)}
    if entry.get("file_search_cost_per_1k_calls") is not None:
        tools["file_search"] = {"per_1k_calls": _tidy(Decimal(repr(entry["file_search_cost_per_1k_calls"])))}
    storage = entry.get("vector_store_cost_per_gb_per_day") or entry.get("file_search_cost_per_gb_per_day")
    if storage is not None:
        tools["vector_storage"] = {"per_gb_day": _tidy(Decimal(repr(storage)))}
    if entry.get("code_interpreter_cost_per_session") is not None:
        tools["code_session"] = {"per_session": _tidy(Decimal(repr(entry["code_interpreter_cost_per_session"])))}
    return tools
