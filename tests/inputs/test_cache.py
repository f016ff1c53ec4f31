"""The validated-input cache only ever saves time: same answers, invalidated by any change."""

from __future__ import annotations

import os
import time

import pytest

from aicost.inputs import cache
from aicost.analyses.compare import run
from aicost.inputs.pricebook import PriceBook
from aicost.report import render

SCENARIO = """\
version: 1
name: cached
volume: {tasks_per_month: 1000}
latency: {p95_seconds: 5}
attempt:
  steps:
    - {name: a, input_tokens: 1000, output_tokens: 100}
models:
  gpt-5-mini: {p_success: 0.8}
value: {value_per_success: 1}
"""


def test_cached_and_uncached_runs_agree(cache_dir, monkeypatch):
    first = render(run(["support-assistant"], sets=["volume.tasks_per_month=*2"]), "json")
    assert any(cache_dir.iterdir())
    second = render(run(["support-assistant"], sets=["volume.tasks_per_month=*2"]), "json")
    monkeypatch.setenv("AICOST_NO_CACHE", "1")
    fresh = render(run(["support-assistant"], sets=["volume.tasks_per_month=*2"]), "json")
    assert first == second == fresh


def test_a_changed_scenario_is_read_again(cache_dir, tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text(SCENARIO)
    a = run([str(f)]).scenarios[0].options[0].metrics["monthly_cost"]
    time.sleep(0.01)
    f.write_text(SCENARIO.replace("1000}", "3000}", 1))
    os.utime(f, ns=(time.time_ns(), time.time_ns() + 10**9))
    b = run([str(f)]).scenarios[0].options[0].metrics["monthly_cost"]
    assert b == pytest.approx(3 * a)  # no fixed costs: three times the tasks, three times the cost


def test_a_changed_price_table_is_read_again(cache_dir, tmp_path):
    d = tmp_path / "p"
    d.mkdir()
    f = d / "acme.yaml"
    table = "\n".join(["version: 1", "provider: acme", "name: Acme", "source: t", "checked: 2026-11-01",
                       "models:", "  m1:", "    tiers:", "      standard: {input: 1, output: 2}", ""])
    f.write_text(table)
    assert PriceBook.load([d], bundled=False).models[("acme", "m1")].spec.tiers["standard"][0].input == 1
    f.write_text(table.replace("input: 1", "input: 5"))
    os.utime(f, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert PriceBook.load([d], bundled=False).models[("acme", "m1")].spec.tiers["standard"][0].input == 5


def test_a_corrupt_entry_is_ignored(cache_dir):
    run(["worked-example"])
    for p in cache_dir.iterdir():
        p.write_bytes(b"not a pickle")
    assert run(["worked-example"]).scenarios[0].options[0].metrics["cost_per_attempt"] == pytest.approx(0.00099)


def test_an_unwritable_cache_is_harmless(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("AICOST_CACHE_DIR", str(blocker / "sub"))
    assert run(["worked-example"]).scenarios[0].best is not None
    assert cache.get("anything") is None
