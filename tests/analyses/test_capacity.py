"""Hosted capacity: peak load against the organisation's rate limits."""

from __future__ import annotations

from aicost.report.explain import reason, says  # noqa: F401

import pytest

from conftest import option, scenario


def limited(**limit):
    # 100,000 tasks, one attempt, one call: mean 100,000 / 43,800 min = 2.283 requests/min;
    # peak x3 = 6.849 requests/min; tokens 11,000 per call -> 75,342 tokens/min at peak
    return scenario(volume={"tasks_per_month": 100000, "peak_to_average": 3},
                    rate_limits=[{"model": "gpt-5", "tier": "standard", **limit}])


def test_under_the_limits_is_eligible(book):
    o = option(limited(rpm=7, tpm=80000), book, "openai/gpt-5:standard")
    assert o.status == "ok"


@pytest.mark.parametrize("limit,text", [
    ({"rpm": 5}, "peak 7 requests/min exceeds the limit of 5 (x2 needed)"),
    ({"tpm": 30000}, "peak 75,342 tokens/min exceeds the limit of 30,000 (x3 needed)"),
])
def test_over_a_limit_is_flagged_with_the_shortfall(book, limit, text):
    o = option(limited(**limit), book, "openai/gpt-5:standard")
    assert o.status == "ineligible"
    assert text in reason(o) and "Batch, or GPUs would fit" in reason(o)
    # the limit is per model and tier: the same model on Batch is not limited by it
    assert option(limited(**limit), book, "openai/gpt-5:batch").status == "ok"


def test_batch_queue_limit(book):
    # a day's input: 100,000 tasks x 10,000 tokens / (730 / 24) days = 32.9M tokens
    data = scenario(volume={"tasks_per_month": 100000},
                    rate_limits=[{"model": "openai/gpt-5", "tier": "batch", "batch_queue_tokens": 20_000_000}])
    o = option(data, book, "openai/gpt-5:batch")
    assert o.status == "ineligible" and "input tokens/day in the Batch queue" in reason(o)
