"""Traffic as it really is (issue 22): per-model footprints, reasoning effort as an option
dimension, failures by kind and the quality floor; by hand from the shipped tables.

gpt-5: $1.25 in, $10 out per 1M (Standard). gpt-4.1-mini: $0.40 in, $1.60 out."""

from __future__ import annotations

import copy

import pytest

from aicost.analyses.compare import compare_loaded
from aicost.base.errors import InputError
from conftest import AS_OF, BASE, loaded


def _data(models: dict, **changes) -> dict:
    data = copy.deepcopy(BASE)
    data["models"] = models
    data["attempt"]["steps"] = [{"name": "s", "input_tokens": 1000, "output_tokens": 200}]
    data["options"] = {"caching": [False], "tiers": ["standard"]}
    data.update(changes)
    return data


def _opts(data: dict, book) -> dict:
    return {o.id: o for o in compare_loaded(loaded(data, book), book, as_of=AS_OF).options}


# ---- per-model footprints ------------------------------------------------------------------------


def test_a_models_tokenizer_and_verbosity_scale_its_tokens(book):
    o = _opts(_data({"gpt-4.1-mini": {"p_success": 1, "input_factor": 1.2, "output_factor": 1.5}}), book)
    o = o["openai/gpt-4.1-mini:standard"]
    # 1,000 x 1.2 = 1,200 input tokens at $0.40; 200 x 1.5 = 300 output at $1.60
    assert o.metrics["cost_per_attempt"] == pytest.approx((1200 * 0.40 + 300 * 1.60) / 1e6)
    assert o.meters["tokens"]["input"] == pytest.approx(1000 * 1200)
    assert o.meters["tokens"]["output"] == pytest.approx(1000 * 300)


def test_footprints_are_per_model_not_per_step(book):
    opts = _opts(_data({"gpt-4.1-mini": {"p_success": 1, "output_factor": 2},
                        "gpt-5": {"p_success": 1}}), book)
    assert opts["openai/gpt-5:standard"].metrics["cost_per_attempt"] == pytest.approx((1000 * 1.25 + 200 * 10) / 1e6)
    assert opts["openai/gpt-4.1-mini:standard"].metrics["cost_per_attempt"] == \
        pytest.approx((1000 * 0.40 + 400 * 1.60) / 1e6)


def test_a_later_turn_resends_the_models_longer_answers(book):
    data = _data({"gpt-4.1-mini": {"p_success": 1, "output_factor": 2}})
    data["attempt"]["steps"][0].update(turns=2, turn_input_tokens=100)
    o = _opts(data, book)["openai/gpt-4.1-mini:standard"]
    # turn 1: 1,000 in, 400 out; turn 2: 1,000 + 100 + 400 = 1,500 in, 400 out
    assert o.metrics["cost_per_attempt"] == pytest.approx(((1000 + 1500) * 0.40 + 800 * 1.60) / 1e6)


# ---- reasoning effort -----------------------------------------------------------------------------

EFFORT = {"gpt-5": {"p_success": 0.8, "effort": {"low": {"reasoning_tokens": 500, "p_success": 0.7},
                                                  "high": {"reasoning_tokens": 4000, "p_success": 0.95}}}}


def test_each_effort_level_is_an_option_with_its_reasoning_tokens_and_success(book):
    data = _data(copy.deepcopy(EFFORT), quality={"attempts_allowed": 3, "detection_rate": 1.0})
    opts = _opts(data, book)
    assert set(opts) == {"openai/gpt-5+low:standard", "openai/gpt-5+high:standard"}
    low, high = opts["openai/gpt-5+low:standard"], opts["openai/gpt-5+high:standard"]
    assert low.effort == "low" and low.to_dict()["effort"] == "low"
    # low: 1,000 x $1.25 + (200 + 500) x $10 = $0.00825 an attempt; p = 0.7, k = 3, d = 1
    assert low.metrics["cost_per_attempt"] == pytest.approx((1000 * 1.25 + 700 * 10) / 1e6)
    assert low.metrics["expected_attempts"] == pytest.approx(1 + 0.3 + 0.09)
    assert low.metrics["p_success"] == pytest.approx(1 - 0.3 ** 3)
    # high: 1,000 x $1.25 + 4,200 x $10 = $0.04325; p = 0.95
    assert high.metrics["cost_per_attempt"] == pytest.approx((1000 * 1.25 + 4200 * 10) / 1e6)
    assert high.metrics["p_success"] == pytest.approx(1 - 0.05 ** 3)
    assert high.meters["tokens"]["reasoning"] == pytest.approx(1000 * 4000 * high.metrics["expected_attempts"])


def test_options_effort_narrows_the_levels_compared(book):
    data = _data(copy.deepcopy(EFFORT))
    data["options"]["effort"] = ["high"]
    assert set(_opts(data, book)) == {"openai/gpt-5+high:standard"}


def test_a_cascade_stage_runs_at_an_effort_level(book):
    data = _data(copy.deepcopy(EFFORT), quality={"detection_rate": 1.0})
    data["cascades"] = {"up": {"stages": [{"model": "gpt-4.1-mini", "p_success": 0.5},
                                          {"model": "gpt-5", "effort": "high"}], "caching": [False]}}
    o = _opts(data, book)["cascade/up"]
    first = (1000 * 0.40 + 200 * 1.60) / 1e6
    second = (1000 * 1.25 + 4200 * 10) / 1e6
    assert o.metrics["ai_cost_per_task"] == pytest.approx(first + 0.5 * second)
    assert o.metrics["p_success"] == pytest.approx(0.5 + 0.5 * 0.95)


def test_an_unknown_stage_effort_is_a_file_line_error(book, tmp_path):
    import yaml

    from aicost.inputs import scenario as sc

    data = _data(copy.deepcopy(EFFORT))
    data["cascades"] = {"up": {"stages": [{"model": "gpt-5", "effort": "medium"}]}}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError) as err:
        sc.load(path, book)
    text = str(err.value.problems[0])
    assert "s.yaml:" in text and "lists no effort level 'medium'" in text and "(it lists low, high)" in text


# ---- failures by kind ------------------------------------------------------------------------------


def test_format_failures_are_always_caught_content_failures_at_the_detection_rate(book):
    # p = 0.9; 4% of attempts fail on format (the parser catches them), 6% on content, caught at 50%
    data = _data({"gpt-4.1-mini": {"p_success": 0.9, "format_failure_rate": 0.04}},
                 quality={"attempts_allowed": 2, "detection_rate": 0.5})
    o = _opts(data, book)["openai/gpt-4.1-mini:standard"]
    q = 0.04 + 0.06 * 0.5  # caught failures per attempt = 0.07
    a = 1 + q
    assert o.metrics["expected_attempts"] == pytest.approx(a)
    assert o.metrics["p_success"] == pytest.approx(0.9 * a)
    assert o.metrics["p_silent_failure"] == pytest.approx(0.06 * 0.5 * a)
    assert o.metrics["p_given_up"] == pytest.approx(q ** 2)


def test_structured_outputs_against_json_mode_is_a_real_comparison(book):
    """The same model: JSON mode fails on format 5% of the time; structured outputs never, for a
    longer prompt (the schema). With no content check (d = 0), only format failures are retried."""
    data = _data({"gpt-4.1-mini": {"p_success": 0.9, "format_failure_rate": 0.05}},
                 quality={"attempts_allowed": 3, "detection_rate": 0.0})
    data["variants"] = {"json-mode": {}, "structured": {"set": ["models.gpt-4.1-mini.p_success=0.95",
                                                                "models.gpt-4.1-mini.format_failure_rate=0",
                                                                "attempt.steps.0.input_tokens=1300"]}}
    from aicost.analyses.compare import compare_designs

    res = compare_designs(loaded(data, book), book, as_of=AS_OF)
    by = {o.id: o for o in res.options}
    json_mode, structured = by["openai/gpt-4.1-mini:standard@json-mode"], by["openai/gpt-4.1-mini:standard@structured"]
    # JSON mode: q = 0.05, A = 1 + 0.05 + 0.0025; silent content failures 0.05 x A
    a = 1 + 0.05 + 0.05 ** 2
    assert json_mode.metrics["p_silent_failure"] == pytest.approx(0.05 * a)
    assert json_mode.metrics["p_success"] == pytest.approx(0.9 * a)
    assert structured.metrics["expected_attempts"] == pytest.approx(1.0)
    assert structured.metrics["p_success"] == pytest.approx(0.95)


def test_format_failures_above_the_failures_are_refused(book):
    with pytest.raises(Exception) as err:
        loaded(_data({"gpt-4.1-mini": {"p_success": 0.9, "format_failure_rate": 0.2}}), book)
    assert "exceeds the failures" in str(err.value)


# ---- quality floor ----------------------------------------------------------------------------------


def test_options_under_the_quality_floor_are_ineligible_with_the_reason(book):
    data = _data({"gpt-4.1-mini": {"p_success": 0.7}, "gpt-5": {"p_success": 0.97}},
                 quality={"min_success": 0.9, "max_silent_failure": 0.05})
    opts = _opts(data, book)
    mini, big = opts["openai/gpt-4.1-mini:standard"], opts["openai/gpt-5:standard"]
    assert mini.status == "ineligible" and big.status == "ok"
    from aicost.report.explain import says

    text = " ".join(says(mini.reasons))
    assert "70.0% of tasks succeed, under min_success 90.0%" in text
    assert "30.0% of tasks fail unnoticed, over max_silent_failure 5.0%" in text
    assert big.rank == 1


def test_the_floor_counts_retries(book):
    # p = 0.7 with three caught attempts: 1 - 0.3^3 = 97.3% of tasks succeed, over a 90% floor
    data = _data({"gpt-4.1-mini": {"p_success": 0.7}}, quality={"min_success": 0.9, "attempts_allowed": 3,
                                                                 "detection_rate": 1.0})
    assert _opts(data, book)["openai/gpt-4.1-mini:standard"].status == "ok"


def test_ranges_on_an_effort_level_and_an_availability_are_sampled(book):
    data = _data(copy.deepcopy(EFFORT), quality={"detection_rate": 1.0, "attempts_allowed": 2})
    data["models"]["gpt-5"]["effort"]["high"]["p_success"] = {"low": 0.9, "likely": 0.95, "high": 0.99}
    data["models"]["gpt-4.1-mini"] = {"p_success": 0.9}
    data["resilience"] = {"availability": {"openai": {"low": 0.99, "likely": 0.995, "high": 1.0}},
                          "failover": {"model": "gpt-4.1-mini", "p_success": 0.9}}
    res = compare_loaded(loaded(data, book), book, as_of=AS_OF, samples=2000, seed=1)
    high = {o.id: o for o in res.options}["openai/gpt-5+high:standard"]
    band = high.uncertainty["cost_per_success"]
    assert band["p10"] < band["p50"] < band["p90"]
    # the point estimate sits inside the band the samples give
    assert band["p10"] <= high.metrics["cost_per_success"] <= band["p90"]


def test_format_failure_rates_are_held_to_the_failures_wherever_they_meet(book, tmp_path):
    import yaml

    from aicost.inputs import scenario as sc

    data = _data({"gpt-5.4-mini": {"p_success": 0.9, "format_failure_rate": 0.05}, "gpt-5.4": {"p_success": 0.95}},
                 quality={"format_failure_rate": 0.3})
    data["segments"] = {"a": {"models": {"gpt-5.4-mini": {"p_success": 0.99}}}, "b": {"share": 0.5}}
    data["cascades"] = {"c": {"stages": [{"model": "gpt-5.4-nano", "p_success": 0.9}]}}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError) as err:
        sc.load(path, book)
    text = [str(p) for p in err.value.problems]
    assert len(text) == 3
    assert any("quality.format_failure_rate" in t and "quality's default, on gpt-5.4)" in t for t in text)
    assert any("segments.a.models.gpt-5.4-mini" in t and "1 - p_success = 0.01" in t for t in text)
    assert any("cascades.c.stages[0]" in t for t in text)


def test_varying_a_field_of_a_section_the_scenario_leaves_out_is_a_clear_error(book):
    from aicost.analyses.whatif import sweep_report

    with pytest.raises(InputError) as err:
        sweep_report("worked-example", book, ["router.accuracy=0.5:1:3"])
    assert "router: the scenario leaves this section out" in str(err.value.problems[0])
