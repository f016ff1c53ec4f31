"""Hypothesis checks of the invariants listed in domain.md."""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aicost.engine import formulas as F
from aicost.engine.evaluate import evaluate
from aicost.analyses.compare import plan_for
from conftest import AS_OF, loaded, scenario

probs = st.floats(0.0, 1.0, allow_nan=False)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(p=probs, d=probs, k=st.integers(1, 20))
def test_outcomes_sum_to_one(p, d, k):
    a, s, u, g = F.retry_outcomes(p, d, k)
    assert abs(float(s + u + g) - 1.0) < 1e-9
    assert 1.0 <= float(a) <= k + 1e-9


def _metrics(book, data, models=("gpt-5", "claude-haiku-4-5", "gemini-2.5-flash")):
    data = copy.deepcopy(data)
    data["models"] = {m: data["models"].get(m, {"p_success": 0.7}) for m in models}
    ls = loaded(data, book)
    plan = plan_for(ls, book, AS_OF)
    return plan, evaluate(plan, ls.values())


workloads = st.fixed_dictionaries({
    "input": st.floats(0, 300000), "prefix_share": st.floats(0, 1), "output": st.floats(0, 20000),
    "reasoning": st.floats(0, 20000), "hit": probs, "p": st.floats(0.01, 1), "d": probs, "k": st.integers(1, 5),
    "review": probs, "tasks": st.floats(1, 1e7),
})


def _data(w):
    return scenario(
        step={"input_tokens": w["input"], "cached_prefix_tokens": w["input"] * w["prefix_share"],
              "output_tokens": w["output"], "reasoning_tokens": w["reasoning"]},
        caching={"hit_rate": w["hit"]}, quality={"attempts_allowed": w["k"], "detection_rate": w["d"]},
        models={"gpt-5": {"p_success": w["p"]}, "claude-haiku-4-5": {"p_success": w["p"]},
                "gemini-2.5-flash": {"p_success": w["p"]}},
        people={"review_share": w["review"], "cost_per_review": 1.0, "human_cost_per_task": 3.0},
        volume={"tasks_per_month": w["tasks"]},
    )


def _cps(m):
    return np.asarray(m["cost_per_success"], dtype=float)


@SETTINGS
@given(w=workloads, field=st.sampled_from(["input_tokens", "output_tokens", "reasoning_tokens"]),
       factor=st.floats(1.0, 3.0))
def test_more_tokens_never_cheaper(book, w, field, factor):
    data = _data(w)
    _, before = _metrics(book, data)
    step = data["attempt"]["steps"][0]
    step[field] = step[field] * factor
    if field == "input_tokens":
        step["cached_prefix_tokens"] = min(step["cached_prefix_tokens"], step["input_tokens"])
    _, after = _metrics(book, data)
    ok = ~np.isnan(_cps(before)) & ~np.isnan(_cps(after))
    assert np.all(_cps(after)[ok] >= _cps(before)[ok] * (1 - 1e-12))


@SETTINGS
@given(w=workloads, delta=st.floats(0.0, 0.5))
def test_higher_success_never_costs_more_per_success(book, w, delta):
    data = _data(w)
    _, before = _metrics(book, data)
    for m in data["models"].values():
        m["p_success"] = min(1.0, m["p_success"] + delta)
    _, after = _metrics(book, data)
    ok = ~np.isnan(_cps(before)) & ~np.isnan(_cps(after))
    assert np.all(_cps(after)[ok] <= _cps(before)[ok] * (1 + 1e-12))


@SETTINGS
@given(w=workloads)
def test_tier_order_and_caching(book, w):
    """Batch and Flex never above Standard, Priority never below; caching never raises cost
    where cached reads are cheaper than input and writes carry no premium (OpenAI gpt-5)."""
    plan, m = _metrics(book, _data(w))
    cps = _cps(m)[:, 0]
    by = {o.id: cps[i] for i, o in enumerate(plan.options)}
    for model in ("openai/gpt-5", "anthropic/claude-haiku-4-5", "google/gemini-2.5-flash"):
        for c in ("", ":cached"):
            std = by.get(f"{model}:standard{c}")
            for cheaper in ("batch", "flex"):
                x = by.get(f"{model}:{cheaper}{c}")
                if x is not None and not np.isnan(x) and not np.isnan(std):
                    assert x <= std * (1 + 1e-12)
            pr = by.get(f"{model}:priority{c}")
            if pr is not None and not np.isnan(pr) and not np.isnan(std):
                assert pr >= std * (1 - 1e-12)
    for tier in ("standard", "batch", "flex", "priority"):
        plain, cached = by[f"openai/gpt-5:{tier}"], by[f"openai/gpt-5:{tier}:cached"]
        if not np.isnan(plain):
            assert cached <= plain * (1 + 1e-12)


@SETTINGS
@given(w=workloads)
def test_probabilities_add_up_through_the_engine(book, w):
    _, m = _metrics(book, _data(w))
    total = m["p_success"] + m["p_silent_failure"] + m["p_given_up"]
    assert np.allclose(total, 1.0)


@SETTINGS
@given(w=workloads)
def test_meters_add_up_to_monthly_cost(book, w):
    plan, m = _metrics(book, _data(w))
    meters = sum(m[f"meter_cost.{k}"] for k in
                 ("input", "cached_input", "cache_write", "output", "reasoning", "review", "fallback", "fixed"))
    ok = ~np.isnan(m["monthly_cost"])
    assert np.allclose(meters[ok], m["monthly_cost"][ok], rtol=1e-9)


@SETTINGS
@given(w=workloads)
def test_p1_k1_cost_per_success_is_cost_per_attempt(book, w):
    data = _data(w)
    data["quality"] = {"attempts_allowed": 1, "detection_rate": w["d"]}
    for mdl in data["models"].values():
        mdl["p_success"] = 1.0
    data["people"] = {}
    _, m = _metrics(book, data)
    ok = ~np.isnan(m["cost_per_attempt"])
    assert np.allclose(m["cost_per_success"][ok], m["cost_per_attempt"][ok], rtol=1e-12)


@SETTINGS
@given(w=workloads)
def test_arrays_equal_single_points(book, w):
    """A swept array of volumes gives exactly what each point gives alone (one engine)."""
    data = _data(w)
    plan, _ = _metrics(book, data)
    ls = loaded({**data, "models": {m: data["models"][m] for m in ("gpt-5", "claude-haiku-4-5", "gemini-2.5-flash")}},
                book)
    values = ls.values()
    vols = np.array([1.0, 10.0, w["tasks"]])
    values["volume"]["tasks_per_month"] = vols
    swept = evaluate(plan, values)
    for j, v in enumerate(vols):
        single = ls.values()
        single["volume"]["tasks_per_month"] = float(v)
        one = evaluate(plan, single)
        assert np.array_equal(swept["monthly_cost"][:, j], one["monthly_cost"][:, 0], equal_nan=True)
