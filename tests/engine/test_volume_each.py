"""A volume per option (issue 24: the break-even searches narrow every bracket in one engine call):
``Designs.each`` gives each option at its own volumes exactly what ``Designs.metric`` gives it at
those volumes alone, an option asked twice evaluated twice; where one option's load reaches
another's figures the engine refuses a volume per option and ``each`` evaluates the points
together instead, with the same answers."""

from __future__ import annotations

import numpy as np
import pytest

from aicost.analyses.compare import designs_for
from aicost.engine.designs import VOLUME
from aicost.engine.evaluate import evaluate
from aicost.inputs import scenario as scenario_mod
from conftest import AS_OF


def _asks(n: int, seed: int) -> list[tuple[int, np.ndarray]]:
    rng = np.random.default_rng(seed)
    asks = [(int(rng.integers(n)), np.geomspace(1.0, 1e10, int(rng.integers(1, 9))) * rng.uniform(0.5, 2.0))
            for _ in range(30)]
    return asks + [(asks[0][0], np.array([3e5])), (asks[0][0], np.array([3e5, 7.0]))]  # one option three times


def _alone(designs, metric: str, path: tuple, asks) -> list[np.ndarray]:
    return [designs.metric(metric, {path: x})[i] for i, x in asks]


@pytest.mark.parametrize("name", ["self-hosted-wins", "support-assistant", "triage-cascade", "provider-outage",
                                  "provisioned-throughput", "routed-requests", "rag-vs-long-context"])
def test_each_option_at_its_own_volumes_equals_it_alone(book, name):
    designs, _ = designs_for(scenario_mod.load(name, book, []), book, AS_OF)
    asks = _asks(len(designs), seed=len(name))
    for metric in ("cost_per_success", "total_cost_per_success"):
        got = designs.each(metric, VOLUME, asks)
        want = _alone(designs, metric, VOLUME, asks)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)  # bit for bit, NaN where not usable


def test_the_fast_path_is_taken_where_it_holds_and_not_where_loads_interact(book):
    fast, _ = designs_for(scenario_mod.load("self-hosted-wins", book, []), book, AS_OF)
    assert fast.volume_each()
    for name in ("provider-outage", "provisioned-throughput", "routed-requests"):  # failover, spill, a mix
        slow, _ = designs_for(scenario_mod.load(name, book, []), book, AS_OF)
        assert not slow.volume_each(), name


def test_any_other_field_is_evaluated_at_the_points_together(book):
    designs, _ = designs_for(scenario_mod.load("support-assistant", book, []), book, AS_OF)
    path = ("caching", "hit_rate")
    asks = [(i, np.linspace(0.0, 1.0, 3 + i % 4)) for i in range(0, len(designs), 5)]
    for g, w in zip(designs.each("cost_per_success", path, asks), _alone(designs, "cost_per_success", path, asks)):
        np.testing.assert_array_equal(g, w)


def test_the_engine_refuses_a_volume_per_option_where_loads_interact(book):
    designs, _ = designs_for(scenario_mod.load("provider-outage", book, []), book, AS_OF)
    plan, values = designs.parts[0]
    values = dict(values, volume=dict(values["volume"], tasks_per_month=np.ones((len(plan.options), 3))))
    with pytest.raises(ValueError, match="a volume per option"):
        evaluate(plan, values, meters=False, want="cost_per_success")


def test_an_option_asked_twice_is_evaluated_twice_in_the_order_asked(book):
    designs, ids = designs_for(scenario_mod.load("self-hosted-wins", book, []), book, AS_OF)
    plan, values = designs.parts[0]
    gpu = next(i for i, x in enumerate(ids) if x.startswith("gpu/"))
    hosted = next(i for i, x in enumerate(ids) if not x.startswith("gpu/"))
    sub = plan.subset([gpu, hosted, gpu])
    assert len(sub.options) == 3 and [o.id for o in sub.options].count(ids[gpu]) == 2
    vols = np.array([[1e3, 1e6], [1e3, 1e6], [1e5, 1e8]])
    inner = vols.copy()
    inner[np.asarray(sub.select)] = vols  # the plan's own order (hosted first)
    m = evaluate(sub, dict(values, volume=dict(values["volume"], tasks_per_month=inner)), meters=False,
                 want="cost_per_success")["cost_per_success"]
    for row, (i, v) in enumerate(zip([gpu, hosted, gpu], vols)):
        np.testing.assert_array_equal(m[row], designs.metric("cost_per_success", {VOLUME: v})[i])


@pytest.mark.parametrize("path", [VOLUME, ("caching", "hit_rate")])
def test_an_empty_ask_gets_an_empty_answer(book, path):
    designs, _ = designs_for(scenario_mod.load("self-hosted-wins", book, []), book, AS_OF)
    x = np.array([0.5, 0.7]) if path != VOLUME else np.array([1e4, 1e6])
    got = designs.each("cost_per_success", path, [(0, np.array([])), (1, x), (2, np.array([]))])
    assert [len(g) for g in got] == [0, 2, 0]
    assert designs.each("cost_per_success", path, [(0, np.array([]))])[0].size == 0
