"""Hand-worked prices from the shipped tables: every tier, cache reads and writes, long context.

Each case prices one call (p = 1, k = 1, so cost per success = cost per attempt) through the
whole pipeline: loader, price book, plan, engine. The arithmetic is in the comment beside it.
"""

from __future__ import annotations

from aicost.report.explain import reason, says  # noqa: F401

import pytest

from conftest import option, scenario

CASES = [
    # gpt-5 standard: 10,000 in x $1.25 + 1,000 out x $10 = 0.0125 + 0.01
    ("gpt-5", "openai/gpt-5:standard", {}, {}, 0.0225),
    # gpt-5 batch: 10,000 x $0.625 + 1,000 x $5 = 0.00625 + 0.005
    ("gpt-5", "openai/gpt-5:batch", {}, {}, 0.01125),
    # gpt-5 flex (Batch rates, synchronous): same arithmetic as batch
    ("gpt-5", "openai/gpt-5:flex", {}, {}, 0.01125),
    # gpt-5 priority: 10,000 x $2.50 + 1,000 x $20 = 0.025 + 0.02
    ("gpt-5", "openai/gpt-5:priority", {}, {}, 0.045),
    # gpt-5 cache read, writes free: prefix 8,000, h = 0.75 -> 6,000 read, 2,000 written, 2,000 fresh
    # 2,000 x 1.25 + 6,000 x 0.125 + 2,000 x 1.25 (write = input) + 1,000 x 10 = 15,750 / 1e6
    ("gpt-5", "openai/gpt-5:standard:cached", {"cached_prefix_tokens": 8000}, {"hit_rate": 0.75}, 0.01575),
    # gpt-5.6-sol writes cost 1.25x input ($5): 2,000 x 4 + 6,000 x 0.4 + 2,000 x 5 + 1,000 x 20 = 40,400 / 1e6
    ("gpt-5.6-sol", "openai/gpt-5.6-sol:standard:cached", {"cached_prefix_tokens": 8000}, {"hit_rate": 0.75}, 0.0404),
    # Claude Sonnet 4.6, 5-minute writes ($3.75): prefix 8,000, h = 0.5 -> 4,000 read, 4,000 written, 2,000 fresh
    # 2,000 x 3 + 4,000 x 0.3 + 4,000 x 3.75 + 1,000 x 15 = 37,200 / 1e6
    ("claude-sonnet-4-6", "anthropic/claude-sonnet-4-6:standard:cached", {"cached_prefix_tokens": 8000},
     {"hit_rate": 0.5, "write_ttl": "5m"}, 0.0372),
    # the same with 1-hour writes ($6): 6,000 + 1,200 + 24,000 + 15,000 = 46,200 / 1e6
    ("claude-sonnet-4-6", "anthropic/claude-sonnet-4-6:standard:cached", {"cached_prefix_tokens": 8000},
     {"hit_rate": 0.5, "write_ttl": "1h"}, 0.0462),
    # Sonnet 4.6 batch with 1-hour writes ($3, derived 50%): 2,000 x 1.5 + 4,000 x 0.15 + 4,000 x 3 + 1,000 x 7.5
    ("claude-sonnet-4-6", "anthropic/claude-sonnet-4-6:batch:cached", {"cached_prefix_tokens": 8000},
     {"hit_rate": 0.5, "write_ttl": "1h"}, 0.0231),
    # prefix below the model's minimum (gpt-5: 1,024): nothing is cached, cost as uncached = 0.0225
    ("gpt-5", "openai/gpt-5:standard:cached", {"cached_prefix_tokens": 1000}, {"hit_rate": 0.9}, 0.0225),
    # reasoning billed as output: + 2,000 x $10 = 0.0225 + 0.02
    ("gpt-5", "openai/gpt-5:standard", {"reasoning_tokens": 2000}, {}, 0.0425),
    # gpt-5.4 at exactly 272,000 tokens stays on base rates: 272,000 x 2.5 + 1,000 x 15 = 695,000 / 1e6
    ("gpt-5.4", "openai/gpt-5.4:standard", {"input_tokens": 272000}, {}, 0.695),
    # gpt-5.4 above 272k: the whole request at $5 / $22.50: 300,000 x 5 + 1,000 x 22.5 = 1,522,500 / 1e6
    ("gpt-5.4", "openai/gpt-5.4:standard", {"input_tokens": 300000}, {}, 1.5225),
    # Gemini 2.5 Pro above 200k: 250,000 x 2.5 + 1,000 x 15 = 640,000 / 1e6
    ("gemini-2.5-pro", "google/gemini-2.5-pro:standard", {"input_tokens": 250000}, {}, 0.64),
    # Gemini 2.5 Pro long context, cached: prefix 200,000 (>= 2,048 min), h = 1 -> all read at $0.25,
    # 50,000 fresh at $2.50: 200,000 x 0.25 + 50,000 x 2.5 + 1,000 x 15 = 190,000 / 1e6
    ("gemini-2.5-pro", "google/gemini-2.5-pro:standard:cached", {"input_tokens": 250000, "cached_prefix_tokens": 200000},
     {"hit_rate": 1.0}, 0.19),
    # Claude Haiku 5.5 above 100k prompt tokens: every token at 5x ($0.50 in, $2.50 out):
    # 250,000 x $0.50 + 1,000 x $2.50 per 1M = 0.125 + 0.0025
    ("claude-haiku-5-5", "anthropic/claude-haiku-5-5:standard", {"input_tokens": 250000}, {}, 0.1275),
    # Azure Global equals OpenAI: same as openai/gpt-5 standard
    ("azure/gpt-5", "azure/gpt-5:standard", {}, {}, 0.0225),
    # Azure Data Zone is +10%: 0.0225 x 1.1
    ("azure-datazone/gpt-5", "azure-datazone/gpt-5:standard", {}, {}, 0.02475),
]


@pytest.mark.parametrize("model,oid,step,caching,expected", CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_price_by_hand(book, model, oid, step, caching, expected):
    data = scenario(step=step, models={model: {"p_success": 1.0}}, caching={"hit_rate": 0.0, **caching})
    o = option(data, book, oid)
    assert o.status == "ok", reason(o)
    assert o.metrics["cost_per_attempt"] == pytest.approx(expected, rel=1e-12)
    # p = 1, k = 1: cost per success equals cost per attempt (domain.md invariant)
    assert o.metrics["cost_per_success"] == pytest.approx(expected, rel=1e-12)


def test_o3_price_history(book):
    """o3 before the 2025-06-10 cut: $10 / $40; after: $2 / $8 (10,000 in, 1,000 out)."""
    from datetime import date

    from aicost.analyses.compare import compare_loaded
    from conftest import loaded

    data = scenario(models={"o3": {"p_success": 1.0}})
    before = compare_loaded(loaded(data, book), book, as_of=date(2025, 6, 9))
    after = compare_loaded(loaded(data, book), book, as_of=date(2025, 6, 10))
    pick = {o.id: o for o in before.options}["openai/o3:standard"]
    assert pick.metrics["cost_per_attempt"] == pytest.approx(0.14)  # 0.1 + 0.04
    pick = {o.id: o for o in after.options}["openai/o3:standard"]
    assert pick.metrics["cost_per_attempt"] == pytest.approx(0.028)  # 0.02 + 0.008


def test_long_context_without_a_tier_price_is_unpriced(book):
    """gpt-5.4 Priority has no >272k price: the option is unpriced, never billed at $0."""
    o = option(scenario(step={"input_tokens": 300000}, models={"gpt-5.4": {"p_success": 1.0}}), book,
               "openai/gpt-5.4:priority")
    assert o.status == "unpriced"
    assert "272,000" in reason(o)
    assert o.metrics["cost_per_success"] is None and o.metrics["monthly_cost"] is None


def test_missing_cached_rate_means_caching_not_offered(book):
    """gpt-4.1 Batch has no published cached-input rate: caching is not offered on that tier."""
    data = scenario(step={"cached_prefix_tokens": 8000}, models={"gpt-4.1": {"p_success": 1.0}},
                    caching={"hit_rate": 0.5})
    o = option(data, book, "openai/gpt-4.1:batch:cached")
    assert o.status == "ineligible" and reason(o).startswith("caching not offered") and "cached-input" in reason(o)
    assert option(data, book, "openai/gpt-4.1:batch").status == "ok"


def test_tier_not_offered_is_ineligible(book):
    o = option(scenario(models={"gpt-4.1": {"p_success": 1.0}}), book, "openai/gpt-4.1:flex")
    assert o.status == "ineligible" and reason(o) == "gpt-4.1 offers no Flex tier"
    assert o.metrics["cost_per_attempt"] is None


@pytest.mark.parametrize("latency,tier,eligible", [
    ({"p95_seconds": 5}, "batch", False), ({"p95_seconds": 5}, "flex", False),
    ({"p95_seconds": 5}, "priority", True), ({"minutes": 15}, "flex", True),
    ({"minutes": 14}, "flex", False), ({"deadline_hours": 23}, "batch", False),
    ({"deadline_hours": 24}, "batch", True),
])
def test_latency_decides_tiers(book, latency, tier, eligible):
    # a short answer (100 tokens): at Priority's published 50 tok/s it takes about 2.8 s
    o = option(scenario(latency=latency, step={"output_tokens": 100}), book, f"openai/gpt-5:{tier}")
    assert (o.status == "ok") is eligible, reason(o)
    if not eligible:
        assert "may take up to" in reason(o)


def test_context_window(book):
    # claude-haiku-4-5 has a 200,000-token window
    o = option(scenario(step={"input_tokens": 250000}, models={"claude-haiku-4-5": {"p_success": 1}}), book,
               "anthropic/claude-haiku-4-5:standard")
    assert o.status == "ineligible" and "context window" in reason(o)


def test_every_shipped_price_has_source_and_checked(book):
    from aicost.model.pricing import TIERS

    n = 0
    for entry in book.models.values():
        for tier in TIERS:
            for blocks in [entry.spec.tiers.get(tier, [])] + (
                    [entry.spec.long_context.tiers.get(tier, [])] if entry.spec.long_context else []):
                for b in blocks:
                    assert (b.source or entry.source) and (b.checked or entry.checked), entry.key
                    n += 1
    assert n > 150


def test_total_cost_per_success_of_the_worked_example_by_hand():
    """README: (768.276 + 2,000 / 12) / (10,000 x 0.992) = 0.0942483 per successful outcome."""
    from datetime import date

    import aicost

    s = aicost.compare_result("worked-example", as_of=date(2026, 11, 21)).scenarios[0]
    m = s.options[0].metrics
    assert m["monthly_cost"] == pytest.approx(768.276, rel=1e-9)
    assert m["total_cost_per_success"] == pytest.approx((768.276 + 2000 / 12) / (10_000 * 0.992), rel=1e-6)
    assert m["total_cost_per_success"] == pytest.approx(0.0942483, rel=1e-6)
    assert s.rank_by == "total_cost_per_success" and s.best.id == "openai/gpt-5-mini:standard:cached"
