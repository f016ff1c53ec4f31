"""Reasons that say what is true (issue 18, item 5): a model with no cached-input rate does not offer
caching (its cached option is out, said so; uncached it is priced), and a prompt above a long-context
threshold on a tier with no long-context rate says that, not that a cache price is missing."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from aicost.cli import app
from conftest import ACME_TABLE

runner = CliRunner()

PRICES = ACME_TABLE + """  pro:
    tiers:
      standard: {input: 10, output: 40}
  long:
    min_cache_tokens: 1024
    long_context:
      threshold: 200000
      tiers:
        standard: {input: 4, cached_input: 0.4, output: 16}
    tiers:
      standard: {input: 2, cached_input: 0.2, output: 8}
      priority: {input: 4, cached_input: 0.4, output: 16}
"""


def _scenario(input_tokens: int) -> str:
    return f"""version: 1
name: rules
volume: {{tasks_per_month: 1000}}
latency: {{deadline_hours: 24}}
caching: {{hit_rate: 0.5}}
models:
  acme/pro: {{p_success: 0.9}}
  acme/long: {{p_success: 0.9}}
attempt:
  steps:
    - {{name: s, input_tokens: {input_tokens}, cached_prefix_tokens: 1000, output_tokens: 100}}
value: {{value_per_success: 1.0}}
"""


def _options(tmp_path, input_tokens: int) -> dict[str, dict]:
    (tmp_path / "p.yaml").write_text(PRICES)
    (tmp_path / "s.yaml").write_text(_scenario(input_tokens))
    r = runner.invoke(app, ["compare", str(tmp_path / "s.yaml"), "--pricing", str(tmp_path / "p.yaml"),
                            "--as-of", "2026-11-30", "--format", "json"])
    assert r.exit_code == 0, r.output
    return {o["id"]: o for o in json.loads(r.stdout)["scenarios"][0]["options"]}


def test_a_model_without_a_cached_rate_does_not_offer_caching_and_is_priced_uncached(tmp_path):
    o = _options(tmp_path, 5000)
    cached = o["acme/pro:standard:cached"]
    assert cached["status"] == "ineligible" and cached["reason"].startswith("caching not offered: acme/pro")
    plain = o["acme/pro:standard"]
    assert plain["status"] == "ok"
    assert plain["cost_per_attempt"] == 0.054  # 5,000 in x $10 + 100 out x $40, per 1M


def test_a_long_prompt_on_a_tier_without_long_context_rates_says_so(tmp_path):
    o = _options(tmp_path, 250_000)
    pri = o["acme/long:priority:cached"]
    assert pri["status"] == "unpriced"
    assert "Priority rate for prompts above 200,000 tokens" in pri["reason"] and "cached" not in pri["reason"]
    assert o["acme/long:standard:cached"]["status"] == "ok"
