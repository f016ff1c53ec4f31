"""Edge cases that used to change numbers or ids: cascades and the provider filter, steps that are
not called, tiers a model does not offer, one model under two names, the context-window reason."""

from __future__ import annotations

import json

import yaml
from typer.testing import CliRunner

from aicost.analyses.compare import run
from aicost.base.paths import bundled_scenarios
from aicost.cli import app
from aicost.report.explain import reason
from conftest import AS_OF

runner = CliRunner()
DAY = ["--as-of", AS_OF.isoformat()]


def scenario_file(tmp_path, name: str, change) -> str:
    data = yaml.safe_load(bundled_scenarios()[name].read_text())
    change(data)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return str(path)


def test_cascade_stages_follow_the_provider_filter():
    r = runner.invoke(app, ["compare", "triage-cascade", "--provider", "azure", "-f", "json", *DAY])
    assert r.exit_code == 0, r.output
    stages = [s for o in json.loads(r.stdout)["scenarios"][0]["options"] if o["kind"] == "cascade"
              for s in o["cascade"]["stages"]]
    assert stages and all(s.startswith("azure/") for s in stages)


def test_a_step_that_is_not_called_costs_nothing_even_without_a_price(book, tmp_path):
    def change(d):
        d["attempt"]["steps"].append({"name": "unused", "input_tokens": 400_000, "output_tokens": 10, "calls": 0})
    path = scenario_file(tmp_path, "worked-example", change)
    with_step = run([path], as_of=AS_OF, book=book).scenarios[0].options[0]
    without = run(["worked-example"], as_of=AS_OF, book=book).scenarios[0].options[0]
    assert with_step.status == "ok", reason(with_step)
    assert with_step.metrics["cost_per_success"] == without.metrics["cost_per_success"]


def test_a_tier_the_model_does_not_offer_is_never_priced_at_zero(book, tmp_path):
    def change(d):
        d["models"] = {"gpt-4.1": {"p_success": 0.9}}
        d["options"]["tiers"] = ["standard", "flex"]
        for s in d["attempt"]["steps"]:
            s.update(input_tokens=0, output_tokens=0, cached_prefix_tokens=0)
    s = run([scenario_file(tmp_path, "worked-example", change)], as_of=AS_OF, book=book).scenarios[0]
    flex = next(o for o in s.options if o.tier == "flex")
    assert flex.status == "ineligible" and reason(flex) == "gpt-4.1 offers no Flex tier"
    assert flex.metrics["cost_per_success"] is None and flex.metrics["monthly_cost"] is None


def test_one_model_under_its_name_and_its_dated_alias_is_an_input_error(tmp_path):
    def change(d):
        d["models"] = {"gpt-5-mini": {"p_success": 0.8}, "gpt-5-mini-2025-08-07": {"p_success": 0.9}}
    path = scenario_file(tmp_path, "worked-example", change)
    r = runner.invoke(app, ["compare", path, *DAY])
    assert r.exit_code == 2
    assert "'gpt-5-mini-2025-08-07' is openai/gpt-5-mini, already listed as 'gpt-5-mini' (line" in r.stderr
    assert r.stdout == ""


def test_the_context_window_reason_counts_retrieved_tokens(book, tmp_path):
    def change(d):
        d["models"] = {"gpt-4.1-mini": {"p_success": 0.9}}
        d["attempt"]["steps"][0].update(input_tokens=1_000, cached_prefix_tokens=0, retrieved_tokens=2_000_000)
    s = run([scenario_file(tmp_path, "worked-example", change)], as_of=AS_OF, book=book).scenarios[0]
    o = next(o for o in s.options if o.tier == "standard")
    assert o.status == "ineligible" and "a 2,001,000-token prompt exceeds" in reason(o)
