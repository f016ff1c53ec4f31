"""`aicost pricing import` carries audio, speech, image and embedding prices from LiteLLM and
genai-prices data (issue 20), and the tables it writes load and price those units."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from aicost.inputs.importers import from_genai_prices, from_litellm
from aicost.model.pricing import PricingFile

DATA = Path(__file__).resolve().parents[1] / "data"


def test_litellm_audio_speech_image_and_embedding_fields():
    tables = from_litellm(json.loads((DATA / "litellm_media_sample.json").read_text()), checked=date(2026, 11, 30))
    oa, az, g = tables["openai"]["models"], tables["azure"]["models"], tables["google"]["models"]
    # per-image keys become one model's per_image table; a per-pixel price x the pixels (1024 x 1024)
    assert az["dall-e-3"]["kind"] == "image"
    assert az["dall-e-3"]["tiers"]["standard"]["per_image"] == {"1024x1024": {"standard": Decimal("0.044"),
                                                                               "hd": Decimal("0.088")}}
    img = oa["gpt-image-1"]
    assert img["kind"] == "image" and img["tiers"]["standard"]["image_output"] == 40
    assert img["tiers"]["standard"]["per_image"] == {"1024x1024": {"low": Decimal("0.011"), "high": Decimal("0.167")}}
    emb = oa["text-embedding-3-small"]
    assert emb["kind"] == "embedding" and emb["tiers"]["standard"] == {"input": Decimal("0.02"), "output": 0}
    assert emb["tiers"]["batch"] == {"input": Decimal("0.01"), "output": 0}
    tts = oa["gpt-4o-mini-tts"]
    assert tts["kind"] == "speech" and tts["tiers"]["standard"]["audio_output"] == 12
    assert g["gemini-2.5-flash"]["tiers"]["standard"]["audio_input"] == 1
    assert g["gemini-2.5-flash"]["tiers"]["batch"]["audio_input"] == Decimal("0.5")
    for t in tables.values():  # every table written is a valid pricing file
        PricingFile.model_validate(t)


def test_genai_prices_audio_speech_transcription_and_embeddings():
    data = [{"id": "openai", "name": "OpenAI", "pricing_urls": ["https://developers.openai.com/api/docs/pricing"],
             "models": [
                 {"id": "whisper-1", "prices": {"audio_hours": 0.36, "input_audio_hours": 0.36}},
                 {"id": "tts-1", "prices": {"input_mchars": 15}},
                 {"id": "gpt-realtime", "prices": {"input_mtok": 4, "cache_read_mtok": 0.4, "output_mtok": 16,
                                                   "input_audio_mtok": 32, "cache_audio_read_mtok": 0.4,
                                                   "output_audio_mtok": 64}},
                 {"id": "text-embedding-3-small", "context_window": 8192, "prices": {"input_mtok": 0.02}},
             ]}]
    m = from_genai_prices(data, checked=date(2026, 11, 30))["openai"]["models"]
    assert m["whisper-1"]["kind"] == "transcription"
    assert m["whisper-1"]["tiers"]["standard"]["per_audio_minute"] == Decimal("0.006")
    assert m["tts-1"]["kind"] == "speech" and m["tts-1"]["tiers"]["standard"]["per_1m_characters"] == 15
    rt = m["gpt-realtime"]["tiers"]["standard"]
    assert (rt["audio_input"], rt["cached_audio_input"], rt["audio_output"]) == (32, Decimal("0.4"), 64)
    assert m["text-embedding-3-small"]["kind"] == "embedding"
    PricingFile.model_validate(from_genai_prices(data, checked=date(2026, 11, 30))["openai"])


def test_a_price_that_is_not_a_finite_number_is_named_not_dropped_or_a_crash(tmp_path):
    from typer.testing import CliRunner

    from aicost.cli import app

    f = tmp_path / "g.json"
    f.write_text(json.dumps([{"id": "openai", "models": [{"id": "tts-x", "prices": {"input_mchars": "abc"}},
                                                          {"id": "w", "prices": {"audio_hours": "Infinity"}}]}]))
    r = CliRunner().invoke(app, ["pricing", "import", "genai-prices", str(f)])
    assert r.exit_code == 2
    assert "models.tts-x.tiers.standard.per_1m_characters: must be a number (got 'abc')" in r.output
    assert "models.w.tiers.standard.per_audio_minute: must be a finite number" in r.output
    g = tmp_path / "l.json"
    g.write_text('{"gpt-realtime": {"litellm_provider": "openai", "mode": "realtime", "input_cost_per_token": 4e-06, '
                 '"output_cost_per_token": 1.6e-05, "input_cost_per_audio_token": Infinity}}')
    r = CliRunner().invoke(app, ["pricing", "import", "litellm", str(g)])
    assert r.exit_code == 2 and "Infinity: not a finite number" in r.output, r.output
