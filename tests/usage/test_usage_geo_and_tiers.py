"""Real usage exports priced right (issue 17, item 5): Anthropic rows run in the US only are priced
at 1.1x (Claude 4.6 and later), OpenAI Scale Tier rows are unpriced with the reason and never stop
the run, and Anthropic's current usage API (analytics rows) is read as well as the legacy report."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from aicost.cli import app

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data" / "usage"


def _allocate(*args: str) -> dict:
    r = runner.invoke(app, ["allocate", *args, "--format", "json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_us_only_inference_is_priced_at_1_1x_and_the_analytics_rows_are_read():
    a = _allocate(str(DATA / "anthropic_analytics.json"), "--from", "anthropic", "--by", "workspace")
    groups = {g["tags"]["workspace"]: g for g in a["groups"]}
    # Sonnet 4.6 at $3 in / $15 out: 1M in + 0.1M out = $4.50 global; the same in the US only: x1.1
    assert groups["wrkspc_search"]["direct"] == 4.50
    # $4.95 (Sonnet 4.6, US only) + Sonnet 4.5 on Batch ($1.50/$7.50: 2M in + 0.2M out = $4.50)
    assert groups["wrkspc_support"]["direct"] == 9.45
    assert groups["wrkspc_support"]["requests"] == 50  # the analytics API's own request counts
    assert a["totals"]["total"] == 13.95


def test_us_only_rows_of_a_model_without_that_price_are_unpriced_with_the_reason():
    a = _allocate(str(DATA / "anthropic_analytics.json"), "--from", "anthropic", "--by", "workspace")
    u = next(x for x in a["unpriced"] if x["model"].startswith("anthropic-us/"))
    assert u["model"] == "anthropic-us/claude-sonnet-4-5-20250929" and u["tokens"] == 550_000
    assert "inference geography" in u["reason"] and u["cost"] is None  # never $0


def test_fast_mode_rows_are_unpriced_with_the_reason_not_priced_at_the_standard_rate():
    a = _allocate(str(DATA / "anthropic_analytics.json"), "--from", "anthropic", "--by", "workspace")
    u = next(x for x in a["unpriced"] if x["tier"] == "fast_mode")
    assert u["model"] == "anthropic/claude-opus-4-6" and u["tokens"] == 1_100_000 and u["cost"] is None
    assert "fast mode" in u["reason"]
    assert "wrkspc_fast" not in {g["tags"]["workspace"] for g in a["groups"]}


def test_an_unknown_geography_is_a_problem_with_its_row(tmp_path):
    log = tmp_path / "u.csv"
    log.write_text("timestamp,provider,model,input_tokens,inference_geo,team\n"
                   "2026-10-01,anthropic,claude-sonnet-4-6,1000000,us,a\n"
                   "2026-10-01,anthropic,claude-sonnet-4-6,1000000,mars,a\n")
    r = runner.invoke(app, ["allocate", str(log)])
    assert r.exit_code == 2 and f"{log}:3:" in r.stderr and "unknown inference geography 'mars'" in r.stderr
    ok = runner.invoke(app, ["allocate", str(log), "--on-error", "skip", "--format", "json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)["totals"]["total"] == 3.30  # 1M in at $3 x 1.1


def test_the_us_variant_is_in_the_price_tables_with_its_source():
    r = runner.invoke(app, ["pricing", "list", "--provider", "anthropic-us", "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    rows = rows["rows"] if isinstance(rows, dict) else rows
    models = {x["model"] for x in rows}
    assert {"claude-sonnet-4-6", "claude-opus-4-6"} <= models and "claude-sonnet-4-5" not in models
    s46 = next(x for x in rows if x["model"] == "claude-sonnet-4-6" and x["tier"] == "standard")
    assert float(s46["input"]) == 3.3 and float(s46["output"]) == 16.5


def test_scale_tier_rows_are_unpriced_with_the_reason_and_the_rest_is_priced():
    a = _allocate(str(DATA / "openai_tiers.jsonl"), "--from", "openai", "--by", "project")
    groups = {g["tags"]["project"]: g for g in a["groups"]}
    assert groups["proj_search"]["direct"] == 2.80  # gpt-4.1 standard: 1M x $2 + 0.1M x $8
    assert groups["proj_support"]["direct"] == 1.40  # the batch row: half
    [u] = a["unpriced"]
    assert u["tier"] == "scale" and "Scale Tier" in u["reason"] and "api-scale-tier" in u["reason"]
    assert u["tokens"] == 1_300_000 and u["cost"] is None


def test_scale_tier_in_the_table_view_is_named_and_does_not_stop_the_run():
    r = runner.invoke(app, ["allocate", str(DATA / "openai_tiers.jsonl"), "--from", "openai", "--by", "project"])
    assert r.exit_code == 0, r.output
    assert "scale" in r.stdout and "priced by contract" in r.stdout


def test_a_variant_naming_a_model_the_file_lacks_is_a_problem_with_its_line(tmp_path):
    f = tmp_path / "p.yaml"
    f.write_text("version: 1\nprovider: acme\nname: Acme\ncurrency: USD\nsource: test\nchecked: 2026-11-30\n"
                 "variants:\n  - provider: acme-us\n    name: Acme US\n    multiplier: 1.1\n    tiers: [standard]\n"
                 "    models: [m2]\n"
                 "models:\n  m1:\n    tiers:\n      standard: {input: 1, output: 2}\n")
    r = runner.invoke(app, ["pricing", "validate", str(f)])
    assert r.exit_code == 2 and f"{f}:12:" in r.output and "no model 'm2' in this file" in r.output


def test_anthropic_tiers_without_a_public_price_say_so(tmp_path):
    log = tmp_path / "u.csv"
    log.write_text("timestamp,provider,model,tier,input_tokens,team\n"
                   "2026-10-01,anthropic,claude-sonnet-4-6,priority_on_demand,1000000,a\n"
                   "2026-10-01,anthropic,claude-sonnet-4-6,flex_discount,1000000,a\n")
    a = _allocate(str(log))
    assert sorted(u["tier"] for u in a["unpriced"]) == ["flex_discount", "priority_on_demand"]
    assert all("no published per-token price" in u["reason"] for u in a["unpriced"])
