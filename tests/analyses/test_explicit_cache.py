"""Explicit context caches (Gemini): the cached prefixes held for the stated hours a month, at the
table's storage rate, a monthly cost that ranks with the rest; implicit caching stores nothing."""

from __future__ import annotations

import pytest

from aicost.analyses.compare import run
from aicost.analyses.export import build
from aicost.report.explain import reason
from aicost.report.export import rows
from conftest import AS_OF

SETS = ["caching.explicit_hours=730", "latency={minutes: 30}"]


def by_id(book, sets):
    return {o.id: o for o in run(["support-assistant"], sets=sets, as_of=AS_OF, book=book).scenarios[0].options}


def test_storage_is_held_tokens_times_hours_times_the_rate_by_hand(book):
    with_cache, without = by_id(book, SETS), by_id(book, SETS[1:])
    o = with_cache["google/gemini-2.5-flash:standard:cached"]
    # steps hold 1,400 + 3,600 cached-prefix tokens; $1 per 1M tokens per hour; 730 hours
    assert o.meters["cost"]["cache_storage"] == pytest.approx((1_400 + 3_600) / 1e6 * 730 * 1.0)
    base = without["google/gemini-2.5-flash:standard:cached"]
    assert o.metrics["monthly_cost"] == pytest.approx(base.metrics["monthly_cost"] + 3.65)
    assert o.metrics["total_cost_per_success"] > base.metrics["total_cost_per_success"]
    assert o.metrics["cost_per_success"] == base.metrics["cost_per_success"]  # a monthly cost, not per call


def test_uncached_options_and_implicit_caching_store_nothing(book):
    o = by_id(book, SETS)
    assert o["google/gemini-2.5-flash:standard"].meters["cost"]["cache_storage"] == 0.0
    assert o["openai/gpt-5-mini:standard:cached"].meters["cost"]["cache_storage"] == 0.0


def test_a_model_without_a_storage_rate_is_unpriced_not_free(book):
    o = by_id(book, SETS)["google/gemini-3-flash-preview:standard:cached"]
    assert o.status == "unpriced" and "no explicit-cache storage price" in reason(o)


def test_the_export_carries_the_storage_and_sums_to_the_report(book):
    e = build(["support-assistant"], sets=SETS, as_of=AS_OF, options="google/gemini-2.5-flash:standard:cached",
              book=book)
    lines = rows(e)
    assert any(r["x_Meter"] == "cache_storage" and float(r["BilledCost"]) == pytest.approx(3.65) for r in lines)
    assert sum(float(r["BilledCost"]) for r in lines) == pytest.approx(float(next(iter(e.totals.values()))),
                                                                       abs=1e-5)
