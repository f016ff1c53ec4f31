"""Models are priced only while they are served (issue 18, items 3 and 4): a retired model is never
priced as live, and a model is not priced for a day before it existed, in compare and in allocate."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from aicost.cli import app
from conftest import ACME_TABLE

runner = CliRunner()

PRICES = ACME_TABLE + """  old:
    retired: 2026-06-10
    tiers:
      standard: {input: 1, output: 2}
      batch: {input: 0.5, output: 1}
  new:
    available_from: 2026-09-12
    tiers:
      standard: {input: 2, output: 4}
"""
SCENARIO = """version: 1
name: lifecycle
volume: {tasks_per_month: 1000}
latency: {deadline_hours: 24}
models:
  acme/old: {p_success: 0.9}
  acme/new: {p_success: 0.9}
attempt:
  steps:
    - {name: s, input_tokens: 1000, output_tokens: 100}
value: {value_per_success: 1.0}
"""


def _options(tmp_path, as_of: str) -> dict[str, dict]:
    (tmp_path / "p.yaml").write_text(PRICES)
    (tmp_path / "s.yaml").write_text(SCENARIO)
    r = runner.invoke(app, ["compare", str(tmp_path / "s.yaml"), "--pricing", str(tmp_path / "p.yaml"),
                            "--as-of", as_of, "--format", "json"])
    assert r.exit_code == 0, r.output
    [s] = json.loads(r.stdout)["scenarios"]
    return {o["id"]: o for o in s["options"]}


def test_a_retired_model_is_out_with_its_date_and_place(tmp_path):
    o = _options(tmp_path, "2026-11-30")
    old = o["acme/old:standard"]
    assert old["status"] == "ineligible" and old["cost_per_success"] is None
    assert "retired on 2026-06-10" in old["reason"] and "p.yaml:8" in old["reason"]
    assert o["acme/new:standard"]["status"] == "ok"


def test_before_its_retirement_it_is_priced_and_before_its_release_the_new_one_is_not(tmp_path):
    o = _options(tmp_path, "2026-05-01")
    assert o["acme/old:standard"]["status"] == "ok" and o["acme/old:batch"]["status"] == "ok"
    new = o["acme/new:standard"]
    assert new["status"] == "ineligible" and "not released until 2026-09-12" in new["reason"]


def test_usage_rows_outside_the_served_span_are_unpriced_with_the_reason(tmp_path):
    (tmp_path / "p.yaml").write_text(PRICES)
    log = tmp_path / "u.csv"
    log.write_text("timestamp,provider,model,input_tokens,output_tokens,team\n"
                   "2026-06-09,acme,old,1000000,0,a\n2026-06-10,acme,old,1000000,0,a\n"
                   "2026-09-11,acme,new,1000000,0,b\n2026-09-12,acme,new,1000000,0,b\n")
    r = runner.invoke(app, ["allocate", str(log), "--pricing", str(tmp_path / "p.yaml"), "--format", "json"])
    assert r.exit_code == 0, r.output
    a = json.loads(r.stdout)
    # old's last day (June 9, $1) and new's first (September 12, $2); mid-month, in the same months
    # as the days either side, which are not served
    assert a["totals"]["total"] == 3.0
    assert sorted((u["month"], u["model"], u["rows"]) for u in a["unpriced"]) == [("2026-06", "acme/old", 1),
                                                                                 ("2026-09", "acme/new", 1)]
    assert all("not served on this day" in u["reason"] for u in a["unpriced"])


def test_a_stale_tool_fee_and_a_stale_gpu_offer_are_warned_with_their_place():
    r = runner.invoke(app, ["compare", "web-research-agent", "--max-price-age", "30", "--as-of", "2026-11-30"])
    assert r.exit_code == 0, r.output
    fee = [line for line in r.stderr.splitlines() if "web search fee price was checked" in line]
    # OpenAI's fee is provider-wide: one warning, named by its provider, not one per model
    assert len(fee) == 1 and "warning: openai web search fee price" in fee[0] and "pricing/openai.yaml:" in fee[0]
    g = runner.invoke(app, ["gpu", "self-hosted-wins", "--max-price-age", "30", "--as-of", "2026-11-30"])
    offers = [line for line in g.stderr.splitlines() if "GPU-hour price was checked" in line]
    assert offers and all("pricing/gpus.yaml:" in line for line in offers)
    quiet = runner.invoke(app, ["gpu", "self-hosted-wins", "--max-price-age", "100000", "--as-of", "2026-11-30"])
    assert "GPU-hour price" not in quiet.stderr


def test_the_default_pricing_day_comes_from_aicost_as_of(tmp_path, monkeypatch):
    (tmp_path / "p.yaml").write_text(PRICES)
    (tmp_path / "s.yaml").write_text(SCENARIO)
    args = ["compare", str(tmp_path / "s.yaml"), "--pricing", str(tmp_path / "p.yaml"), "--format", "json"]
    monkeypatch.setenv("AICOST_AS_OF", "2026-05-01")
    r = runner.invoke(app, args)
    [s] = json.loads(r.stdout)["scenarios"]
    assert s["as_of"] == "2026-05-01" and {o["id"]: o for o in s["options"]}["acme/old:standard"]["status"] == "ok"
    monkeypatch.setenv("AICOST_AS_OF", "last tuesday")
    bad = runner.invoke(app, args[:-2])
    assert bad.exit_code == 2 and "AICOST_AS_OF: not a date (YYYY-MM-DD): 'last tuesday'" in bad.stderr
