"""Agent workflows: tool fees, storage, conversations, pinned steps, cascades, Flex/Batch
realities, latency and design variants; hand-worked, with the arithmetic beside each."""

from __future__ import annotations

import pytest

from aicost.report.explain import reason, says  # noqa: F401
from aicost.analyses.compare import compare_designs, compare_loaded
from aicost.base.errors import InputError
from conftest import AS_OF, loaded, option, scenario

ONE = {"p_success": 1.0}


def step(**kw):
    return {"step": {"input_tokens": 1000, "output_tokens": 100, **kw}}


@pytest.mark.parametrize("model,oid,kw,expected", [
    # gpt-5, web search $10/1k with content billed as input: 2 searches x 500 content tokens
    # (1,000 + 1,000) x $1.25 + 100 x $10 = 3,500 per 1M = 0.0035; fees 2 x $0.01 = 0.02
    ("gpt-5", "openai/gpt-5:standard", {"web_searches": 2, "search_content_tokens": 500}, 0.0035 + 0.02),
    # gpt-4o, web search $25/1k with free content: 1,000 x 2.5 + 100 x 10 = 3,500 per 1M; fees 2 x $0.025
    ("gpt-4o", "openai/gpt-4o:standard", {"web_searches": 2, "search_content_tokens": 500}, 0.0035 + 0.05),
    # gpt-4o-mini, $10/1k billed as a fixed 8,000-token block per search:
    # (1,000 + 16,000) x 0.15 + 100 x 0.6 = 2,610 per 1M; fees 2 x $0.01
    ("gpt-4o-mini", "openai/gpt-4o-mini:standard", {"web_searches": 2, "search_content_tokens": 500}, 0.00261 + 0.02),
    # file search $2.50/1k: 1,000 x 1.25 + 100 x 10 = 2,250 per 1M; one call $0.0025
    ("gpt-5", "openai/gpt-5:standard", {"file_searches": 1}, 0.00225 + 0.0025),
    # code session $0.03 each: 0.00225 + 0.03
    ("gpt-5", "openai/gpt-5:standard", {"code_sessions": 1}, 0.00225 + 0.03),
    # retrieved context is added to the input: (1,000 + 3,000) x 1.25 + 100 x 10 = 6,000 per 1M
    ("gpt-5", "openai/gpt-5:standard", {"retrieved_tokens": 3000}, 0.006),
])
def test_tool_fees_by_hand(book, model, oid, kw, expected):
    o = option(scenario(models={model: ONE}, **step(**kw)), book, oid)
    assert o.status == "ok", reason(o)
    assert o.metrics["cost_per_attempt"] == pytest.approx(expected, rel=1e-12)


def test_a_tool_with_no_price_is_unpriced(book):
    o = option(scenario(models={"claude-haiku-4-5": ONE}, **step(code_sessions=1)), book,
               "anthropic/claude-haiku-4-5:standard")
    assert o.status == "unpriced" and "no code-session price" in reason(o)
    assert o.metrics["cost_per_success"] is None


def test_vector_storage_with_free_allowance(book):
    # 11 GB stored, 1 GB free: 10 GB x $0.10/GB-day x 730/24 days = $30.4167 a month, a fixed cost
    data = scenario(models={"gpt-5": ONE}, retrieval={"vector_store_gb": 11}, **step(file_searches=1))
    o = option(data, book, "openai/gpt-5:standard")
    assert o.meters["cost"]["storage"] == pytest.approx(10 * 0.10 * 730 / 24)
    base = option(scenario(models={"gpt-5": ONE}, **step(file_searches=1)), book, "openai/gpt-5:standard")
    assert o.metrics["monthly_cost"] - base.metrics["monthly_cost"] == pytest.approx(10 * 0.10 * 730 / 24)
    claude = option(scenario(models={"claude-haiku-4-5": ONE}, retrieval={"vector_store_gb": 11}), book,
                    "anthropic/claude-haiku-4-5:standard")
    assert claude.status == "unpriced" and "vector-storage" in reason(claude)


def test_conversation_history_grows_and_is_cached(book):
    # 3 turns; first prompt 2,000 (1,500 cacheable), 100 new tokens and a 200-token answer each turn; h = 1
    # turn 1: 500 fresh x 1.25 + 1,500 cached x 0.125 + 200 x 10 = 2,812.5
    # turn 2: prompt 2,300; prefix 2,000 cached: 300 x 1.25 + 2,000 x 0.125 + 2,000 = 2,625
    # turn 3: prompt 2,600; prefix 2,300 cached: 300 x 1.25 + 2,300 x 0.125 + 2,000 = 2,662.5
    kw = {"step": {"input_tokens": 2000, "cached_prefix_tokens": 1500, "output_tokens": 200, "turns": 3,
                   "turn_input_tokens": 100}}
    data = scenario(models={"gpt-5": ONE}, caching={"hit_rate": 1.0}, **kw)
    assert option(data, book, "openai/gpt-5:standard:cached").metrics["cost_per_attempt"] == pytest.approx(0.0081)
    # without caching every turn pays full input: (2,000 + 2,300 + 2,600) x 1.25 + 3 x 2,000 = 14,625
    assert option(data, book, "openai/gpt-5:standard").metrics["cost_per_attempt"] == pytest.approx(0.014625)


def test_steps_on_other_models_and_tiers(book):
    # planner pinned to o3 (1,000 in, 100 out + 500 reasoning), drafter on the option's model (1,000 in, 200 out)
    steps = {"attempt": {"steps": [
        {"name": "plan", "model": "o3", "input_tokens": 1000, "output_tokens": 100, "reasoning_tokens": 500},
        {"name": "draft", "input_tokens": 1000, "output_tokens": 200}]}}
    data = {**scenario(models={"gpt-5-mini": ONE}), **steps}
    # Standard: o3 1,000 x 2 + 600 x 8 = 6,800; gpt-5-mini 1,000 x 0.25 + 200 x 2 = 650
    assert option(data, book, "openai/gpt-5-mini:standard").metrics["cost_per_attempt"] == pytest.approx(0.00745)
    # Flex: o3 offers Flex too, so the planner follows: 1,000 x 1 + 600 x 4 = 3,400; mini 1,000 x 0.125 + 200 = 325
    assert option(data, book, "openai/gpt-5-mini:flex").metrics["cost_per_attempt"] == pytest.approx(0.003725)
    # Priority: o3 offers Priority ($3.5/$14): 3,500 + 600 x 14 = 11,900; mini 1,000 x 0.45 + 200 x 3.6 = 1,170
    assert option(data, book, "openai/gpt-5-mini:priority").metrics["cost_per_attempt"] == pytest.approx(0.01307)


def test_two_stage_cascade_by_hand(book):
    # stage 1 gpt-5-nano (p 0.6), stage 2 gpt-5 (p 0.9), detection 1, one attempt each; 1,000 in / 100 out
    # costs: nano 1,000 x 0.05 + 100 x 0.4 = 90 per 1M; gpt-5 1,250 + 1,000 = 2,250 per 1M
    # expected cost = 0.00009 + 0.4 x 0.00225 = 0.00099; S = 0.6 + 0.4 x 0.9 = 0.96; G = 0.4 x 0.1 = 0.04
    data = scenario(models={"gpt-5-nano": {"p_success": 0.6}, "gpt-5": {"p_success": 0.9}}, **step(),
                    quality={"attempts_allowed": 1, "detection_rate": 1.0},
                    cascades={"small-to-large": {"stages": [{"model": "gpt-5-nano"}, {"model": "gpt-5"}],
                                                 "caching": [False]}})
    c = option(data, book, "cascade/small-to-large")
    assert c.status == "ok" and c.kind == "cascade"
    assert c.metrics["expected_attempts"] == pytest.approx(1.4)
    assert c.metrics["p_success"] == pytest.approx(0.96) and c.metrics["p_given_up"] == pytest.approx(0.04)
    assert c.metrics["ai_cost_per_task"] == pytest.approx(0.00099)
    assert c.metrics["cost_per_success"] == pytest.approx(0.00099 / 0.96)
    assert c.cascade["stages"] == ["openai/gpt-5-nano:standard", "openai/gpt-5:standard"]


@pytest.mark.parametrize("tier,cached", [("standard", False), ("batch", True), ("priority", False)])
def test_a_cascade_of_one_model_equals_its_single_option_exactly(book, tier, cached):
    data = scenario(models={"gpt-5-mini": {"p_success": 0.8}}, quality={"attempts_allowed": 3, "detection_rate": 0.7},
                    caching={"hit_rate": 0.5}, people={"review_share": 0.2, "cost_per_review": 1, "human_cost_per_task": 3},
                    step={"cached_prefix_tokens": 4000, "input_tokens": 6000},
                    cascades={"one": {"stages": [{"model": "gpt-5-mini", "tier": tier}], "caching": [cached]}})
    res = {o.id: o for o in compare_loaded(loaded(data, book), book, as_of=AS_OF).options}
    single = res["openai/gpt-5-mini:" + tier + (":cached" if cached else "")]
    casc = res["cascade/one" + (":cached" if cached else "")]
    for key, v in single.metrics.items():
        assert casc.metrics[key] == v, key  # exactly, not approximately


def test_flex_refusals_fall_back_to_standard(book):
    # 10% of Flex calls refused and sent to Standard: 0.9 x 1,125 + 0.1 x 2,250 = 1,237.5 per 1M
    data = scenario(models={"gpt-5": ONE}, **step(),
                    tier_behaviour={"flex_refusal_share": 0.1, "on_flex_refusal": "standard"})
    o = option(data, book, "openai/gpt-5:flex")
    assert o.metrics["cost_per_attempt"] == pytest.approx(0.0012375)
    assert any("10% of Flex calls are refused" in n for n in says(o.notes))
    # waiting instead: refused calls are not billed, the price stays the Flex price
    data["tier_behaviour"]["on_flex_refusal"] = "wait"
    assert option(data, book, "openai/gpt-5:flex").metrics["cost_per_attempt"] == pytest.approx(0.001125)


def test_batch_expiry(book):
    data = scenario(models={"gpt-5": ONE}, **step(), tier_behaviour={"batch_expiry_share": 0.2,
                                                                      "on_batch_expiry": "standard"})
    # 0.8 x 1,125 + 0.2 x 2,250 = 1,350 per 1M
    assert option(data, book, "openai/gpt-5:batch").metrics["cost_per_attempt"] == pytest.approx(0.00135)
    # resubmitting costs nothing more but can take a second 24-hour window: a 24 h deadline no longer fits
    data["tier_behaviour"]["on_batch_expiry"] = "resubmit"
    data["latency"] = {"deadline_hours": 24}
    o = option(data, book, "openai/gpt-5:batch")
    assert o.status == "ineligible" and "48 h" in reason(o)


def test_latency_estimate_and_need(book):
    # gpt-5-nano Standard: 110 tok/s, 0.69 s to first token: 0.69 + 100/110 = 1.599 s, plus 1 s of tools
    data = scenario(models={"gpt-5-nano": ONE}, latency={"p95_seconds": 5}, **step(tool_seconds=1.0))
    o = option(data, book, "openai/gpt-5-nano:standard")
    assert o.metrics["latency_seconds"] == pytest.approx(0.69 + 100 / 110 + 1.0)
    # a 1,000-token answer takes 0.69 + 9.09 = 9.8 s: over a 5 s need
    data = scenario(models={"gpt-5-nano": ONE}, latency={"p95_seconds": 5}, step={"output_tokens": 1000})
    o = option(data, book, "openai/gpt-5-nano:standard")
    assert o.status == "ineligible" and "estimated latency 9.8 s per attempt exceeds the need" in reason(o)


def test_variant_with_a_one_time_cost(book):
    from aicost.inputs.yamlio import load_text
    from aicost.inputs.scenario import LoadedScenario, resolve_models
    from aicost.model.scenario import Scenario

    text = """\
version: 1
name: variants
volume: {tasks_per_month: 10000}
latency: {p95_seconds: 10}
attempt:
  steps:
    - {name: answer, input_tokens: 3000, cached_prefix_tokens: 2000, output_tokens: 300}
caching: {hit_rate: 0.8}
quality: {attempts_allowed: 3, detection_rate: 1}
models:
  gpt-5-mini: {p_success: 0.8, tiers: [standard]}
people: {review_share: 0.1, cost_per_review: 0.5, human_cost_per_task: 2}
value: {value_per_success: 0.1, build_cost: 2000, fixed_monthly: 100, horizon_months: 12}
options: {caching: [true]}
variants:
  fine-tuned:
    description: a fine-tune with shorter prompts
    set: ["attempt.steps.answer.input_tokens=1500", "attempt.steps.answer.cached_prefix_tokens=1100"]
    one_time: 1200
    fixed_monthly: 50
"""
    doc = load_text(text, "v.yaml")
    spec = Scenario.model_validate(doc.data)
    ls = LoadedScenario(spec, doc, resolve_models(spec, doc, book))
    res = {o.id: o for o in compare_designs(ls, book, as_of=AS_OF).options}
    base = res["openai/gpt-5-mini:standard:cached@base"]
    ft = res["openai/gpt-5-mini:standard:cached@fine-tuned"]
    assert base.metrics["monthly_cost"] == pytest.approx(768.276)  # the README's worked example
    # fine-tuned prompt: 400 fresh x 0.25 + 880 cached x 0.025 + 220 written x 0.25 + 300 x 2 = 777 per 1M
    assert ft.metrics["cost_per_attempt"] == pytest.approx(0.000777)
    # monthly: 10,000 x (1.24 x 0.000777 + 0.0496 + 0.016) + 100 + 50 + 1,200 / 12
    assert ft.metrics["monthly_cost"] == pytest.approx(10000 * (1.24 * 0.000777 + 0.0496 + 0.016) + 100 + 50 + 100)
    assert ft.variant == "fine-tuned"


@pytest.mark.parametrize("change,expected", [
    ({"attempt": {"steps": [{"name": "s", "model": "o33", "input_tokens": 10, "output_tokens": 1}]}},
     "attempt.steps[0].model: unknown model 'o33' (did you mean 'o3'?)"),
    ({"cascades": {"c": {"stages": [{"model": "gpt-4.1", "tier": "flex", "p_success": 0.5}]}}},
     "cascades.c.stages[0].tier: openai/gpt-4.1 offers no flex tier (it offers standard, batch, priority)"),
    ({"cascades": {"c": {"stages": [{"model": "gpt-4.1"}]}}},
     "cascades.c.stages[0]: give p_success (the model 'gpt-4.1' is not listed under models:)"),
    ({"attempt": {"steps": [{"name": "s", "input_tokens": 10, "output_tokens": 1, "web_searches": 1}]}},
     "attempt.steps[0]: web_searches needs search_content_tokens"),
])
def test_bad_workflow_input(book, change, expected):
    from aicost.inputs.validate import validate
    from aicost.model.scenario import Scenario
    from aicost.inputs.scenario import resolve_models
    from aicost.inputs.yamlio import Document

    data = {**scenario(), **change}
    doc = Document("<t>", data)
    with pytest.raises(InputError) as exc:
        resolve_models(validate(doc, Scenario), doc, book)
    assert expected in str(exc.value), str(exc.value)


def test_a_variant_overriding_a_missing_field_is_reported_at_its_line(tmp_path, book):
    from aicost.inputs.scenario import load, variants

    f = tmp_path / "s.yaml"
    f.write_text("""\
version: 1
name: v
volume: {tasks_per_month: 10}
latency: {p95_seconds: 10}
attempt:
  steps:
    - {name: a, input_tokens: 100, output_tokens: 10}
models:
  gpt-5-mini: {p_success: 0.8}
value: {value_per_success: 1}
variants:
  rag:
    set: ["volume.tasks_per_mnth=5", "attempt.steps.b.input_tokens=5"]
""")
    ls = load(f, book)
    with pytest.raises(InputError) as exc:
        variants(ls, book)
    got = [str(p).replace(str(f), "s.yaml") for p in exc.value.problems]
    assert "s.yaml:13: variants.rag.set[0]: volume.tasks_per_mnth: unknown key 'tasks_per_mnth' (did you mean " \
           "'tasks_per_month'?) (from 'volume.tasks_per_mnth=5')" in got, got
    assert any(g.startswith("s.yaml:13: variants.rag.set[1]: no item named 'b' in attempt.steps") for g in got), got
