"""Monte Carlo and sweeps a chunk at a time (issue 16): the same figures as computing on every
sample or point at once, whatever the chunk size, with nothing as long as the run kept."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from aicost.analyses.compare import compare_designs, designs_for, plan_for
from aicost.analyses.whatif import tie_order
from aicost.engine import sampling, sweep
from aicost.engine.designs import Designs
from aicost.engine.evaluate import evaluate, usable
from aicost.engine.sampling import PERCENTILES, SUMMARISED, Quantiles, simulate
from aicost.inputs import scenario as scenario_mod
from aicost.inputs.overrides import set_path
from aicost.inputs.ranges import Range, sample, sampler
from aicost.inputs.vary import parse_vary
from conftest import AS_OF, loaded, scenario


def ranged():
    return scenario(models={"gpt-5-mini": {"p_success": {"low": 0.7, "likely": 0.8, "high": 0.9}},
                            "gpt-5-nano": {"p_success": {"p10": 0.55, "p90": 0.75}}},
                    volume={"tasks_per_month": {"low": 500, "likely": 1000, "high": 4000}},
                    quality={"attempts_allowed": 2, "detection_rate": 0.8},
                    step={"output_tokens": {"low": 800, "likely": 900, "high": 1200, "dist": "triangular"}})


def whole(plan, values, ranges, n, seed):
    """The reference: every sample drawn and evaluated at once, np.percentile on each option's
    usable, finite values, and the old in-memory p_cheapest."""
    point = evaluate(plan, values, meters=False)
    live = [i for i in range(len(plan)) if not point["flags"]["not_offered"][i, 0]]
    v = copy.deepcopy(values)
    for path, x in sample(ranges, n, seed).items():
        set_path(v, path, x)
    m = evaluate(plan.subset(live), v, meters=False)
    ok = np.broadcast_to(usable(m, "cost_per_success"), (len(live), n))
    figures = {k: np.broadcast_to(m[k], (len(live), n)) for k in SUMMARISED}
    cps = np.where(ok, figures["cost_per_success"], np.inf)
    low = cps.min(axis=0)
    tied = (cps == low) & np.isfinite(low)
    share = np.where(tied, 1.0 / np.maximum(tied.sum(axis=0), 1), 0.0).sum(axis=1) / n
    out = [None] * len(plan)
    for j, i in enumerate(live):
        s = {"usable_share": float(ok[j].mean()), "p_cheapest": float(share[j])}
        for k in SUMMARISED:
            x = figures[k][j][ok[j]]
            x = x[np.isfinite(x)]
            s[k] = None if x.size == 0 else {f"p{q}": float(p) for q, p in zip(PERCENTILES, np.percentile(x, PERCENTILES))}
        out[i] = s
    return out


def same(got, want):
    for g, w in zip(got, want):
        if w is None:
            assert g["usable_share"] == 0.0 and g["cost_per_success"] is None
            continue
        assert g["p_cheapest"] == pytest.approx(w["p_cheapest"], abs=1e-12)
        assert {k: v for k, v in g.items() if k != "p_cheapest"} == {k: v for k, v in w.items() if k != "p_cheapest"}


@pytest.fixture(scope="module")
def case(book):
    ls = loaded(ranged(), book)
    return plan_for(ls, book, AS_OF), ls.values(), ls.ranges


@pytest.mark.parametrize("keep,chunk", [(10**9, 4096), (10**9, 97), (256, 128), (512, 300)])
def test_streamed_percentiles_equal_numpy_on_every_sample(case, keep, chunk, monkeypatch):
    """keep >= n: every value kept (the in-memory path); keep small: windows narrow from 256 samples on."""
    monkeypatch.setattr(sampling, "NARROWEST", 64)
    plan, values, ranges = case
    got = simulate([(plan, values, ranges)], 6000, 3, chunk=chunk, keep=keep)[0]
    same(got, whole(plan, values, ranges, 6000, 3))


def test_a_missed_window_is_run_again_and_still_exact(case, monkeypatch):
    """Windows far too narrow (0.01 standard errors) miss; the second or last pass finds the values."""
    monkeypatch.setattr(sampling, "NARROWEST", 64)
    misses = []
    real = Quantiles.results

    def counting(self):
        got, missed = real(self)
        misses.append(int(missed.sum()))
        return got, missed

    monkeypatch.setattr(Quantiles, "results", counting)
    plan, values, ranges = case
    got = simulate([(plan, values, ranges)], 4000, 5, chunk=100, keep=200, width=0.01)[0]
    assert misses[0] > 0 and len(misses) > len(SUMMARISED)  # missed in the first pass, so run again
    same(got, whole(plan, values, ranges, 4000, 5))


def test_results_do_not_depend_on_chunk_size_or_threads(case, monkeypatch):
    plan, values, ranges = case
    a = simulate([(plan, values, ranges)], 3000, 9, chunk=4096)
    monkeypatch.setattr(sampling, "WORKERS", 1)
    b = simulate([(plan, values, ranges)], 3000, 9, chunk=77, keep=300)
    assert a == b


def test_progress_counts_samples_done(case):
    plan, values, ranges = case
    seen = []
    simulate([(plan, values, ranges)], 1000, 0, chunk=300, progress=seen.append)
    assert seen == [300, 600, 900, 1000]


def test_quantiles_with_ties_atoms_and_empty_rows_equal_numpy(monkeypatch):
    """Rows that never vary, that sit on an atom, that have one value or none, fed in chunks."""
    monkeypatch.setattr(sampling, "NARROWEST", 32)
    rng = np.random.default_rng(4)
    n = 20000
    x = np.empty((6, n))
    x[0] = rng.lognormal(0, 2, n)  # heavy tail
    x[1] = 7.25  # constant
    x[2] = np.where(rng.random(n) < 0.6, 1.0, rng.normal(1, 0.1, n))  # an atom under P10 and P50
    x[3] = np.round(rng.normal(0, 3, n))  # few distinct values, negatives and zeros
    x[4] = np.nan
    x[4, 1234] = 3.5  # one value
    x[5] = np.where(rng.random(n) < 0.3, np.nan, rng.normal(-5, 1, n))  # values missing at random
    for keep, width in [(10**9, 6.0), (500, 6.0), (500, 0.2), (500, None)]:
        t = Quantiles(6, keep=keep, width=width)
        for s in range(0, n, 700):
            t.add(*Quantiles.prepare(x[:, s:s + 700]))
        got, missed = t.results()
        for j in range(6):
            v = x[j][~np.isnan(x[j])]
            want = None if v.size == 0 else {f"p{q}": float(p) for q, p in zip(PERCENTILES, np.percentile(v, PERCENTILES))}
            if missed[j]:
                assert width == 0.2  # too narrow on purpose: the caller runs again
            else:
                assert got[j] == want, (keep, width, j)
        if keep < n and width:  # a few thousand values kept of 94,000: the windows narrowed
            assert t.size < 0.1 * np.count_nonzero(~np.isnan(x))


@pytest.mark.parametrize("m", [1, 2, 3, 10, 11, 101, 1000, 4097])
def test_the_interpolation_is_numpys(m):
    rng = np.random.default_rng(m)
    for _ in range(20):
        v = rng.normal(0, 1, m) * 10.0 ** rng.integers(-5, 5)
        t = Quantiles(1, keep=10**9)
        t.add(*Quantiles.prepare(v[None, :]))
        assert t.results()[0][0] == {f"p{q}": float(p) for q, p in zip(PERCENTILES, np.percentile(v, PERCENTILES))}


def test_draws_are_one_stream_per_field_whatever_the_chunks():
    rs = [Range(("a",), "pert", 1, 2, 5, -np.inf, np.inf), Range(("b",), "normal", 1, 2, 3, 0, np.inf),
          Range(("c",), "triangular", 1, 2, 5, -np.inf, np.inf), Range(("d",), "pert", 3, 3, 3, -np.inf, np.inf)]
    whole_draw = sample(rs, 5000, 11)
    draw = sampler(rs, 11)
    parts = [draw(k) for k in (1, 4095, 17, 887)]
    for path, x in whole_draw.items():
        assert np.array_equal(x, np.concatenate([p[path] for p in parts]))
    # a field draws the same numbers whichever other ranges there are
    assert np.array_equal(sample(rs[1:2], 5000, 11)[("b",)], whole_draw[("b",)])
    assert not np.array_equal(sample(rs, 5000, 12)[("b",)], whole_draw[("b",)])


def test_designs_are_sampled_together_and_p_cheapest_is_joint(book):
    """Two designs on the same draws: each option's share of the samples where it is the cheapest
    of both designs' options, and the shares add up to the samples where any is usable."""
    sets = ['variants={nano-worse: {set: ["models.gpt-5-nano.p_success=0.5"]}}']
    ls = scenario_mod.load("nightly-extraction", book, sets)
    res = compare_designs(ls, book, AS_OF, samples=3000, seed=2)
    designs = scenario_mod.variants(ls, book)
    parts = [(plan_for(d, book, AS_OF), d.values(), d.ranges) for _, d in designs]
    per = [whole(p, v, r, 3000, 2) for p, v, r in parts]
    ids = designs_for(ls, book, AS_OF)[1]
    by_id = {o.id: o.uncertainty for o in res.options}
    cps = []
    for (plan, values, ranges), summaries in zip(parts, per):
        point = evaluate(plan, values, meters=False)
        v = copy.deepcopy(values)
        for path, x in sample(ranges, 3000, 2).items():
            set_path(v, path, x)
        m = evaluate(plan, v, meters=False)
        cps.append(np.where(usable(m, "cost_per_success") & ~point["flags"]["not_offered"][:, :1],
                            np.broadcast_to(m["cost_per_success"], (len(plan), 3000)), np.inf))
    joint = np.concatenate(cps)
    low = joint.min(axis=0)
    tied = (joint == low) & np.isfinite(low)
    share = np.where(tied, 1.0 / np.maximum(tied.sum(axis=0), 1), 0.0).sum(axis=1) / 3000
    flat = [s for summaries in per for s in summaries]
    for oid, want, p in zip(ids, flat, share):
        got = by_id[oid]
        assert got["p_cheapest"] == pytest.approx(p, abs=1e-12), oid
        if want is not None:  # the percentiles are each design's own
            assert got["cost_per_success"] == want["cost_per_success"], oid
    assert sum(u["p_cheapest"] for u in by_id.values()) == pytest.approx(1.0)
    winners = {oid for oid, u in by_id.items() if u["p_cheapest"] > 0}
    assert winners and all(oid.endswith("@base") for oid in winners)  # the variant only makes nano worse


# ---- sweeps: two passes, nothing (options x points) kept ---------------------------------------

SWEEPS = [("support-assistant", ["volume.tasks_per_month=1000:1e9:9000:log"]),
          ("self-hosted-wins", ["volume.tasks_per_month=1000:1e9:5000:log"]),
          ("triage-cascade", ["models.gpt-5-mini.p_success=0.5:0.99:5000"]),
          ("rag-vs-long-context", ["volume.tasks_per_month=100:1e8:5000:log"]),  # design variants
          ("research-agent", ["models.gpt-5.4.p_success=0.3:0.9:40", "caching.hit_rate=0:1:60"])]  # a grid


def in_memory(designs, varies, ids, metric="total_cost_per_success"):
    """Every option at every point in one array, ranked as compare ranks: the reference."""
    xs = sweep.grid(varies)
    full = np.concatenate([np.broadcast_to(m, (len(designs), m.shape[1])) for m in (
        designs.metric(metric, {v.path: x[s:s + 4096] for v, x in zip(varies, xs)})
        for s in range(0, xs[0].size, 4096))], axis=1)
    key = np.where(np.isnan(full), np.inf, full * (1.0 if sweep.METRICS[metric] == "min" else -1.0))
    order = tie_order(ids)
    ranked = np.lexsort((np.broadcast_to(order[:, None], key.shape), sweep.significant(key)), axis=0)
    cols = np.arange(full.shape[1])
    first = np.where(np.isfinite(key[ranked[0], cols]), ranked[0], -1)
    second = np.where(np.isfinite(key[ranked[1], cols]), ranked[1], -1)
    return full, first, second


@pytest.mark.parametrize("name,vary", SWEEPS)
def test_sweep_passes_equal_the_whole_array(book, name, vary):
    ls = scenario_mod.load(name, book)
    varies = [parse_vary(v, name, ls, book, []) for v in vary]
    designs, ids = designs_for(ls, book, AS_OF)
    full, first, second = in_memory(designs, varies, ids)
    res = sweep.run(designs, varies, order=tie_order(ids), chunk=1000)
    n = full.shape[1]
    assert np.array_equal(res["winner"], first) and np.array_equal(res["runner_up"], second)
    cols = np.arange(n)
    assert np.array_equal(res["winner_value"], np.where(first >= 0, full[first, cols], np.nan), equal_nan=True)
    assert np.array_equal(res["middle"], full[:, n // 2], equal_nan=True)
    # nothing kept is as wide as every option at every point
    assert all(np.size(v) <= n for v in res.values() if isinstance(v, np.ndarray))
    shown = sorted({*np.unique(first[first >= 0]).tolist(), 0, len(ids) - 1, len(ids) // 2})
    got = sweep.rows(designs, varies, res, shown, chunk=700)
    assert got.tobytes() == full[shown].tobytes()  # bit for bit, NaN where unusable


def test_a_second_pass_that_disagrees_with_the_first_is_done_whole(book, monkeypatch):
    name, vary = SWEEPS[3]
    ls = scenario_mod.load(name, book)
    varies = [parse_vary(v, name, ls, book, []) for v in vary]
    designs, ids = designs_for(ls, book, AS_OF)
    full, first, _ = in_memory(designs, varies, ids)
    res = sweep.run(designs, varies, order=tie_order(ids))
    shown = np.unique(first[first >= 0]).tolist() + [1, 2]
    real = Designs.cut
    monkeypatch.setattr(Designs, "cut", lambda d, w: (real(d, w)[0], real(d, w)[1][::-1]))  # rows mixed up
    assert sweep.rows(designs, varies, res, shown).tobytes() == full[shown].tobytes()
