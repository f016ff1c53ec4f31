"""Today's models are priced (issue 18): `pricing show` answers for each model the issue names and
`compare` ranks them; the dated facts it names hold (Sol's Fast mode, Gemini's 2027 rise, launch
prices, history on Batch, nothing before a release)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from aicost.cli import app

runner = CliRunner()
NAMED = ["anthropic/claude-sonnet-5-5", "anthropic/claude-opus-5-5", "anthropic/claude-haiku-5-5",
         "anthropic/claude-opus-5", "anthropic/claude-sonnet-5", "openai/gpt-6-sol", "openai/gpt-6.1-sol",
         "openai/gpt-6.1-terra", "openai/gpt-6-luna", "openai/gpt-6-astra", "openai/gpt-5.6",
         "openai/gpt-5.3-codex", "openai/gpt-5-search-api", "google/gemini-3.5-flash-lite", "google/gemini-3.6-flash",
         "google/gemini-3.7-flash", "google/gemini-4-argon", "azure/gpt-5.4-mini", "azure/gpt-5.4-nano",
         "azure/gpt-5.5", "azure/gpt-5.6-sol", "azure/gpt-6-sol", "azure/gpt-5.5-pro"]


def _show(model: str, as_of: str) -> dict:
    r = runner.invoke(app, ["pricing", "show", model, "--as-of", as_of, "-f", "json"])
    assert r.exit_code == 0, r.output
    [m] = json.loads(r.stdout)["models"]
    return m


@pytest.mark.parametrize("model", NAMED)
def test_each_named_model_is_priced_with_its_source(model):
    m = _show(model, "2026-11-30")
    assert m["tiers"]["standard"]["input"] > 0 and m["tiers"]["standard"]["source"]


def test_compare_ranks_the_new_models(tmp_path):
    s = tmp_path / "s.yaml"
    s.write_text("version: 1\nname: today\nvolume: {tasks_per_month: 10000}\nlatency: {deadline_hours: 24}\n"
                 "attempt:\n  steps:\n    - {name: s, input_tokens: 3000, output_tokens: 400}\n"
                 "value: {value_per_success: 1.0}\nmodels:\n"
                 + "".join(f"  {m}: {{p_success: 0.9}}\n" for m in NAMED))
    r = runner.invoke(app, ["compare", str(s), "--as-of", "2026-11-30", "--format", "json"])
    assert r.exit_code == 0, r.output
    ok = {o["provider"] + "/" + o["model"] for o in json.loads(r.stdout)["scenarios"][0]["options"]
          if o["status"] == "ok"}
    assert {m.replace("openai/gpt-5.6", "openai/gpt-5.6-sol") for m in NAMED} <= ok


def test_gpt_5_6_sol_fast_mode_is_the_current_page_and_launch_prices_are_history():
    now = _show("openai/gpt-5.6-sol", "2026-11-21")
    assert {k: now["tiers"]["priority"][k] for k in ("input", "cached_input", "output")} == \
        {"input": 8, "cached_input": 0.8, "output": 40}
    assert {k: now["long_context"]["tiers"]["priority"][k] for k in ("input", "cached_input", "output")} == \
        {"input": 16, "cached_input": 1.6, "output": 60}
    launch = _show("openai/gpt-5.6", "2026-07-15")  # before the promotion: the launch list price
    assert (launch["tiers"]["standard"]["input"], launch["tiers"]["standard"]["output"]) == (5, 30)


def test_gemini_3_8_flash_rises_on_2027_01_01_on_every_tier():
    before, after = _show("google/gemini-3.8-flash", "2026-12-31"), _show("google/gemini-3.8-flash", "2027-01-01")
    assert (before["tiers"]["standard"]["input"], before["tiers"]["standard"]["output"]) == (0.75, 3.75)
    assert (after["tiers"]["standard"]["input"], after["tiers"]["standard"]["output"]) == (1.5, 7.5)
    assert after["tiers"]["batch"]["input"] > before["tiers"]["batch"]["input"]


def test_history_on_batch_and_nothing_before_release():
    o3 = _show("openai/o3", "2025-05-01")
    assert (o3["tiers"]["standard"]["input"], o3["tiers"]["batch"]["input"]) == (10, 5)  # was Standard $10 by Batch $1
    early = _show("openai/gpt-6-sol", "2026-09-01")  # released 2026-09-22
    assert early["tiers"] == {} and early["available_from"] == "2026-09-22"


def test_retired_models_carry_their_day():
    for model in ("anthropic/claude-opus-4-0", "anthropic/claude-opus-4-1", "anthropic/claude-sonnet-4-0"):
        m = _show(model, "2026-11-30")
        assert m["retired"] and m["tiers"] == {}
