"""Design variants in every command: sweep, breakeven, sensitivity, check, export and gpu see
every option of every design, named ``id@variant`` as compare names them."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from typer.testing import CliRunner

from aicost.analyses.compare import compare_designs
from aicost.analyses.whatif import breakeven_report, sweep_report
from aicost.base.paths import bundled_scenarios
from aicost.cli import app
from aicost.inputs import scenario as scenario_mod
from conftest import AS_OF

runner = CliRunner()
DAY = ["--as-of", AS_OF.isoformat()]
RAG = "rag-vs-long-context"


def test_a_sweep_covers_every_design_and_each_point_equals_compare(book):
    rep = sweep_report(RAG, book, ["volume.tasks_per_month=1000:1000000:3"], top=200, as_of=AS_OF)
    assert {i.rsplit("@", 1)[1] for i in rep.ids} >= {"base", "long-context", "own-vector-db", "fine-tuned"}
    for j, x in enumerate(rep.x[0]):
        res = compare_designs(scenario_mod.load(RAG, book, [f"volume.tasks_per_month={int(x)}"]), book, AS_OF)
        want = {o.id: o.metrics["total_cost_per_success"] if o.eligible else None for o in res.options}
        for k, i in enumerate(rep.shown):
            got = rep.values[k, j]
            assert (want[rep.ids[i]] is None and np.isnan(got)) or got == want[rep.ids[i]]
        assert rep.ids[rep.winner[j]] == next(o.id for o in res.options if o.eligible)


def test_breakeven_between_two_designs(book):
    a, b = "openai/gpt-5-mini:standard:cached@own-vector-db", "openai/gpt-4.1:standard:cached@long-context"
    rep = breakeven_report(RAG, book, "volume.tasks_per_month=100:10000000:log", [a, b], as_of=AS_OF)
    crossings = rep.pairs[0]["crossings"]
    assert rep.pairs[0]["a"] == a and crossings
    x = crossings[0]["value"]
    res = compare_designs(scenario_mod.load(RAG, book, [f"volume.tasks_per_month={x!r}"]), book, AS_OF)
    m = {o.id: o.metrics["total_cost_per_success"] for o in res.options}
    assert m[a] == __import__("pytest").approx(m[b], rel=1e-6)


def test_sensitivity_of_an_option_of_a_variant():
    r = runner.invoke(app, ["sensitivity", RAG, "--set", "volume.tasks_per_month={low: 200000, likely: 300000, "
                            "high: 500000}", "--option", "openai/gpt-5-mini:standard:cached@own-vector-db",
                            "-f", "json", *DAY])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["option"].endswith("@own-vector-db") and data["rows"][0]["field"] == "volume.tasks_per_month"


def test_a_budget_may_name_the_option_of_a_variant(tmp_path):
    shutil.copy(bundled_scenarios()[RAG], tmp_path / "rag.yaml")
    option = "openai/gpt-5-mini:standard:cached@own-vector-db"
    r = runner.invoke(app, ["check", str(tmp_path / "rag.yaml"), "--set",
                            f"budget={{option: '{option}', max_monthly_cost: 1000}}", "-f", "json", *DAY])
    data = json.loads(r.stdout)
    assert r.exit_code == 1 and data["checks"][0]["option"] == option and data["checks"][0]["status"] == "failed"


def test_export_of_a_variant_option():
    option = "openai/gpt-5-mini:standard:cached@own-vector-db"
    r = runner.invoke(app, ["export", RAG, "--options", option, *DAY])
    assert r.exit_code == 0, r.output
    assert option in r.stdout and "fixed" in r.stdout


def test_gpu_view_of_a_scenario_with_variants():
    r = runner.invoke(app, ["gpu", "self-hosted-wins", "--set",
                            'variants={"no-ops": {"set": ["self_hosted.ops_monthly=0"]}}', "-f", "json", *DAY])
    assert r.exit_code == 0, r.output
    ids = [o["id"] for o in json.loads(r.stdout)["scenarios"][0]["options"]]
    assert any(i.endswith("@base") for i in ids) and any(i.endswith("@no-ops") for i in ids)
    assert all(o["breakeven"] for o in json.loads(r.stdout)["scenarios"][0]["options"] if o["eligible"])





@pytest.mark.parametrize("vary,sets", [
    ("attempt.steps.answer.input_tokens=4000:8000:3", []),  # a field a variant sets itself: the variant wins
    ("value.fixed_monthly=0:2000:3", []),  # the variant's own monthly cost stays on top
    ("value.horizon_months=6:24:3", ["latency={minutes: 10}"]),  # its one-time cost spread over the new horizon
])
def test_a_swept_field_meets_each_variant_as_compare_does(book, vary, sets):
    rep = sweep_report(RAG, book, [vary], sets, top=500, as_of=AS_OF)
    field = vary.split("=")[0]
    for j, x in enumerate(rep.x[0]):
        text = str(int(x)) if float(x).is_integer() else repr(float(x))
        res = compare_designs(scenario_mod.load(RAG, book, sets + [f"{field}={text}"]), book, AS_OF)
        want = {o.id: o.metrics["total_cost_per_success"] if o.eligible else None for o in res.options}
        for k, i in enumerate(rep.shown):
            got = rep.values[k, j]
            assert (want[rep.ids[i]] is None and np.isnan(got)) or got == want[rep.ids[i]], rep.ids[i]
        assert not (rep.values[:, j] < 0).any()


def test_a_variants_own_fields_are_not_varied_or_ranged():
    r = runner.invoke(app, ["sweep", RAG, "--vary", "variants.own-vector-db.fixed_monthly=0:5000:3", *DAY])
    assert r.exit_code == 2 and "cannot be varied" in r.stderr
    r = runner.invoke(app, ["sensitivity", RAG, "--set",
                            "variants.own-vector-db.fixed_monthly={low: 100, likely: 450, high: 900}", *DAY])
    assert r.exit_code == 2 and "a range cannot be given inside variants" in r.stderr


def test_a_sweep_breaks_ties_as_compare_does():
    twins = ["--set", "variants={zz: {description: same}, aa: {description: same}}"]
    sw = runner.invoke(app, ["sweep", "worked-example", *twins, "--vary", "volume.tasks_per_month=1000:2000:2",
                             "-f", "json", *DAY])
    cmp = runner.invoke(app, ["compare", "worked-example", *twins, "-f", "json", *DAY])
    assert json.loads(sw.stdout)["winner"][0] == json.loads(cmp.stdout)["scenarios"][0]["best"]
    assert json.loads(cmp.stdout)["scenarios"][0]["best"].endswith("@aa")
