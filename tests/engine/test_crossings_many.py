"""The break-even search of many pairs at once (issue 24: the GPU view's searches, batched) gives
exactly what each pair's own search gives."""

from __future__ import annotations

import numpy as np

from aicost.analyses.compare import designs_for
from aicost.engine.roots import crossings, crossings_many
from aicost.inputs import scenario as scenario_mod
from conftest import AS_OF

VOLUME = ("volume", "tasks_per_month")


def test_many_pairs_together_equal_each_pair_alone(book):
    ls = scenario_mod.load("self-hosted-wins", book, [])
    designs, ids = designs_for(ls, book, AS_OF)
    hosted = [i for i, x in enumerate(ids) if x.startswith("openai/gpt-5-nano")][:2]
    gpus = [i for i, x in enumerate(ids) if x.startswith("gpu/")][:6]
    pairs = [(h, g) for g in gpus for h in hosted] + [(gpus[0], hosted[0])]  # and one the other way round
    together = crossings_many(designs, VOLUME, pairs, 1.0, 1e10, log=True, points=256, rel_tol=1e-7,
                              metric="cost_per_success")
    alone = [crossings(designs, VOLUME, a, b, 1.0, 1e10, log=True, points=256, rel_tol=1e-7,
                       metric="cost_per_success") for a, b in pairs]
    assert together == alone
    assert any(together), "expected at least one crossing among these pairs"


def _gpu_view_pairs(book, name="self-hosted-wins"):
    ls = scenario_mod.load(name, book, [])
    designs, ids = designs_for(ls, book, AS_OF)
    hosted = [i for i, x in enumerate(ids) if not x.startswith("gpu/")]
    gpus = [i for i, x in enumerate(ids) if x.startswith("gpu/")]
    return designs, [(h, g) for g in gpus for h in hosted[::4]]


SEARCH = dict(log=True, points=256, rel_tol=1e-7, metric="cost_per_success")


def test_every_bracket_in_one_call_equals_the_brackets_a_second_option_at_a_time(book, monkeypatch):
    """The volume per option (one engine call a section for every bracket) against the narrowing
    of the brackets sharing a second option together, on the options' own plan: the same crossings."""
    designs, pairs = _gpu_view_pairs(book)
    assert designs.volume_each()
    fast = crossings_many(designs, VOLUME, pairs, 1.0, 1e10, **SEARCH)
    monkeypatch.setattr(type(designs), "volume_each", lambda self: False)
    grouped = crossings_many(designs, VOLUME, pairs, 1.0, 1e10, **SEARCH)
    assert fast == grouped
    assert sum(len(f) for f in fast) > 20, "expected many crossings (always-on fleets step up and down)"


def test_until_below_keeps_each_pairs_crossings_up_to_its_first_of_that_kind(book):
    designs, pairs = _gpu_view_pairs(book)
    full = crossings_many(designs, VOLUME, pairs, 1.0, 1e10, **SEARCH)
    for below in (0, 1):
        cut = crossings_many(designs, VOLUME, pairs, 1.0, 1e10, until_below=below, **SEARCH)
        for f, c in zip(full, cut):
            first = next((k for k, x in enumerate(f) if x.cheaper_below == below), len(f) - 1)
            assert c == f[:first + 1]


def test_the_gpu_views_searches_take_a_few_engine_calls_not_a_few_per_option(book, monkeypatch):
    """Issue 24: 331 small engine calls (80% of ``aicost gpu self-hosted-wins``) before; every
    bracket of every pair is now narrowed together, in calls of bounded size."""
    from aicost.analyses import gpu
    from aicost.engine import designs as designs_mod

    calls = []
    real = designs_mod.evaluate

    def counted(plan, values, *a, **k):
        out = real(plan, values, *a, **k)
        calls.append(np.size(out["cost_per_success"]))
        return out

    monkeypatch.setattr(designs_mod, "evaluate", counted)
    ls = scenario_mod.load("self-hosted-wins", book, [])
    res = gpu.gpu_report(ls, book, AS_OF)
    assert any(e.breakeven.get("best", {}).get("tasks_per_month") for e in res.options)
    assert len(calls) <= 12, len(calls)
    assert max(calls) <= designs_mod.CELLS * 2  # bounded memory: the grid, or a chunk of brackets


def test_no_pairs_no_search(book):
    designs, _ = designs_for(scenario_mod.load("worked-example", book, []), book, AS_OF)
    assert crossings_many(designs, VOLUME, [], 1.0, 1e10) == []
