"""Audio, speech, images and embeddings (issue 20): every unit worked by hand from the shipped
tables, the image-token rules against the providers' own worked examples, and the refusals."""

from __future__ import annotations

import copy
from datetime import date
from types import SimpleNamespace as NS

import pytest

from aicost.analyses.compare import compare_loaded
from aicost.base.errors import InputError
from aicost.engine.media import image_tokens
from conftest import AS_OF, BASE, loaded


def _scenario(models: dict, step: dict, **more) -> dict:
    data = copy.deepcopy(BASE)
    data["models"] = {m: {"p_success": 1.0} for m in models} if isinstance(models, list) else models
    data["attempt"]["steps"] = [{"name": "s", **step}] if isinstance(step, dict) else step
    data["volume"] = {"tasks_per_month": 1000}
    data.update(more)
    return data


def _options(data: dict, book, as_of: date = AS_OF) -> dict:
    res = compare_loaded(loaded(data, book), book, as_of=as_of)
    return {o.id: o for o in res.options}


def _per_task(o, meter: str) -> float:
    return o.meters["cost"][meter] / 1000  # 1,000 tasks a month, one attempt each (p_success 1)


# ---- per unit, by hand --------------------------------------------------------------------------

def test_a_three_minute_whisper_transcription(book):
    opts = _options(_scenario(["whisper-1", "gpt-4o-mini-transcribe"],
                              {"input_tokens": 0, "output_tokens": 450, "audio_input_minutes": 3}), book)
    w = opts["openai/whisper-1:standard"]
    assert _per_task(w, "audio_minutes") == pytest.approx(3 * 0.006)  # $0.018
    assert w.meters["units"]["audio_minutes"] == pytest.approx(3000)  # minutes a month
    assert w.metrics["cost_per_attempt"] == pytest.approx(0.018)  # the transcript carries no token charge
    m = opts["openai/gpt-4o-mini-transcribe:standard"]
    # billed per token: 3 minutes x 1,000 audio tokens a minute x $3 per 1M, and 450 text tokens at $5 per 1M
    assert _per_task(m, "audio_input") == pytest.approx(3000 * 3 / 1e6)
    assert m.metrics["cost_per_attempt"] == pytest.approx(0.009 + 450 * 5 / 1e6)


def test_a_transcription_model_hears_each_turn_once(book):
    # three one-minute turns: a transcription model bills 3 minutes, per minute or per token alike (a
    # conversation's history is resent only by chat models)
    opts = _options(_scenario(["whisper-1", "gpt-4o-transcribe"],
                              {"input_tokens": 0, "output_tokens": 0, "turns": 3, "audio_input_minutes": 1}), book)
    assert opts["openai/whisper-1:standard"].metrics["cost_per_attempt"] == pytest.approx(3 * 0.006)
    assert opts["openai/gpt-4o-transcribe:standard"].metrics["cost_per_attempt"] == pytest.approx(3 * 1000 * 6 / 1e6)


def test_ten_thousand_characters_of_speech_on_both_qualities(book):
    opts = _options(_scenario(["tts-1", "tts-1-hd"], {"input_tokens": 0, "output_tokens": 0, "characters": 10000}),
                    book)
    assert opts["openai/tts-1:standard"].metrics["cost_per_attempt"] == pytest.approx(0.15)  # 10k x $15 / 1M
    assert opts["openai/tts-1-hd:standard"].metrics["cost_per_attempt"] == pytest.approx(0.30)  # 10k x $30 / 1M
    assert opts["openai/tts-1:standard"].meters["units"]["characters"] == pytest.approx(10_000_000)


def test_speech_billed_per_audio_token_converts_minutes(book):
    # gpt-4o-mini-tts: 2,500 text tokens in at $0.60, 11 minutes out x 1,250 tokens a minute at $12 per 1M
    o = _options(_scenario(["gpt-4o-mini-tts"], {"input_tokens": 2500, "output_tokens": 0, "characters": 10000,
                                                 "audio_output_minutes": 11}), book)["openai/gpt-4o-mini-tts:standard"]
    assert o.metrics["cost_per_attempt"] == pytest.approx(2500 * 0.6 / 1e6 + 11 * 1250 * 12 / 1e6)
    assert o.meters["units"]["characters"] == 0  # described, not billed by this model


@pytest.mark.parametrize("model, size, quality, as_of, price", [
    ("dall-e-3", "1024x1024", "hd", date(2026, 3, 1), 0.08),  # served until 2026-05-12
    ("azure/dall-e-3", "1024x1024", "hd", AS_OF, 0.088),  # Azure: 1.1x
    ("gpt-image-1", "1024x1024", "high", date(2026, 9, 1), 4160 * 40 / 1e6),  # image output tokens: $0.1664
    ("gpt-image-1-mini", "1024x1024", "high", AS_OF, 0.036),  # listed per image
    ("gemini-2.5-flash-image", "1024x1024", "standard", AS_OF, 1290 * 30 / 1e6),  # $0.0387
])
def test_a_1024_high_quality_image_on_each_image_model(book, model, size, quality, as_of, price):
    data = _scenario([model], {"input_tokens": 0, "output_tokens": 0, "images_generated": 1,
                               "generated_image_size": size, "image_quality": quality})
    opts = _options(data, book, as_of)
    o = next(o for o in opts.values() if o.tier == "standard" and not o.caching)
    assert o.status == "ok"
    assert o.metrics["cost_per_attempt"] == pytest.approx(price)
    meter = "images" if model in ("dall-e-3", "azure/dall-e-3", "gpt-image-1-mini") else "image_output"
    assert _per_task(o, meter) == pytest.approx(price)


def test_a_retired_image_model_is_not_priced_as_live(book):
    data = _scenario(["dall-e-3"], {"input_tokens": 0, "output_tokens": 0, "images_generated": 1,
                                    "generated_image_size": "1024x1024", "image_quality": "hd"})
    o = _options(data, book)["openai/dall-e-3:standard"]
    assert o.status == "ineligible" and o.reasons[0].code == "retired"


def test_a_realtime_conversation_with_cached_audio(book):
    # two turns; each: 30 s of caller audio (300 tokens at 600 a minute), 15 s of answer (300 tokens at 1,200)
    step = {"input_tokens": 0, "output_tokens": 0, "turns": 2, "audio_input_minutes": 0.5,
            "audio_output_minutes": 0.25}
    opts = _options(_scenario(["gpt-realtime"], step, caching={"hit_rate": 0.8}), book)
    plain, cached = opts["openai/gpt-realtime:standard"], opts["openai/gpt-realtime:standard:cached"]
    # audio in: turn 1 300; turn 2 resends 300 + 300 answered + 300 new = 900; out: 2 x 300
    assert _per_task(plain, "audio_input") == pytest.approx(1200 * 32 / 1e6)
    assert _per_task(plain, "audio_output") == pytest.approx(600 * 64 / 1e6)
    # cached: turn 2's first 300 tokens (the previous request's audio) read at 80%: 240 at $0.40, the rest fresh
    assert cached.meters["tokens"]["cached_audio_input"] / 1000 == pytest.approx(240)
    assert _per_task(cached, "cached_audio_input") == pytest.approx(240 * 0.4 / 1e6)
    assert _per_task(cached, "audio_input") == pytest.approx(960 * 32 / 1e6)
    assert cached.metrics["cost_per_attempt"] == pytest.approx((960 * 32 + 240 * 0.4 + 600 * 64) / 1e6)


@pytest.mark.parametrize("rule, w, h, detail, tokens", [
    # OpenAI's vision guide: tiles (gpt-4o) and patches, with its worked examples
    (NS(rule="tiles", base_tokens=85, tile_tokens=170, tile_px=512, fit_px=2048, short_side_px=768), 1024, 1024,
     "high", 765),
    (NS(rule="tiles", base_tokens=85, tile_tokens=170, tile_px=512, fit_px=2048, short_side_px=768), 2048, 4096,
     "high", 1105),
    (NS(rule="tiles", base_tokens=85, tile_tokens=170, tile_px=512, fit_px=2048, short_side_px=768), 4096, 8192,
     "low", 85),
    (NS(rule="patches", patch_px=32, max_patches=1536, multiplier=1, max_edge_px=None), 1024, 1024, "high", 1024),
    (NS(rule="patches", patch_px=32, max_patches=1536, multiplier=1, max_edge_px=None), 1800, 2400, "high", 1452),
    (NS(rule="patches", patch_px=32, max_patches=2500, multiplier=1.2, max_edge_px=None), 1024, 1024, "high", 1229),
    (NS(rule="patches", patch_px=32, max_patches=2500, multiplier=1.2, max_edge_px=None), 2048, 2048, "high", 3000),
    # Anthropic's vision page: width x height / 750, with its examples
    (NS(rule="pixels", pixels_per_token=750, max_edge_px=1568, max_tokens=1600), 200, 200, "auto", 54),
    (NS(rule="pixels", pixels_per_token=750, max_edge_px=1568, max_tokens=1600), 1000, 1000, "auto", 1334),
    (NS(rule="pixels", pixels_per_token=750, max_edge_px=1568, max_tokens=1600), 1092, 1092, "auto", 1590),
    # Gemini: 258 tokens within 384 px, else per 768-px tile
    (NS(rule="gemini", tile_tokens=258, small_px=384, tile_px=768), 384, 384, "auto", 258),
    (NS(rule="gemini", tile_tokens=258, small_px=384, tile_px=768), 1536, 768, "auto", 516),
])
def test_image_token_rules_reproduce_the_providers_worked_examples(rule, w, h, detail, tokens):
    assert image_tokens(rule, w, h, detail) == tokens


def test_a_thin_image_counts_at_least_one_tile_or_patch():
    tiles = NS(rule="tiles", base_tokens=85, tile_tokens=170, tile_px=512, fit_px=2048, short_side_px=768)
    patches = NS(rule="patches", patch_px=32, max_patches=1536, multiplier=1, max_edge_px=None)
    assert image_tokens(tiles, 1, 99999) >= 85 + 170
    assert image_tokens(patches, 16, 99999) >= 1


def test_a_2048_by_4096_image_input_on_models_with_different_rules(book):
    step = {"input_tokens": 0, "output_tokens": 0, "image_inputs": 1, "input_image_size": "2048x4096"}
    opts = _options(_scenario(["gpt-4.1", "claude-sonnet-4-6", "gpt-4.1-mini"], step, latency={"deadline_hours": 1}),
                    book, date(2026, 9, 1))
    g, c, m = (opts[k] for k in ("openai/gpt-4.1:standard", "anthropic/claude-sonnet-4-6:standard",
                                 "openai/gpt-4.1-mini:standard"))
    # gpt-4.1, tiles: 1024x2048 -> 768x1536 -> 6 tiles: 85 + 6 x 170 = 1,105 tokens at the $2 input rate
    assert g.meters["tokens"]["image_input"] / 1000 == 1105
    assert _per_task(g, "image_input") == pytest.approx(1105 * 2 / 1e6)
    # Claude: 784x1568 would be 1,639 tokens, over the ~1,600 cap: 1,600 at $3
    assert c.meters["tokens"]["image_input"] / 1000 == 1600
    assert _per_task(c, "image_input") == pytest.approx(1600 * 3 / 1e6)
    # gpt-4.1-mini, patches: 2048-px limit -> 1024x2048 = 32 x 64 = 2,048 patches x 1.62 = 3,318 tokens at $0.40
    assert m.meters["tokens"]["image_input"] / 1000 == 3318
    assert _per_task(m, "image_input") == pytest.approx(3318 * 0.4 / 1e6)


def test_an_embedding_batch_job(book):
    # a million 500-token chunks a month on text-embedding-3-small: Batch $0.01 per 1M = $5.00, Standard $10.00
    data = _scenario(["text-embedding-3-small"], {"input_tokens": 500, "output_tokens": 0},
                     volume={"tasks_per_month": 1_000_000})
    opts = _options(data, book)
    batch, std = opts["openai/text-embedding-3-small:batch"], opts["openai/text-embedding-3-small:standard"]
    assert batch.meters["cost"]["embedding"] == pytest.approx(5.0)
    assert batch.meters["tokens"]["embedding"] == pytest.approx(500e6)
    assert batch.meters["cost"]["input"] == 0 and batch.meters["tokens"]["input"] == 0
    assert std.meters["cost"]["embedding"] == pytest.approx(10.0)


def test_a_tier_without_the_units_price_is_unpriced_with_the_reason_never_zero(book):
    # Gemini 2.5 Flash prices audio on Standard and Batch only: Flex and Priority are unpriced for it
    data = _scenario(["gemini-2.5-flash"], {"input_tokens": 100, "output_tokens": 100, "audio_input_minutes": 1})
    opts = _options(data, book)
    std, flex = opts["google/gemini-2.5-flash:standard"], opts["google/gemini-2.5-flash:flex"]
    assert std.status == "ok"
    # 1 minute = 1,920 audio tokens at $1.00 per 1M, text at $0.30 / $2.50
    assert std.metrics["cost_per_attempt"] == pytest.approx((1920 * 1.0 + 100 * 0.3 + 100 * 2.5) / 1e6)
    assert flex.status == "unpriced" and flex.metrics["cost_per_success"] is None
    assert [r.code for r in flex.reasons] == ["no_media_price"]
    assert flex.reasons[0]["what"] == ("audio input",)


def test_a_self_hosted_option_is_out_for_a_step_with_images(book):
    data = _scenario(["gpt-4.1"], {"input_tokens": 100, "output_tokens": 100, "image_inputs": 1,
                                   "input_image_size": "1024x1024"},
                     self_hosted={"models": {"llama-3.1-8b": {"p_success": 0.9}}, "gpus": ["h100-sxm"]})
    res = compare_loaded(loaded(data, book), book, as_of=date(2026, 9, 1))
    gpu = [o for o in res.options if o.kind == "gpu"]
    assert gpu and all(o.status == "ineligible" for o in gpu)
    assert all("media_self_hosted" in r["flags"] for o in gpu for r in o.reasons if r.code == "gpu_ineligible")


# ---- refusals -------------------------------------------------------------------------------------

def _problems(data: dict, book) -> list[str]:
    with pytest.raises(InputError) as e:
        loaded(data, book)
    return [f"{p.line}: {p.message}" for p in e.value.problems]


def test_a_unit_the_model_does_not_bill_is_refused(book):
    msgs = _problems(_scenario(["gpt-4.1"], {"input_tokens": 100, "output_tokens": 10, "audio_input_minutes": 3}),
                     book)
    assert len(msgs) == 1 and "gpt-4.1 (openai/gpt-4.1) takes no audio input" in msgs[0]
    msgs = _problems(_scenario(["tts-1"], {"input_tokens": 100, "output_tokens": 0, "audio_output_minutes": 2}), book)
    assert "bills speech per character: state characters" in msgs[0]
    msgs = _problems(_scenario(["whisper-1"], {"input_tokens": 100, "output_tokens": 100}), book)
    assert "is a transcription model, and the step has no audio input" in msgs[0]
    msgs = _problems(_scenario(["text-embedding-3-small"], {"input_tokens": 100, "output_tokens": 100}), book)
    assert "is an embedding model" in msgs[0]


def test_an_image_size_or_quality_the_model_does_not_offer_is_refused(book):
    step = {"input_tokens": 0, "output_tokens": 0, "images_generated": 1, "generated_image_size": "512x512",
            "image_quality": "high"}
    msgs = _problems(_scenario(["gpt-image-1-mini"], step), book)
    assert "offers no 512x512 images (it offers 1024x1024, 1024x1536, 1536x1024)" in msgs[0]
    step.update(generated_image_size="1024x1024", image_quality="hd")
    msgs = _problems(_scenario(["gpt-image-1-mini"], step), book)
    assert "offers no 'hd' quality at 1024x1024 (it offers high, low, medium)" in msgs[0]


@pytest.mark.parametrize("line, message", [
    ("      audio_input_minutes: -3", "12: attempt.steps[0].audio_input_minutes: must be at least 0 (got -3)"),
    ("      characters: -1", "12: attempt.steps[0].characters: must be at least 0"),
    ("      image_inputs: 1\n      input_image_size: 1024", "13: attempt.steps[0].input_image_size:"),
])
def test_a_negative_duration_or_a_bad_size_is_refused(tmp_path, line, message):
    r, f = _cli(tmp_path, line)
    assert r.exit_code == 2
    assert f"{f}:{message}" in r.output, r.output


def _cli(tmp_path, step_line: str):
    from typer.testing import CliRunner

    from aicost.cli import app

    f = tmp_path / "s.yaml"
    f.write_text("version: 1\nname: s\nvolume: {tasks_per_month: 10}\nlatency: {deadline_hours: 24}\n"
                 "models:\n  gpt-4.1: {p_success: 0.9}\nattempt:\n  steps:\n    - name: speak\n"
                 f"      input_tokens: 10\n      output_tokens: 0\n{step_line}\n"
                 "value: {value_per_success: 1}\n")
    return CliRunner().invoke(app, ["compare", str(f)]), f


def test_the_cli_says_file_line_and_exits_2(tmp_path):
    r, f = _cli(tmp_path, "      audio_output_minutes: 2")
    assert r.exit_code == 2
    assert f"{f}:6: models.gpt-4.1: gpt-4.1 (openai/gpt-4.1) makes no speech" in r.output


# ---- invariants (domain.md) over media units ----------------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(minutes=st.floats(0, 30), more=st.floats(0.01, 10), turns=st.integers(1, 6), hit=st.floats(0, 1),
       images=st.integers(0, 5))
def test_media_cost_never_falls_when_usage_rises_and_caching_never_raises_it(book, minutes, more, turns, hit, images):
    def cost(m, cached):
        step = {"input_tokens": 100, "output_tokens": 10, "turns": turns, "audio_input_minutes": m,
                "audio_output_minutes": m / 2, "image_inputs": images, "input_image_size": "1024x1024"}
        o = _options(_scenario(["gpt-realtime"], step, caching={"hit_rate": hit}), book)
        r = o["openai/gpt-realtime:standard" + (":cached" if cached else "")]
        total = sum(v for v in r.meters["cost"].values() if v)
        assert total == pytest.approx(r.metrics["monthly_cost"] - r.meters["cost"]["fixed"], rel=1e-9, abs=1e-9)
        return r.metrics["cost_per_success"]

    if images:  # gpt-realtime has an image rate but no image-token rule: refused, not $0
        with pytest.raises(InputError):
            cost(minutes, False)
        return
    base, up = cost(minutes, False), cost(minutes + more, False)
    assert up >= base - 1e-12
    assert cost(minutes, True) <= base + 1e-12  # cached audio ($0.40) is below fresh ($32)


def test_an_embedding_batch_job_counts_against_the_batch_queue_limit(book):
    # 1M chunks x 500 tokens a month = 16.4M enqueued tokens a day, over a 3M-token queue limit
    data = _scenario(["text-embedding-3-small"], {"input_tokens": 500, "output_tokens": 0},
                     volume={"tasks_per_month": 1_000_000},
                     rate_limits=[{"model": "text-embedding-3-small", "tier": "batch", "batch_queue_tokens": 3_000_000}])
    o = _options(data, book)["openai/text-embedding-3-small:batch"]
    assert o.status == "ineligible" and o.reasons[0].code == "over_rate_limit"
