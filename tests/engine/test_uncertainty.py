"""Ranges in, percentiles and win probabilities out; sensitivity; bad ranges."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from typer.testing import CliRunner

from aicost.report.explain import reason, says  # noqa: F401
from aicost.cli import app
from aicost.analyses.compare import compare_loaded
from aicost.base.errors import InputError
from aicost.inputs.ranges import Range
from conftest import AS_OF, loaded, scenario

runner = CliRunner()


def ranged(**kw):
    data = scenario(models={"gpt-5-mini": {"p_success": {"low": 0.7, "likely": 0.8, "high": 0.9}},
                            "gpt-5-nano": {"p_success": 0.6}},
                    volume={"tasks_per_month": {"low": 500, "likely": 1000, "high": 4000}},
                    quality={"attempts_allowed": 2, "detection_rate": 0.8},
                    step={"output_tokens": {"p10": 800, "p90": 1200}})
    data.update(kw)
    return data


def test_collapsed_ranges_give_the_point_estimate_exactly(book):
    """Every range with low = likely = high: every percentile equals the point estimate, bit for bit."""
    data = scenario(models={"gpt-5-mini": {"p_success": {"low": 0.8, "likely": 0.8, "high": 0.8}}},
                    volume={"tasks_per_month": {"low": 1000, "likely": 1000, "high": 1000}},
                    step={"output_tokens": {"low": 900, "likely": 900, "high": 900, "dist": "triangular"}},
                    quality={"attempts_allowed": 3, "detection_rate": 0.9})
    res = compare_loaded(loaded(data, book), book, AS_OF, samples=500, seed=1)
    for o in res.options:
        if not o.eligible:
            continue
        for metric in ("cost_per_success", "monthly_cost", "roi"):
            band = o.uncertainty[metric]
            assert band["p10"] == band["p50"] == band["p90"] == o.metrics[metric], (o.id, metric)


def test_same_seed_same_bytes_other_seed_other_draws(book):
    a = runner.invoke(app, ["compare", "nightly-extraction", "--samples", "2000", "--seed", "7", "-f", "json"]).stdout
    b = runner.invoke(app, ["compare", "nightly-extraction", "--samples", "2000", "--seed", "7", "-f", "json"]).stdout
    c = runner.invoke(app, ["compare", "nightly-extraction", "--samples", "2000", "--seed", "8", "-f", "json"]).stdout
    assert a == b and a != c
    s = json.loads(a)["scenarios"][0]
    assert s["uncertainty"]["samples"] == 2000 and s["uncertainty"]["seed"] == 7
    opts = s["options"]
    assert sum(o["uncertainty"]["p_cheapest"] for o in opts) == pytest.approx(1.0)
    top = opts[0]["uncertainty"]["cost_per_success"]
    assert top["p10"] <= top["p50"] <= top["p90"]


def test_without_samples_the_output_says_ranges_were_collapsed(book):
    res = compare_loaded(loaded(ranged(), book), book, AS_OF)
    assert any("3 ranged input(s) collapsed to their likely values" in n for n in says(res.notes))
    assert res.uncertainty["samples"] is None and len(res.uncertainty["ranges"]) == 3


def _quantiles_triangular(a, m, b, u):
    c = (m - a) / (b - a)
    return np.where(u < c, a + np.sqrt(u * (b - a) * (m - a)), b - np.sqrt((1 - u) * (b - a) * (b - m)))


def test_sampled_quantiles_match_the_formulas():
    rng = np.random.default_rng(123)
    n = 200_000
    u = np.array([0.1, 0.25, 0.5, 0.75, 0.9])
    tri = Range(("x",), "triangular", 2.0, 3.0, 10.0, -np.inf, np.inf).sample(rng, n)
    assert np.quantile(tri, u) == pytest.approx(_quantiles_triangular(2.0, 3.0, 10.0, u), abs=0.05)
    # PERT on [a, b] with mode m: mean (a + 4m + b) / 6, variance (mean - a)(b - mean) / 7
    a, m, b = 2.0, 3.0, 10.0
    pert = Range(("x",), "pert", a, m, b, -np.inf, np.inf).sample(rng, n)
    mean = (a + 4 * m + b) / 6
    assert pert.mean() == pytest.approx(mean, abs=0.02)
    assert pert.var() == pytest.approx((mean - a) * (b - mean) / 7, rel=0.02)
    assert pert.min() >= a and pert.max() <= b
    # {p10, p90}: a normal whose 10th and 90th percentiles are those
    norm = Range(("x",), "normal", 800.0, 1000.0, 1200.0, 0, np.inf).sample(rng, n)
    assert np.quantile(norm, [0.1, 0.9]) == pytest.approx([800, 1200], abs=5)


def test_probabilities_stay_in_bounds_after_sampling(book):
    data = ranged()
    data["models"]["gpt-5-mini"]["p_success"] = {"p10": 0.9, "p90": 0.999}  # a normal spilling past 1
    ls = loaded(data, book)
    r = next(r for r in ls.ranges if r.path[-1] == "p_success")
    x = r.sample(np.random.default_rng(0), 100_000)
    assert x.max() <= 1.0 and x.min() >= 0.0 and (x == 1.0).any()
    res = compare_loaded(ls, book, AS_OF, samples=5000)
    for o in res.options:
        if o.uncertainty and o.uncertainty["cost_per_success"]:
            assert o.uncertainty["cost_per_success"]["p10"] > 0


@pytest.mark.parametrize("value,message", [
    ({"low": 0.9, "likely": 0.8, "high": 0.7}, "low (0.9) is above high (0.7)"),
    ({"low": 0.5, "likely": 0.95, "high": 0.9}, "likely (0.95) is outside low..high (0.5..0.9)"),
    ({"low": 0.5, "likely": 0.9, "high": 1.2}, "the range's high (1.2) is outside the field's bounds (0..1)"),
    ({"p10": 0.9, "p90": 0.5}, "p10 (0.9) is above p90 (0.5)"),
    ({"low": 0.5, "high": 0.9}, "a {low, likely, high} range needs all three"),
    ({"low": 0.5, "likely": 0.6, "high": 0.9, "dist": "gamma"}, "unknown distribution 'gamma'"),
])
def test_bad_ranges_are_reported_at_their_line(tmp_path, book, value, message):
    from aicost.inputs.scenario import load

    text = f"""\
version: 1
name: r
volume: {{tasks_per_month: 100}}
latency: {{p95_seconds: 10}}
attempt:
  steps:
    - {{name: a, input_tokens: 100, output_tokens: 10}}
models:
  gpt-5-mini:
    p_success: {json.dumps(value)}
value: {{value_per_success: 1}}
"""
    f = tmp_path / "s.yaml"
    f.write_text(text)
    with pytest.raises(InputError) as exc:
        load(f, book)
    got = [str(p).replace(str(f), "s.yaml") for p in exc.value.problems]
    assert any(g.startswith("s.yaml:10: models.gpt-5-mini.p_success: ") and message in g for g in got), got
    r = runner.invoke(app, ["compare", str(f)])
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_a_range_on_a_whole_number_field_is_an_error(book):
    data = scenario(quality={"attempts_allowed": {"low": 1, "likely": 2, "high": 3}})
    from aicost.model.scenario import Scenario
    from aicost.inputs.ranges import extract
    from aicost.inputs.yamlio import Document

    _, ranges, problems = extract(data, Document("<t>", data), Scenario)
    assert not ranges and "takes a whole number, not a range" in problems[0].message


def test_tornado_by_hand(book):
    """The swing of each input: the metric at its low and its high, others at their likely values."""
    from aicost.analyses.compare import plan_for
    from aicost.engine.evaluate import evaluate
    from aicost.engine.tornado import tornado

    ls = loaded(ranged(), book)
    plan = plan_for(ls, book, AS_OF)
    i = [o.id for o in plan.options].index("openai/gpt-5-mini:standard")
    rows = tornado(plan, ls.values(), ls.ranges, i)
    by = {r["field"]: r for r in rows}
    v = ls.values()
    v["models"]["gpt-5-mini"]["p_success"] = 0.7
    low = evaluate(plan, v)["cost_per_success"][i, 0]
    assert by["models.gpt-5-mini.p_success"]["metric_at_low"] == low
    # volume does not move cost per success; output tokens and p_success do; sorted by swing
    assert by["volume.tasks_per_month"]["swing"] == 0
    assert rows[-1]["field"] == "volume.tasks_per_month"
    assert rows[0]["swing"] >= rows[1]["swing"] >= rows[2]["swing"]


def test_sensitivity_cli_and_chart(tmp_path):
    out = tmp_path / "t.png"
    r = runner.invoke(app, ["sensitivity", "nightly-extraction", "--option", "openai/gpt-5-nano:batch:cached",
                            "-f", "json", "--chart", str(out)])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)["rows"]
    assert rows[0]["field"] == "models.gpt-5-nano.p_success"
    # by default the option studied is the best by the scenario's ranking (total cost per success)
    default = json.loads(runner.invoke(app, ["sensitivity", "nightly-extraction", "-f", "json"]).stdout)
    assert default["option"] == "openai/gpt-5-mini:batch:cached"
    from PIL import Image

    with Image.open(out) as im:
        assert im.format == "PNG" and im.size == (800, 450)
    r = runner.invoke(app, ["sensitivity", "support-assistant"])
    assert r.exit_code == 2 and "no ranged inputs" in r.stderr
