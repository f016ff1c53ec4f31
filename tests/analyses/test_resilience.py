"""Failure economics (issue 22): a provider's availability with failover, 429s from the busy hours
over a usage tier's published limits, retries that wait, lost requests; by hand.

gpt-4.1: $2 in, $8 out per 1M; usage tier 1: 500 RPM, 30,000 TPM (pricing/openai.yaml).
claude-haiku-4-5: $1 in, $5 out. One call of 1,000 in + 200 out: $0.0036 and $0.0020."""

from __future__ import annotations

import copy

import pytest

from aicost.analyses.compare import compare_loaded
from aicost.report.explain import says
from conftest import AS_OF, BASE, loaded

GPT, HAIKU = 0.0036, 0.0020


def _data(resilience: dict, tasks: float = 100_000, ptoa: float = 1.0, **changes) -> dict:
    data = copy.deepcopy(BASE)
    data["models"] = {"gpt-4.1": {"p_success": 0.9}, "claude-haiku-4-5": {"p_success": 0.8}}
    data["attempt"]["steps"] = [{"name": "s", "input_tokens": 1000, "output_tokens": 200}]
    data["volume"] = {"tasks_per_month": tasks, "peak_to_average": ptoa}
    data["options"] = {"caching": [False], "tiers": ["standard"]}
    data["people"] = {"human_cost_per_task": 1.0}
    data["resilience"] = resilience
    data.update(changes)
    return data


def _opt(data: dict, book, oid: str = "openai/gpt-4.1:standard"):
    return {o.id: o for o in compare_loaded(loaded(data, book), book, as_of=AS_OF).options}[oid]


def test_a_failover_share_on_a_995_available_provider(book):
    o = _opt(_data({"availability": {"openai": 0.995}, "failover": {"model": "claude-haiku-4-5"}}), book)
    # 99.5% of requests on gpt-4.1, the 0.5% of an outage on claude-haiku-4-5 at its price and success rate
    assert o.metrics["ai_cost_per_task"] == pytest.approx(0.995 * GPT + 0.005 * HAIKU)
    assert o.metrics["p_success"] == pytest.approx(0.995 * 0.9 + 0.005 * 0.8)
    assert o.metrics["monthly_cost"] == pytest.approx(100_000 * (0.995 * GPT + 0.005 * HAIKU))
    assert "0.50% of requests fail over to claude-haiku-4-5" in " ".join(says(o.notes))
    # the failover model's own option is not moved: anthropic has no availability stated
    h = _opt(_data({"availability": {"openai": 0.995}, "failover": {"model": "claude-haiku-4-5"}}), book,
             "anthropic/claude-haiku-4-5:standard")
    assert h.metrics["ai_cost_per_task"] == pytest.approx(HAIKU)


def test_without_a_failover_an_outage_gives_the_request_up(book):
    o = _opt(_data({"availability": {"openai/gpt-4.1": 0.99}}), book)
    assert o.metrics["ai_cost_per_task"] == pytest.approx(0.99 * GPT)
    assert o.metrics["p_given_up"] == pytest.approx(0.01)  # the outage's requests
    assert o.metrics["p_silent_failure"] == pytest.approx(0.99 * 0.1)  # p = 0.9, no failure caught
    assert o.metrics["fallback_cost_per_task"] == pytest.approx(0.01)  # people finish the lost 1% ($1 each)
    assert "1.00% are given up" in " ".join(says(o.notes))


def test_a_429_case_from_the_busy_hours_over_usage_tier_1(book):
    # 730,000 tasks x 1,200 tokens / 43,800 minutes = 20,000 TPM on average, 30,000 allowed at tier 1.
    # Peak 2: 8 hours at twice the mean (40,000 TPM), 16 at half. Over the limit: 8 h x (2 - 1.5) / 24 = 1/6
    res = {"usage_tier": {"openai": 1}, "failover": {"model": "claude-haiku-4-5"}, "retries": 2,
           "backoff_seconds": 1.0}
    o = _opt(_data(res, tasks=730_000, ptoa=2.0), book)
    assert o.status == "ok"  # not ruled out: the excess fails over
    r = 1 / 6
    assert o.metrics["ai_cost_per_task"] == pytest.approx((1 - r) * GPT + r * HAIKU)
    assert o.metrics["p_success"] == pytest.approx((1 - r) * 0.9 + r * 0.8)
    text = " ".join(says(o.notes))
    assert "16.67% of requests over the rate limit" in text and "wait 3 s" in text  # 1 s + 2 s of backoff
    # the busiest minute needs 40,000 TPM: tier 2 (450,000) holds it; at tier 1, two projects
    assert "fits from usage tier 2; at tier 1 it needs 2 project(s)" in text
    # the wait is latency, not money: the failed-over share waits 3 s more
    plain = _opt(_data({"usage_tier": {"openai": 1}, "failover": {"model": "claude-haiku-4-5"}, "retries": 0},
                       tasks=730_000, ptoa=2.0), book)
    assert o.metrics["latency_seconds"] == pytest.approx(plain.metrics["latency_seconds"] + r * 3.0)
    assert o.metrics["monthly_cost"] == pytest.approx(plain.metrics["monthly_cost"])


def test_two_projects_double_the_tiers_limits(book):
    res = {"usage_tier": {"openai": 1}, "projects": 2, "failover": {"model": "claude-haiku-4-5"}}
    o = _opt(_data(res, tasks=730_000, ptoa=2.0), book)
    assert o.metrics["ai_cost_per_task"] == pytest.approx(GPT)  # 60,000 TPM holds the 40,000 peak


def test_without_resilience_an_option_over_its_limit_stays_ineligible(book):
    data = _data({}, tasks=730_000, ptoa=2.0)
    del data["resilience"]
    data["rate_limits"] = [{"model": "gpt-4.1", "tpm": 30_000}]
    assert _opt(data, book).status == "ineligible"


def test_a_failover_model_not_under_models_needs_its_success_rate(book, tmp_path):
    import yaml

    from aicost.base.errors import InputError
    from aicost.inputs import scenario as sc

    data = _data({"failover": {"model": "gpt-4o-mini"}})
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError) as err:
        sc.load(path, book)
    assert "s.yaml:" in str(err.value.problems[0]) and "give p_success" in str(err.value.problems[0])
    data["resilience"]["failover"] = {"model": "gpt-9-imaginary", "p_success": 0.9}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError) as err:
        sc.load(path, book)
    assert "unknown model 'gpt-9-imaginary'" in str(err.value)


def test_check_holds_a_latency_limit_that_retries_push_over(book, tmp_path):
    """The waits of retries before a failover count in the latency a budget holds (exit 1)."""
    import yaml

    from aicost.analyses.check import check_scenario

    res = {"usage_tier": {"openai": 1}, "failover": {"model": "claude-haiku-4-5"}, "retries": 4,
           "backoff_seconds": 2.0}
    data = _data(res, tasks=730_000, ptoa=2.0)
    data["latency"] = {"p95_seconds": 60}
    base = _opt(data, book).metrics["latency_seconds"]  # with 1/6 of requests waiting 2+4+8+16 = 30 s
    plain = _opt(_data({**res, "retries": 0}, tasks=730_000, ptoa=2.0, latency={"p95_seconds": 60}), book)
    assert base == pytest.approx(plain.metrics["latency_seconds"] + 30 / 6)
    data["budget"] = {"option": "openai/gpt-4.1:standard", "max_latency_seconds": round(base - 1, 1)}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    checks, _ = check_scenario(path, book, as_of=AS_OF)
    (c,) = [c for c in checks if c.budget == "max_latency_seconds"]
    assert c.status == "failed" and c.metric == "latency_seconds" and c.actual == pytest.approx(base)
    from aicost.report.explain import say

    assert f"latency {base:,.1f} s is over the budget" in say(c.message)


def test_the_shipped_usage_tier_table_is_sourced_dated_and_shown(book):
    from typer.testing import CliRunner

    from aicost.cli import app

    for ref in ("gpt-5", "gpt-5-mini", "gpt-4.1", "gpt-4o-mini", "o3"):
        (e,) = [x for x in book.resolve(ref) if x.provider == "openai"]
        rl = e.spec.rate_limits
        assert rl is not None and rl.source and rl.checked and sorted(rl.tiers) == [1, 2, 3, 4, 5]
        assert all(rl.tiers[t].tpm <= rl.tiers[t + 1].tpm for t in range(1, 5))  # a higher tier never allows less
    r = CliRunner().invoke(app, ["pricing", "show", "gpt-4.1"])
    assert "1: 500 / 30,000 / 90,000" in r.stdout and "source: OpenAI model page" in r.stdout


def test_a_failover_on_the_same_provider_takes_refused_requests_not_outages(book):
    """OpenAI's limits are per model: gpt-4.1-mini takes what gpt-4.1's limit refuses; an OpenAI
    outage takes both down, so those requests are given up."""
    data = _data({"availability": {"openai": 0.99}, "usage_tier": {"openai": 1},
                  "failover": {"model": "gpt-4.1-mini", "p_success": 0.85}}, tasks=730_000, ptoa=2.0)
    o = _opt(data, book)
    r = 1 / 6
    mini = (1000 * 0.40 + 200 * 1.60) / 1e6
    assert o.metrics["ai_cost_per_task"] == pytest.approx(0.99 * (1 - r) * GPT + 0.99 * r * mini)
    assert o.metrics["p_given_up"] == pytest.approx(0.01)  # the outage's share


@pytest.mark.parametrize("scenario", ["support-assistant", "triage-cascade"])
def test_a_provider_that_always_answers_changes_nothing(book, scenario):
    """Invariant: resilience with every provider available and no limit in reach gives every option
    the figures it has without it."""
    from aicost.inputs import scenario as scenario_mod

    base = {o.id: o for o in compare_loaded(scenario_mod.load(scenario, book, []), book, as_of=AS_OF).options}
    sets = ["resilience={availability: {openai: 1, anthropic: 1, google: 1}, failover: {model: claude-haiku-4-5, "
            "p_success: 0.9}, retries: 3}"]
    res = compare_loaded(scenario_mod.load(scenario, book, sets), book, as_of=AS_OF)
    for o in res.options:
        b = base[o.id]
        assert o.status == b.status, o.id
        for k in ("monthly_cost", "cost_per_success", "p_success", "latency_seconds"):
            if b.metrics.get(k) is None:
                assert o.metrics.get(k) is None
            else:
                assert o.metrics[k] == pytest.approx(b.metrics[k], rel=1e-9), (o.id, k)
