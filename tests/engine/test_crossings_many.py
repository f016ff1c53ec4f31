"""The break-even search of many pairs at once (issue 24: the GPU view's searches, batched) gives
exactly what each pair's own search gives."""

from __future__ import annotations

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
