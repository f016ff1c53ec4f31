"""Audio, speech, images and embeddings: what one call (turn) of a step costs beyond its text
tokens, on each hosted row's own model and tier (docs/formulas.md "Audio, speech, images,
embeddings").

Each model bills the unit its table prices: audio input per token (minutes converted at the
model's audio tokens per minute) or per minute; speech per 1M characters or per audio output
token; input images as tokens by the model's own rule; generated images per image (by size and
quality) or per image output token. A unit a row cannot price is NaN and flagged: the option is
unpriced with the reason, never $0.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from aicost.base.constants import MEDIA_METERS

MTOK = 1_000_000.0
#: Per (step, row) facts, arrays (rows, 1): rates, conversions and per-image figures.
MEDIA_FACTS = ("aud_in", "aud_in_cached", "aud_out", "img_in", "img_out", "per_min", "per_char", "per_img",
               "img_out_tok", "tpm_in", "tpm_out", "img_tok", "embedding", "aud_history")
#: Step fields that make a step use media.
MEDIA_FIELDS = ("audio_input_minutes", "audio_input_tokens", "audio_output_minutes", "audio_output_tokens",
                "characters", "image_inputs", "images_generated")


def _f(x) -> float:
    return np.nan if x is None else float(x)


def size_of(text: str) -> tuple[int, int]:
    w, h = text.lower().split("x")
    return int(w), int(h)


def image_tokens(rule: Any, width: int, height: int, detail: str = "auto") -> float:
    """Tokens one input image of ``width`` x ``height`` pixels counts as under ``rule``
    (model.pricing.ImageRule). Worked examples in docs/formulas.md "Image inputs"."""
    w, h = float(width), float(height)
    if rule.rule == "tiles":
        if detail == "low":
            return float(rule.base_tokens)
        s = min(1.0, rule.fit_px / max(w, h))  # fit within the square
        w, h = w * s, h * s
        s = min(1.0, rule.short_side_px / min(w, h))  # then the shortest side down to its length (never up)
        w, h = math.floor(round(w * s, 6)), math.floor(round(h * s, 6))
        tiles = max(1, math.ceil(round(w, 6) / rule.tile_px)) * max(1, math.ceil(round(h, 6) / rule.tile_px))
        return float(rule.base_tokens + rule.tile_tokens * tiles)
    if rule.rule == "patches":
        p = rule.patch_px
        if rule.max_edge_px and max(w, h) > rule.max_edge_px:  # a maximum dimension first, where the model has one
            s = rule.max_edge_px / max(w, h)
            w, h = w * s, h * s
        patches = max(1, math.ceil(round(w, 6) / p)) * max(1, math.ceil(round(h, 6) / p))
        if patches > rule.max_patches:  # scaled down to fit the budget, then to whole patches on both sides
            s = math.sqrt(p * p * rule.max_patches / (w * h))
            s *= min(math.floor(w * s / p) / (w * s / p), math.floor(h * s / p) / (h * s / p))
            w, h = w * s, h * s
            patches = min(rule.max_patches, max(1, math.ceil(round(w, 6) / p)) * max(1, math.ceil(round(h, 6) / p)))
        return float(math.ceil(round(patches * float(rule.multiplier), 6)))  # the multiplier, rounded up
    if rule.rule == "pixels":
        if rule.max_edge_px and max(w, h) > rule.max_edge_px:
            s = rule.max_edge_px / max(w, h)
            w, h = w * s, h * s
        if rule.max_tokens and w * h / rule.pixels_per_token > rule.max_tokens:
            return float(rule.max_tokens)
        return float(max(1, math.ceil(w * h / rule.pixels_per_token)))
    # gemini: one tile's tokens for a small image, else that per tile
    if w <= rule.small_px and h <= rule.small_px:
        return float(rule.tile_tokens)
    return float(math.ceil(w / rule.tile_px) * math.ceil(h / rule.tile_px) * rule.tile_tokens)


def facts(price: Any, entry: Any, step: dict) -> dict[str, float]:
    """Everything a row needs to price one step's media on one model and tier (``price``: the
    tier's :class:`~aicost.inputs.pricebook.Price`, None when not offered)."""
    spec = entry.spec
    g = (lambda k: _f(getattr(price, k))) if price is not None else (lambda k: np.nan)  # noqa: E731
    out = {"aud_in": g("audio_input"), "aud_in_cached": g("cached_audio_input"), "aud_out": g("audio_output"),
           "img_out": g("image_output"), "per_min": g("per_audio_minute"), "per_char": g("per_1m_characters")}
    img_in = g("image_input")
    out["img_in"] = img_in if not np.isnan(img_in) else g("input")  # image tokens bill as input unless priced
    size, quality = step.get("generated_image_size"), step.get("image_quality")
    per_image = (price.per_image or {}) if price is not None else {}
    out["per_img"] = _f((per_image.get(size) or {}).get(quality)) if size else np.nan
    out_tok = spec.image_output_tokens or {}
    out["img_out_tok"] = _f((out_tok.get(size) or {}).get(quality)) if size else np.nan
    at = spec.audio_tokens
    out["tpm_in"] = _f(at.input) if at else np.nan
    out["tpm_out"] = _f(at.output) if at else np.nan
    rule, in_size = entry.image_rule, step.get("input_image_size")
    out["img_tok"] = image_tokens(rule, *size_of(in_size), step.get("image_detail") or "auto") \
        if rule is not None and in_size else np.nan
    out["embedding"] = 1.0 if spec.kind == "embedding" else 0.0
    out["aud_history"] = 1.0 if spec.kind == "chat" else 0.0  # a conversation resends its audio; a transcription not
    return out


def uses_media(step: dict) -> bool:
    """Whether a step (its values: numbers, or arrays of points) states any audio, speech or images."""
    for k in MEDIA_FIELDS:
        v = step.get(k)
        if v is None:
            continue
        if isinstance(v, (int, float)):
            if v > 0:
                return True
        elif np.any(np.asarray(v, dtype=float) > 0):
            return True
    return False


def _num(step: dict, key: str) -> Any:
    v = step.get(key)
    return 0.0 if v is None else v


def turn(a: dict, step: dict, t: int, h, caching, pt) -> tuple[dict, dict, Any, Any]:
    """One call's turn ``t`` (1-based) of media on every row: (cost by meter, quantity by meter,
    unpriced mask, needs-a-cached-rate mask). Audio accumulates over turns as text does: each turn
    resends the conversation's audio, of which the previous request's share can be a cache read."""
    cost: dict[str, Any] = {}
    qty: dict[str, Any] = {}
    with np.errstate(all="ignore"):
        # ---- audio in: per token (minutes converted), else per minute ----
        m_in, k_in = pt(step["audio_input_minutes"]), pt(step["audio_input_tokens"])
        used_in = (m_in + k_in) > 0
        new_in = np.where(m_in > 0, m_in * a["tpm_in"], k_in)  # tokens of audio sent this turn
        m_out, k_out = pt(step["audio_output_minutes"]), pt(step["audio_output_tokens"])
        used_out = (m_out + k_out) > 0
        new_out = np.where(m_out > 0, m_out * a["tpm_out"], k_out)
        by_token = ~np.isnan(a["aud_in"])
        # a conversation (a chat model) resends the audio so far each turn; a transcription model hears each once
        per_turn = (new_in + np.where(by_token & used_out, np.nan_to_num(new_out), 0.0)) * a["aud_history"]
        total_in = new_in + (t - 1) * per_turn
        cacheable = (new_in + (t - 2) * per_turn) * a["aud_history"] if t > 1 else 0.0
        cached = caching * h * cacheable
        fresh = total_in - cached
        tok_in = np.where(by_token & used_in, fresh, 0.0)
        tok_cached = np.where(by_token & used_in, cached, 0.0)
        cost["audio_input"] = np.where(by_token & used_in, fresh * a["aud_in"] / MTOK, 0.0)
        cost["cached_audio_input"] = np.where(by_token & used_in & (cached > 0), cached * a["aud_in_cached"] / MTOK, 0.0)
        minutes = np.where(m_in > 0, m_in, k_in / a["tpm_in"])
        by_minute = ~by_token & ~np.isnan(a["per_min"])
        cost["audio_minutes"] = np.where(by_minute & used_in, minutes * a["per_min"], 0.0)
        bad = used_in & ~by_token & ~by_minute
        bad = bad | (used_in & by_token & np.isnan(fresh)) | (used_in & by_minute & np.isnan(minutes))
        need_cached = used_in & by_token & (cached > 0) & np.isnan(a["aud_in_cached"])
        qty["audio_input"], qty["cached_audio_input"] = tok_in, tok_cached
        qty["audio_minutes"] = np.where(by_minute & used_in, minutes, 0.0)

        # ---- speech out: per audio output token, or per character ----
        chars = pt(step["characters"])
        out_by_token = ~np.isnan(a["aud_out"]) & used_out
        by_char = ~np.isnan(a["per_char"]) & (chars > 0)
        cost["audio_output"] = np.where(out_by_token, new_out * a["aud_out"] / MTOK, 0.0)
        cost["characters"] = np.where(by_char, chars * a["per_char"] / MTOK, 0.0)
        qty["audio_output"] = np.where(out_by_token, new_out, 0.0)
        qty["characters"] = np.where(by_char, chars, 0.0)
        speech = used_out | (chars > 0)
        priced = (out_by_token & ~np.isnan(new_out)) | by_char
        bad = bad | (speech & ~priced)

        # ---- images in, as tokens by the model's rule ----
        n_in = pt(step["image_inputs"])
        img_tok = n_in * a["img_tok"]
        cost["image_input"] = np.where(n_in > 0, img_tok * a["img_in"] / MTOK, 0.0)
        qty["image_input"] = np.where(n_in > 0, img_tok, 0.0)
        bad = bad | ((n_in > 0) & np.isnan(cost["image_input"]))

        # ---- images generated: per image, else per image output token ----
        n_gen = pt(step["images_generated"])
        each = ~np.isnan(a["per_img"])
        as_tokens = ~each & ~np.isnan(a["img_out_tok"] * a["img_out"])
        cost["images"] = np.where((n_gen > 0) & each, n_gen * a["per_img"], 0.0)
        cost["image_output"] = np.where((n_gen > 0) & as_tokens, n_gen * a["img_out_tok"] * a["img_out"] / MTOK, 0.0)
        qty["images"] = np.where((n_gen > 0) & each, n_gen, 0.0)
        qty["image_output"] = np.where((n_gen > 0) & as_tokens, n_gen * a["img_out_tok"], 0.0)
        bad = bad | ((n_gen > 0) & ~each & ~as_tokens)
    # an unpriced unit stays NaN in its meter: the option's figures are unpriced, never $0
    for m in cost:
        cost[m] = np.where(bad & (qty[m] == 0) & _wants(m, step, pt), np.nan, cost[m])
    return cost, qty, bad, need_cached


def missing(a: dict, step: dict) -> list[str]:
    """What a row (its facts as plain floats) cannot price in one step (its values as scalars),
    in words, for the unpriced reason."""
    out = []
    num = lambda k: float(np.max(np.asarray(_num(step, k), dtype=float)))  # noqa: E731
    if num("audio_input_minutes") + num("audio_input_tokens") > 0:
        if np.isnan(a["aud_in"]) and np.isnan(a["per_min"]):
            out.append("audio input")
        elif num("audio_input_minutes") > 0 and not np.isnan(a["aud_in"]) and np.isnan(a["tpm_in"]):
            out.append("audio input by the minute (no audio tokens per minute)")
        elif num("audio_input_tokens") > 0 and np.isnan(a["aud_in"]) and np.isnan(a["tpm_in"]):
            out.append("audio input by the token (billed per minute)")
    speech_tokens = num("audio_output_minutes") + num("audio_output_tokens") > 0
    if (speech_tokens or num("characters") > 0) and not (
            (speech_tokens and not np.isnan(a["aud_out"])
             and (num("audio_output_tokens") > 0 or not np.isnan(a["tpm_out"])))
            or (num("characters") > 0 and not np.isnan(a["per_char"]))):
        out.append("speech output" + (" (billed per character: give characters)"
                                      if not np.isnan(a["per_char"]) else ""))
    if num("image_inputs") > 0 and np.isnan(a["img_tok"] * a["img_in"]):
        out.append("image inputs")
    if num("images_generated") > 0 and np.isnan(a["per_img"]) and np.isnan(a["img_out_tok"] * a["img_out"]):
        out.append(f"generated images at {step.get('generated_image_size')} {step.get('image_quality')}")
    return out


def _wants(meter: str, step: dict, pt) -> Any:
    """Whether the step states work that ``meter`` could carry (where to put an unpriced NaN)."""
    fields = {"audio_input": ("audio_input_minutes", "audio_input_tokens"),
              "audio_minutes": ("audio_input_minutes", "audio_input_tokens"),
              "audio_output": ("audio_output_minutes", "audio_output_tokens", "characters"),
              "characters": ("audio_output_minutes", "audio_output_tokens", "characters"),
              "image_input": ("image_inputs",), "images": ("images_generated",),
              "image_output": ("images_generated",)}.get(meter, ())
    return sum(pt(step[f]) for f in fields) > 0 if fields else False


assert set(MEDIA_METERS) >= {"audio_input", "cached_audio_input", "audio_output", "image_input", "image_output",
                             "audio_minutes", "characters", "images", "embedding"}
