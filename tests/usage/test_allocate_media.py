"""Showback of audio, speech, images and embeddings (issue 20): the OpenAI Usage API's media fields
and aicost's own columns are priced by unit, totals by hand, and FOCUS rows carry their units."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicost.cli import app
from aicost.usage import layouts, pipeline

DATA = Path(__file__).resolve().parents[1] / "data" / "usage"


def alloc(book, name, by, source):
    return pipeline.run([DATA / name], layouts.get(source), by, book, [], "stop")


def totals(a) -> dict:
    return {r[f"tag.{a.by[0]}"]: round(float(r["total"]), 6) for _, r in a.groups.iterrows()}


def test_an_openai_export_with_audio_tokens_speech_transcription_embeddings_and_images(book):
    a = alloc(book, "openai_media.json", ["project"], "openai")
    assert totals(a) == {
        # gpt-realtime (2025-11-18): input_tokens 160k include 40k cached and 60k uncached audio: 60k text at $4,
        # cached 40k - 30k cached audio = 10k text at $0.40, 60k audio at $32, 30k cached audio at $0.40;
        # output 50k include 48k audio: 2k text at $16, 48k audio at $64. Whisper 1,800 s = 30 min at $0.006.
        # tts-1-hd 20k characters at $30 per 1M.
        "proj_voice": pytest.approx(0.24 + 0.004 + 1.92 + 0.012 + 0.032 + 3.072 + 0.18 + 0.60),
        "proj_search": pytest.approx(0.04),  # text-embedding-3-small 2M at $0.02
        # gpt-realtime with images: input 30k = 12k cached + 10k image + 8k text; cached 12k = 8k cached image
        # + 4k text: 8k x $4 + 4k x $0.40 + 10k x $5 + 8k x $0.50 + 1k output x $16
        "proj_vision": pytest.approx(0.032 + 0.0016 + 0.05 + 0.004 + 0.016),
    }
    # gpt-image-1-mini images with a size but no quality (the images endpoint reports none): unpriced, with why
    u = a.unpriced
    assert list(u["sku"]) == ["openai/gpt-image-1-mini"] and list(u["reason"]) == ["no_price_for_unit"]
    d = a.detail.set_index("sku")
    assert d.loc["openai/gpt-realtime", "cost.audio_output"].sum() == pytest.approx(3.072)
    assert d.loc["openai/text-embedding-3-small", "cost.embedding"] == pytest.approx(0.04)
    assert d.loc["openai/text-embedding-3-small", "cost.input"] == 0


def test_an_embeddings_and_media_log_in_aicosts_own_layout(book):
    a = alloc(book, "media.csv", ["team"], "aicost")
    assert totals(a) == {
        # 10M tokens on text-embedding-3-small Batch at $0.01 + 1M on -3-large Standard at $0.13
        "search": pytest.approx(0.10 + 0.13),
        # whisper 600 s = 10 min x $0.006; gpt-4o-mini-transcribe 100k audio tokens x $3 + 5k output x $5;
        # tts-1 10k characters x $15 per 1M
        "voice": pytest.approx(0.06 + 0.30 + 0.025 + 0.15),
        # gpt-image-1-mini: 3 high 1024x1024 at $0.036, 2 low 1024x1536 at $0.006; Gemini 2.5 Flash Image one
        # 1024x1024 image = 1,290 output tokens at $30 per 1M, and 100 text tokens at $0.30
        "design": pytest.approx(3 * 0.036 + 2 * 0.006 + 1290 * 30 / 1e6 + 100 * 0.3 / 1e6),
    }
    reasons = dict(zip(a.unpriced["sku"], a.unpriced["reason"]))
    assert reasons == {"openai/gpt-image-1-mini": "no_price_for_unit",  # an image without its quality
                       "openai/gpt-4.1": "no_price_for_unit"}  # audio seconds on a model that takes no audio


def test_focus_rows_carry_minutes_characters_images_and_tokens_and_sum_to_the_total(book):
    r = CliRunner().invoke(app, ["allocate", str(DATA / "media.csv"), "--by", "team", "--format", "focus"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    units = {(row["SkuId"], row["x_Meter"]): (row["ConsumedQuantity"], row["ConsumedUnit"], row["PricingUnit"])
             for row in rows}
    assert units[("openai/whisper-1", "audio_minutes")] == ("10", "Minutes", "Minutes")
    assert units[("openai/tts-1", "characters")] == ("10000", "Characters", "1000000 Characters")
    assert units[("openai/text-embedding-3-small", "embedding")] == ("10000000", "Tokens", "1000000 Tokens")
    assert ("openai/text-embedding-3-small", "input") not in units  # its input is the embedding meter
    assert units[("google/gemini-2.5-flash-image", "images")][1] == "Images"
    assert sum(float(row["BilledCost"]) for row in rows) == pytest.approx(0.23 + 0.535 + 0.108 + 0.012 + 0.0387 + 0.00003, abs=1e-5)
