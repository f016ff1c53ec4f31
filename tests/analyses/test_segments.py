"""A request mix with routing (issue 22): two segments with their own attempts and success rates,
each option judged on the mix, the routed option (each segment's best), and a router that
misroutes 10% of requests; by hand from the shipped tables.

gpt-4.1-mini: $0.40 in, $1.60 out per 1M; gpt-5: $1.25 / $10; gpt-5-nano (router): $0.05 / $0.40.
simple (70%): 1,000 in + 200 out    mini $0.00072, gpt-5 $0.00325; p 0.97 / 0.98
hard   (30%): 4,000 in + 600 out    mini $0.00256, gpt-5 $0.011;   p 0.30 / 0.90"""

from __future__ import annotations

import copy

import pytest

from aicost.analyses.compare import compare_loaded
from conftest import AS_OF, BASE, loaded

MINI_S, GPT_S, MINI_H, GPT_H = 0.00072, 0.00325, 0.00256, 0.011


def _data(router: dict | None = None, **changes) -> dict:
    data = copy.deepcopy(BASE)
    data["volume"] = {"tasks_per_month": 100_000}
    data["models"] = {"gpt-4.1-mini": {"p_success": 0.9}, "gpt-5": {"p_success": 0.95}}
    data["attempt"]["steps"] = [{"name": "s", "input_tokens": 1000, "output_tokens": 200}]
    data["options"] = {"caching": [False], "tiers": ["standard"]}
    data["quality"] = {"min_success": 0.8}
    data["value"] = {"value_per_success": 0.1}
    data["segments"] = {
        "simple": {"share": 0.7, "models": {"gpt-4.1-mini": {"p_success": 0.97}, "gpt-5": {"p_success": 0.98}}},
        "hard": {"share": 0.3, "attempt": {"steps": [{"name": "s", "input_tokens": 4000, "output_tokens": 600}]},
                 "models": {"gpt-4.1-mini": {"p_success": 0.3}, "gpt-5": {"p_success": 0.9}}},
    }
    if router:
        data["router"] = router
    data.update(changes)
    return data


def _res(data: dict, book):
    return compare_loaded(loaded(data, book), book, as_of=AS_OF)


def test_each_option_is_judged_on_the_mix(book):
    opts = {o.id: o for o in _res(_data(), book).options}
    gpt = opts["openai/gpt-5:standard"]
    assert gpt.metrics["ai_cost_per_task"] == pytest.approx(0.7 * GPT_S + 0.3 * GPT_H)
    assert gpt.metrics["p_success"] == pytest.approx(0.7 * 0.98 + 0.3 * 0.9)
    assert gpt.metrics["monthly_cost"] == pytest.approx(100_000 * (0.7 * GPT_S + 0.3 * GPT_H))
    assert gpt.metrics["cost_per_success"] == pytest.approx((0.7 * GPT_S + 0.3 * GPT_H) / (0.7 * 0.98 + 0.3 * 0.9))
    mini = opts["openai/gpt-4.1-mini:standard"]  # 0.7 x 0.97 + 0.3 x 0.3 = 76.9%: under the 80% floor
    assert mini.status == "ineligible" and mini.metrics["p_success"] == pytest.approx(0.769)


def test_two_segments_routed_to_their_best_options(book):
    res = _res(_data(), book)
    r = res.routing
    assert [(p["segment"], p["option"]) for p in r["segments"]] == [
        ("simple", "openai/gpt-4.1-mini:standard"),  # cheapest per success on simple requests
        ("hard", "openai/gpt-5:standard")]  # mini succeeds 30% of the time there: under the floor
    routed = next(o for o in res.options if o.kind == "routed")
    per_task = 0.7 * MINI_S + 0.3 * GPT_H
    assert routed.metrics["ai_cost_per_task"] == pytest.approx(per_task)
    assert routed.metrics["p_success"] == pytest.approx(0.7 * 0.97 + 0.3 * 0.9)
    assert res.best.id == "routed/by-segment"
    single = 100_000 * (0.7 * GPT_S + 0.3 * GPT_H)  # $557.50: gpt-5 for everything
    assert r["best_single"]["option"] == "openai/gpt-5:standard"
    assert r["saves_per_month"] == pytest.approx(single - 100_000 * per_task)  # $177.10 a month
    assert routed.cascade["stages"] == ["openai/gpt-4.1-mini:standard", "openai/gpt-5:standard"]


def test_a_router_with_90_percent_accuracy(book):
    res = _res(_data({"model": "gpt-5-nano", "input_tokens": 300, "output_tokens": 5, "accuracy": 0.9}), book)
    routed = next(o for o in res.options if o.kind == "routed")
    simple = 0.9 * MINI_S + 0.1 * GPT_S  # a simple request misrouted goes to gpt-5
    hard = 0.9 * GPT_H + 0.1 * MINI_H  # a hard one misrouted goes to gpt-4.1-mini
    fee = (300 * 0.05 + 5 * 0.40) / 1e6  # the classifier call: $0.000017 a task
    assert routed.metrics["ai_cost_per_task"] == pytest.approx(0.7 * simple + 0.3 * hard + fee)
    s = 0.7 * (0.9 * 0.97 + 0.1 * 0.98) + 0.3 * (0.9 * 0.9 + 0.1 * 0.3)
    assert routed.metrics["p_success"] == pytest.approx(s)  # 93.17%: misroutes cost successes
    assert routed.meters["cost"]["router"] == pytest.approx(100_000 * fee)
    assert res.routing["router"]["cost_per_task"] == pytest.approx(fee)


def test_the_quality_floor_holds_on_the_routed_mix(book):
    data = _data({"model": "gpt-5-nano", "input_tokens": 300, "accuracy": 0.5})
    data["quality"]["min_success"] = 0.9
    routed = next(o for o in _res(data, book).options if o.kind == "routed")
    # half the hard requests go to gpt-4.1-mini: 0.7 x 0.975 + 0.3 x 0.6 = 86.25%, under 90%
    assert routed.status == "ineligible"


def test_routing_shows_on_the_screen_and_in_json(book):
    from aicost.report.table import routing_lines

    res = _res(_data(), book)
    text = "\n".join(routing_lines(res.routing, "USD", 160))
    assert "simple (70%) → openai/gpt-4.1-mini:standard" in text and "routing saves $177.10 a month" in text
    assert res.to_dict()["routing"]["saves_per_month"] == pytest.approx(177.1)


def test_segment_shares_must_add_up_and_name_listed_models(book, tmp_path):
    import yaml

    from aicost.base.errors import InputError
    from aicost.inputs import scenario as sc

    data = _data()
    data["segments"]["hard"]["share"] = 0.5
    data["segments"]["simple"]["models"]["gpt-4o"] = {"p_success": 0.9}
    data["self_hosted"] = {"models": {"llama-3.1-8b": {"p_success": 0.9}}}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError) as e:
        sc.load(path, book)
    text = [str(p) for p in e.value.problems]  # every problem at once, each with its line
    assert any("segments: the segments' shares add up to 1.2, not 1" in t for t in text)
    assert any("'gpt-4o' is not under models:" in t for t in text)
    assert any("self_hosted: is not combined with segments:" in t for t in text)
    assert all(t.startswith(str(path) + ":") or "s.yaml:" in t for t in text)


def test_the_export_carries_the_router_and_sums_to_the_report(book, tmp_path):
    import csv
    import io

    import yaml
    from typer.testing import CliRunner

    from aicost.cli import app

    data = _data({"model": "gpt-5-nano", "input_tokens": 300, "output_tokens": 5, "accuracy": 0.9})
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(data))
    r = CliRunner().invoke(app, ["export", str(f), "--options", "all", "--format", "focus", "--as-of", "2026-11-21"])
    assert r.exit_code == 0, r.output
    rows = [x for x in csv.DictReader(io.StringIO(r.stdout)) if x["x_Option"] == "routed/by-segment"]
    router = next(x for x in rows if x["x_Meter"] == "router")
    assert float(router["BilledCost"]) == pytest.approx(1.7)  # 100,000 x $0.000017
    routed = next(o for o in _res(data, book).options if o.kind == "routed")
    assert sum(float(x["BilledCost"]) for x in rows) == pytest.approx(routed.metrics["monthly_cost"], abs=0.005)
    assert {x["ProviderName"] for x in rows} == {"OpenAI"}


def test_a_sweep_of_a_segments_share_moves_the_mix_and_the_routing(book):
    from aicost.analyses.whatif import breakeven_report, sweep_report

    data = _data()
    del data["segments"]["simple"]["share"]  # the rest
    import tempfile
    from pathlib import Path

    import yaml

    path = Path(tempfile.mkdtemp()) / "mix.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    rep = sweep_report(str(path), book, ["segments.hard.share=0.1:0.5:3"], top=8)
    ids = rep["ids"]
    gpt = rep["values"][list(rep["shown"]).index(ids.index("openai/gpt-5:standard"))]
    # gpt-5 on the mix at 10%, 30%, 50% hard: its cost per success by hand at each share
    for share, got in zip((0.1, 0.3, 0.5), gpt):
        cost = (1 - share) * GPT_S + share * GPT_H
        s = (1 - share) * 0.98 + share * 0.9
        assert got == pytest.approx(100_000 * cost / (100_000 * s))
    be = breakeven_report(str(path), book, "segments.hard.share=0.05:0.6",
                          ["openai/gpt-5:standard", "routed/by-segment"])
    assert be["pairs"]


def test_the_router_counts_its_misroutes(book):
    res = _res(_data({"model": "gpt-5-nano", "input_tokens": 300, "accuracy": 0.9}), book)
    assert res.routing["router"]["misrouted_tasks_per_month"] == pytest.approx(10_000)
    from aicost.report.table import routing_lines

    assert "10,000 tasks a month misrouted" in " ".join(routing_lines(res.routing, "USD", 1000))


# ---- the mix's own checks (found in review) -----------------------------------------------------


def _two_loads(resilience: dict | None = None, rate_limits: list | None = None) -> dict:
    """gpt-4.1 at 730,000 tasks, peak 2: a short and a long segment, half each, whose mean load
    (1,200 tokens a task) is the one-shape scenario's of tests/analyses/test_resilience.py."""
    data = copy.deepcopy(BASE)
    data["volume"] = {"tasks_per_month": 730_000, "peak_to_average": 2.0}
    data["models"] = {"gpt-4.1": {"p_success": 0.9}, "claude-haiku-4-5": {"p_success": 0.8}}
    data["attempt"]["steps"] = [{"name": "s", "input_tokens": 500, "output_tokens": 100}]
    data["options"] = {"caching": [False], "tiers": ["standard"]}
    data["segments"] = {"short": {"share": 0.5},
                        "long": {"share": 0.5, "attempt": {"steps": [{"name": "s", "input_tokens": 1500,
                                                                      "output_tokens": 300}]}}}
    if resilience:
        data["resilience"] = resilience
    if rate_limits:
        data["rate_limits"] = rate_limits
    return data


def test_429s_come_from_the_mixs_load_not_each_segment_at_full_volume(book):
    res = {"usage_tier": {"openai": 1}, "failover": {"model": "claude-haiku-4-5"}}
    o = {x.id: x for x in _res(_two_loads(res), book).options}["openai/gpt-4.1:standard"]
    from aicost.report.explain import says

    # the mix brings 20,000 TPM on average, as the one-shape scenario: 1/6 of requests over the limit
    assert "16.67% of requests over the rate limit" in " ".join(says(o.notes))
    short, long_ = (500 * 2 + 100 * 8) / 1e6, (1500 * 2 + 300 * 8) / 1e6
    h_short, h_long = (500 * 1 + 100 * 5) / 1e6, (1500 * 1 + 300 * 5) / 1e6
    r = 1 / 6
    assert o.metrics["ai_cost_per_task"] == pytest.approx(0.5 * ((1 - r) * short + r * h_short)
                                                          + 0.5 * ((1 - r) * long_ + r * h_long))


def test_a_rate_limit_is_held_against_the_mixs_peak(book):
    # 30,000 TPM: the long segment alone at every task would bring 60,000 at the peak; the mix brings 40,000
    data = _two_loads(rate_limits=[{"model": "gpt-4.1", "tpm": 45_000}])
    opts = {x.id: x for x in _res(data, book).options}
    assert opts["openai/gpt-4.1:standard"].status == "ok"
    data["rate_limits"][0]["tpm"] = 35_000
    opts = {x.id: x for x in _res(data, book).options}
    assert opts["openai/gpt-4.1:standard"].status == "ineligible"
    assert [r.code for r in opts["openai/gpt-4.1:standard"].reasons] == ["over_rate_limit"]


def test_a_misroute_to_an_option_that_cannot_serve_it_rules_the_routed_option_out(book):
    data = _data({"model": "gpt-5-nano", "input_tokens": 300, "accuracy": 0.9})
    # hard prompts of 300,000 tokens: over gpt-4.1-mini's window? (1M): no; over gpt-5's (272k): yes
    data["segments"]["hard"]["attempt"]["steps"][0]["input_tokens"] = 300_000
    data["models"]["gpt-4.1-mini"]["p_success"] = 0.9
    data["segments"]["hard"]["models"]["gpt-4.1-mini"]["p_success"] = 0.95
    data["segments"]["simple"]["models"]["gpt-5"]["p_success"] = 0.999
    data["segments"]["simple"]["models"]["gpt-4.1-mini"]["p_success"] = 0.5
    res = _res(data, book)
    picks = {p["segment"]: p["option"] for p in res.routing["segments"]}
    assert picks["hard"] == "openai/gpt-4.1-mini:standard" and picks["simple"] == "openai/gpt-5:standard"
    routed = next(o for o in res.options if o.kind == "routed")
    # a misrouted hard request would reach gpt-5, whose window is too small for it
    assert routed.status == "ineligible" and [r.code for r in routed.reasons] == ["misroute_unservable"]


def test_a_single_option_out_on_one_segment_says_which(book):
    res = _res(_data(), book)
    mini = {o.id: o for o in res.options}["openai/gpt-4.1-mini:standard"]
    from aicost.report.explain import says

    text = " ".join(says(mini.reasons))
    assert "on segment 'hard': quality floor: 30.0% of tasks succeed" in text


def test_the_mixs_latency_is_its_slowest_segments(book):
    data = _data()
    data["latency"] = {"p95_seconds": 600}
    res = _res(data, book)
    gpt = {o.id: o for o in res.options}["openai/gpt-5:standard"]
    from aicost.engine.segments import segment_values

    per = []
    for name in ("simple", "hard"):
        v = segment_values(loaded(data, book).plain, name)
        d = copy.deepcopy(data)
        d["attempt"] = v["attempt"]
        d.pop("segments")
        per.append({o.id: o for o in _res(d, book).options}["openai/gpt-5:standard"].metrics["latency_seconds"])
    assert gpt.metrics["latency_seconds"] == pytest.approx(max(per))


def test_a_share_left_to_the_rest_must_leave_something(book, tmp_path):
    import yaml

    from aicost.base.errors import InputError
    from aicost.inputs import scenario as sc

    data = _data()
    data["segments"]["simple"]["share"] = 1.0
    del data["segments"]["hard"]["share"]
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(InputError) as e:
        sc.load(path, book)
    assert "the segment without one would get no requests" in str(e.value)


@pytest.mark.parametrize("scenario", ["support-assistant", "triage-cascade", "web-research-agent"])
def test_identical_segments_change_nothing(book, scenario):
    """Invariant: a mix of segments that are each the scenario itself gives every option the
    scenario's own figures, and the routed option is the best single option's figures."""
    from aicost.inputs import scenario as scenario_mod

    plain = scenario_mod.load(scenario, book, []).plain
    base = {o.id: o for o in compare_loaded(scenario_mod.load(scenario, book, []), book, as_of=AS_OF).options}
    mixed = scenario_mod.load(scenario, book, ["segments={a: {share: 0.3}, b: {}}"])
    assert plain.get("segments") in ({}, None)
    res = compare_loaded(mixed, book, as_of=AS_OF)
    for o in res.options:
        if o.kind == "routed":
            continue
        b = base[o.id]
        assert o.status == b.status, o.id
        for k in ("monthly_cost", "cost_per_success", "p_success", "total_cost_per_success", "latency_seconds"):
            if b.metrics.get(k) is None:
                assert o.metrics.get(k) is None, (o.id, k)
            else:
                assert o.metrics[k] == pytest.approx(b.metrics[k], rel=1e-9), (o.id, k)
    routed = next(o for o in res.options if o.kind == "routed")
    best = next(o for o in res.options if o.kind != "routed" and o.eligible)
    if routed.eligible:
        assert routed.metrics["monthly_cost"] == pytest.approx(best.metrics["monthly_cost"], rel=1e-9)
