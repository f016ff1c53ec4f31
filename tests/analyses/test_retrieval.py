"""Retrieval with its drivers (issue 21): a 10 GB corpus refreshed 25% a month, hosted file search
against your own vector store, split into storage, freshness, fan-out and ownership; by hand."""

from __future__ import annotations

import copy

import pytest

from aicost.analyses.compare import compare_loaded
from aicost.base.errors import InputError
from conftest import AS_OF, BASE, loaded

# gpt-5-mini: $0.25 / $2 per 1M; 300,000 tasks of 2,000 in and 300 out = $330 a month of inference.
# Hosted: OpenAI vector storage $0.10 per GB-day after 1 GB free; file search $2.50 per 1,000 calls.
OWN = {"storage_per_gb_month": 0.33, "queries_per_task": 1, "read_units_per_query": 10,
       "per_million_read_units": 16, "minimum_monthly": 50}


def _data(own: dict | None = None, **retrieval) -> dict:
    data = copy.deepcopy(BASE)
    data["models"] = {"gpt-5-mini": {"p_success": 1.0}}
    data["attempt"]["steps"] = [{"name": "s", "input_tokens": 2000, "output_tokens": 300,
                                 "file_searches": 0 if own else 1}]
    data["volume"] = {"tasks_per_month": 300_000}
    data["options"] = {"caching": [False], "tiers": ["standard"]}
    data["retrieval"] = {"vector_store_gb": 10, "corpus_tokens": 500_000_000, "refresh_share": 0.25,
                         "embedding_model": "text-embedding-3-small", **retrieval}
    if own:
        data["retrieval"]["own_store"] = own
    return data


def _one(data: dict, book):
    res = compare_loaded(loaded(data, book), book, as_of=AS_OF)
    return next(o for o in res.options if o.id == "openai/gpt-5-mini:standard")


def test_a_10_gb_corpus_on_hosted_file_search(book):
    o = _one(_data(), book)
    c = o.meters["cost"]
    assert c["storage"] == pytest.approx(9 * 0.10 * 730 / 24)  # (10 - 1 free) GB x $0.10 a day: $27.375
    assert c["tools"] == pytest.approx(300_000 * 2.50 / 1000)  # a search a task: $750
    assert c["freshness"] == c["fan_out"] == c["ownership"] == 0  # the hosted store embeds at no extra charge
    assert o.metrics["monthly_cost"] == pytest.approx(330 + 27.375 + 750)


def test_the_same_corpus_in_your_own_store_split_by_driver(book):
    o = _one(_data(OWN), book)
    c = o.meters["cost"]
    assert c["storage"] == pytest.approx(10 * 0.33)  # $3.30
    assert c["freshness"] == pytest.approx(500e6 * 0.25 * 0.01 / 1e6)  # 125M tokens on Batch at $0.01: $1.25
    assert c["fan_out"] == pytest.approx(300_000 * 10 * 16 / 1e6)  # 3M read units at $16 per 1M: $48
    assert c["ownership"] == 0  # storage and reads ($51.30) pass the $50 minimum
    assert o.metrics["monthly_cost"] == pytest.approx(330 + 3.30 + 1.25 + 48)


def test_a_plan_minimum_and_an_instance_are_ownership(book):
    small = dict(OWN, minimum_monthly=50, instance_monthly=0, ops_monthly=200)
    data = _data(small)
    data["volume"]["tasks_per_month"] = 10_000
    c = _one(data, book).meters["cost"]
    reads = 10_000 * 10 * 16 / 1e6  # $1.60
    assert c["ownership"] == pytest.approx(200 + (50 - 3.30 - reads))


def test_an_unknown_embedding_model_is_a_file_line_error(book):
    with pytest.raises(InputError) as e:
        loaded(_data(OWN, embedding_model="text-embedding-9"), book)
    assert "retrieval.embedding_model: unknown model 'text-embedding-9'" in str(e.value)


def test_an_embedding_model_without_the_tier_is_unpriced_not_zero(book):
    o = _one(_data(OWN, embedding_model="text-embedding-ada-002"), book)  # no Batch price for ada-002
    assert o.status == "unpriced" and o.reasons[0].code == "no_embedding_price"


def test_break_even_between_hosted_file_search_and_your_own_store(tmp_path):
    import json

    import yaml
    from typer.testing import CliRunner

    from aicost.cli import app

    data = _data()
    data["variants"] = {"own-store": {"set": ["attempt.steps.s.file_searches=0", "retrieval.own_store=" + json.dumps(OWN)]}}
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(data))
    r = CliRunner().invoke(app, ["breakeven", str(f), "--vary", "volume.tasks_per_month=1000:1e6:log", "--format",
                                 "json", "--as-of", "2026-11-21"])
    assert r.exit_code == 0, r.output
    pair = json.loads(r.stdout)["pairs"][0]
    # hosted $27.375 + $0.0025 a search = own $50 minimum + $1.25 re-embedding -> 9,550 tasks a month
    assert pair["crossings"][0]["value"] == pytest.approx((50 + 1.25 - 27.375) / 0.0025, rel=1e-6)
    assert pair["crossings"][0]["cheaper_above"].endswith("@own-store")
