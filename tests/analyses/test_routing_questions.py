"""The four routing questions (issue 22), answered by the shipped scenarios: the answers the README
gives are what compare computes (priced on the README's day)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aicost.analyses.compare import compare_designs
from aicost.inputs import scenario as scenario_mod
from aicost.report.numbers import money

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
DAY = date(2026, 11, 30)


def _res(name: str, book, sets=()):
    return compare_designs(scenario_mod.load(name, book, list(sets)), book, as_of=DAY)


def _says(*figures: str) -> None:
    for f in figures:
        assert f in README, f


def test_the_least_capable_model_that_clears_the_bar(book):
    res = _res("minimum-capability", book)
    best = res.best
    assert best.id == "openai/gpt-5.4:standard:cached"
    by = {o.id: o for o in res.options}
    mini = by["openai/gpt-5.4-mini:standard:cached"]
    assert mini.status == "ineligible" and [r.code for r in mini.reasons] == ["over_silent_failure"]
    assert mini.metrics["total_cost_per_success"] < best.metrics["total_cost_per_success"]
    nano = by["openai/gpt-5.4-nano:standard:cached"]
    assert {r.code for r in nano.reasons} == {"below_min_success", "over_silent_failure"}
    _says(money(best.metrics["total_cost_per_success"], "USD"), money(best.metrics["monthly_cost"], "USD"),
          money(mini.metrics["total_cost_per_success"], "USD"))


def test_which_requests_justify_reasoning(book):
    res = _res("routed-requests", book)
    picks = [(p["segment"], p["option"]) for p in res.routing["segments"]]
    assert picks == [("lookup", "openai/gpt-5.4-mini+low:standard:cached"),
                     ("policy", "openai/gpt-5.4-mini+high:standard:cached"),
                     ("dispute", "openai/gpt-5.4+high:standard:cached")]
    assert res.best.id == "routed/by-segment"
    r = res.routing
    assert r["saves_per_month"] > 0
    _says(money(r["routed_monthly_cost"], "USD"), money(r["best_single"]["monthly_cost"], "USD"),
          money(r["saves_per_month"], "USD"))


def test_when_a_provider_degrades_or_rate_limits(book):
    res = _res("provider-outage", book)
    gpt = res.best
    assert gpt.id == "openai/gpt-5.2:standard:cached"
    notes = " ".join(n.code for n in gpt.notes)
    assert "failover" in notes and "usage_tier_fit" in notes
    tier2 = _res("provider-outage", book, ["resilience.usage_tier.openai=2"]).best
    two = _res("provider-outage", book, ["resilience.projects=2"]).best
    assert tier2.metrics["monthly_cost"] == pytest.approx(two.metrics["monthly_cost"])
    assert tier2.metrics["monthly_cost"] < gpt.metrics["monthly_cost"]
    sonnet = {o.id: o for o in res.options}["anthropic/claude-sonnet-4-6:standard:cached"]
    _says(money(gpt.metrics["monthly_cost"], "USD"), money(tier2.metrics["monthly_cost"], "USD"),
          money(sonnet.metrics["monthly_cost"], "USD"), "18.89% of requests")
    from aicost.report.explain import says

    assert "18.89% of requests over the rate limit" in " ".join(says(gpt.notes))


def test_which_tasks_need_deterministic_formatting(book):
    res = _res("structured-output", book)
    by = {o.id: o for o in res.options}
    structured, json_mode = by["openai/gpt-5.4-mini:standard:cached@structured"], \
        by["openai/gpt-5.4-mini:standard:cached@base"]
    assert res.best.id == structured.id
    assert structured.metrics["p_given_up"] < json_mode.metrics["p_given_up"] / 20
    for o in (structured, json_mode):
        _says(money(o.metrics["total_cost_per_success"], "USD"), money(o.metrics["monthly_cost"], "USD"))
    assert {o.status for i, o in by.items() if "nano" in i} == {"ineligible"}
