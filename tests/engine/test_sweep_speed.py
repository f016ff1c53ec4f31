"""What makes a sweep fast (issue 24) changes no figure: options no point can make usable are
skipped, options a field cannot move are computed once, the engine computes only the figure
ranked, and a table's summary holds every point it draws."""

from __future__ import annotations

import numpy as np
import pytest

from aicost.analyses.compare import designs_for
from aicost.analyses.whatif import sweep_report, tie_order
from aicost.engine import moves, sweep
from aicost.engine.evaluate import evaluate
from aicost.inputs import scenario as scenario_mod
from aicost.inputs.vary import parse_vary
from aicost.report.whatif import sweep_table, terminal_chart
from aicost.results.whatif import samples
from conftest import AS_OF

# (scenario, --vary) where a rule applies: caching on uncached options, a model's own entry,
# the self-hosted section, a latency need (too-slow options come back), and one where none does
SWEEPS = [("support-assistant", ["caching.hit_rate=0:1:3001"]),
          ("triage-cascade", ["models.gpt-5-mini.p_success=0.5:0.99:2001"]),
          ("support-assistant", ["models.gpt-5-mini.p_success=0.3:0.99:2001"]),
          ("self-hosted-wins", ["self_hosted.target_utilisation=0.3:0.9:1501"]),
          ("support-assistant", ["latency.p95_seconds=1:100000:2001:log"]),
          ("provider-outage", ["models.gpt-5.2.p_success=0.5:0.99:1001"]),  # a failover: no rule applies
          ("research-agent", ["models.gpt-5.4.p_success=0.3:0.9:30", "caching.hit_rate=0:1:40"])]


def load(book, name, vary):
    ls = scenario_mod.load(name, book)
    varies = [parse_vary(v, name, ls, book, []) for v in vary]
    designs, ids = designs_for(ls, book, AS_OF)
    return designs, ids, varies


def reference(designs, varies):
    """Every option evaluated at every point, the plain way."""
    xs = sweep.grid(varies)
    return np.broadcast_to(designs.metric("total_cost_per_success", {v.path: x for v, x in zip(varies, xs)}),
                           (len(designs), xs[0].size))


@pytest.mark.parametrize("name,vary", SWEEPS)
def test_the_fast_paths_give_the_plain_figures_bit_for_bit(book, name, vary):
    designs, ids, varies = load(book, name, vary)
    full = reference(designs, varies)
    res = sweep.run(designs, varies, order=tie_order(ids), chunk=500)
    cols = np.arange(full.shape[1])
    key = np.where(np.isnan(full), np.inf, full)
    ranked = np.lexsort((np.broadcast_to(tie_order(ids)[:, None], key.shape), sweep.significant(key)), axis=0)
    first = np.where(np.isfinite(key[ranked[0], cols]), ranked[0], -1)
    second = np.where(np.isfinite(key[ranked[1], cols]), ranked[1], -1)
    assert np.array_equal(res["winner"], first) and np.array_equal(res["runner_up"], second)
    assert np.array_equal(res["middle"], full[:, full.shape[1] // 2], equal_nan=True)
    shown = list(range(len(ids)))  # every option, usable or not, in the second pass too
    assert sweep.rows(designs, varies, res, shown, chunk=700).tobytes() == full.tobytes()


def test_the_rules_find_what_they_should(book):
    designs, ids, varies = load(book, "support-assistant", ["caching.hit_rate=0:1:3"])
    still = moves.unmoved(designs, [v.path for v in varies])
    assert still and all(":cached" not in ids[i] for i in still)
    designs, ids, varies = load(book, "support-assistant", ["models.gpt-5-mini.p_success=0.3:0.9:3"])
    still = moves.unmoved(designs, [v.path for v in varies])
    assert {ids[i] for i in range(len(ids)) if i not in still} == {i for i in ids if "/gpt-5-mini:" in i}
    designs, ids, varies = load(book, "provider-outage", ["models.gpt-5.2.p_success=0.5:0.9:3"])
    assert not moves.unmoved(designs, [v.path for v in varies])  # a failover model reaches every option
    designs, ids, varies = load(book, "support-assistant", ["volume.tasks_per_month=1:10:3"])
    assert not moves.unmoved(designs, [v.path for v in varies])


def test_a_wrong_rule_is_caught_and_every_option_evaluated(book, monkeypatch):
    designs, ids, varies = load(book, "support-assistant", ["volume.tasks_per_month=1000:1e9:999:log"])
    full = reference(designs, varies)
    monkeypatch.setattr(moves, "_still", lambda *a: True)  # claims volume moves nothing
    got = moves.Chunks(designs, list(range(len(ids))), [v.path for v in varies], sweep.Points(varies),
                       "total_cost_per_success")
    assert got.flat is None
    assert got(0, full.shape[1]).tobytes() == full.tobytes()


def test_options_no_point_can_make_usable_are_skipped_only_while_the_need_stays(book):
    designs, ids, varies = load(book, "support-assistant", ["volume.tasks_per_month=1:10:3"])
    alive = set(sweep.alive(designs, varies))
    assert all(i in alive for i, o in enumerate(ids) if ":standard" in o)
    assert not any(i in alive for i, o in enumerate(ids) if ":batch" in o or ":flex" in o)  # p95 6 s
    designs, ids, varies = load(book, "support-assistant", ["latency.p95_seconds=1:100000:3:log"])
    assert any(":batch" in ids[i] for i in sweep.alive(designs, varies))


@pytest.mark.parametrize("want", sorted(sweep.METRICS) + ["payback_months", ("cost_per_success", "monthly_cost", "roi")])
def test_evaluating_one_figure_gives_that_figure_as_the_whole_result_does(book, want):
    """(the tuple: what Monte Carlo summarises)"""
    for name in ("support-assistant", "self-hosted-wins", "nightly-extraction", "provider-outage",
                 "provisioned-throughput"):
        designs, _, _ = load(book, name, ["volume.tasks_per_month=1:10:3"])
        for plan, values in designs.parts:
            whole = evaluate(plan, values, meters=False)
            one = evaluate(plan, values, meters=False, want=want)
            for figure in (want,) if isinstance(want, str) else want:
                assert np.array_equal(one[figure], whole[figure], equal_nan=True), (name, figure)
            for flag, mask in whole["flags"].items():
                assert np.array_equal(one["flags"][flag], mask), (name, want, flag)


@pytest.mark.parametrize("name,vary", [("support-assistant", "volume.tasks_per_month=1000:1e9:60001:log"),
                                       ("self-hosted-wins", "volume.tasks_per_month=1000:1e9:20001:log"),
                                       ("triage-cascade", "models.gpt-5-mini.p_success=0.5:0.99:20001")])
def test_a_summary_draws_the_same_table_and_sparklines_as_every_point(book, name, vary):
    full = sweep_report(name, book, [vary], as_of=AS_OF)
    summary = sweep_report(name, book, [vary], as_of=AS_OF, every=False)
    assert summary.points == full.points and summary.winner.size < full.winner.size // 4
    assert summary.shown == full.shown
    for width in (60, 100, 160):
        assert sweep_table(summary, width=width) == sweep_table(full, width=width)
        assert terminal_chart(summary, width=width) == terminal_chart(full, width=width)
    # what is kept is the summary's own points and both sides of each change, at every point's figures
    k = summary.index
    assert set(samples(full.points).tolist()) <= set(k.tolist())
    assert np.array_equal(summary.winner, full.winner[k]) and np.array_equal(summary.values, full.values[:, k])
    changes = np.nonzero(full.winner[1:] != full.winner[:-1])[0] + 1
    assert set(changes.tolist()) | set((changes - 1).tolist()) <= set(k.tolist())
    assert k.size <= samples(full.points).size + 2 * changes.size  # nothing more: flat in the points


def test_a_big_grid_is_a_map_that_fits_the_screen(book):
    rep = sweep_report("support-assistant", book, ["volume.tasks_per_month=1000:1e9:300:log",
                                                  "caching.hit_rate=0:1:400"], as_of=AS_OF, every=False)
    text = sweep_table(rep, width=100)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 100 and len(lines) < 90
    joined = " ".join(text.split())  # (the heading wraps at the width)
    assert "300 x 400 points; " in joined and "of its 400 values" in joined and "--format csv gives every point" in joined
    legend = [line for line in lines if " wins " in line]
    shares = [float(line.rsplit("wins ", 1)[1].split("%")[0]) for line in legend]
    assert legend and abs(sum(shares) - 100) < 0.1 * len(shares) + 0.01


@pytest.mark.parametrize("start,stop,log", [(1000, 1e9, True), (0, 1, False), (0.3, 0.9, False), (1e-3, 3.7, True),
                                            (-5, 7, False)])
def test_points_made_a_piece_at_a_time_are_numpys_points_bit_for_bit(start, stop, log):
    from aicost.inputs.vary import Vary

    for n in (2, 3, 11, 61, 1000, 100001):
        v = Vary("f", ("f",), start, stop, n, log)
        whole = np.geomspace(start, stop, n) if log else np.linspace(start, stop, n)
        assert v.values().tobytes() == whole.tobytes()
        pieces = np.concatenate([v.at(np.arange(s, min(n, s + 997))) for s in range(0, n, 997)])
        assert pieces.tobytes() == whole.tobytes()


def test_a_grids_points_a_piece_at_a_time_are_the_grids_points(book):
    _, _, varies = load(book, "research-agent", ["models.gpt-5.4.p_success=0.3:0.9:30", "caching.hit_rate=0:1:40"])
    points = sweep.Points(varies)
    whole = [a.ravel() for a in np.meshgrid(varies[0].values(), varies[1].values(), indexing="ij")]
    assert points.n == whole[0].size == 1200
    for a, b in zip(points.at(slice(100, 777)), whole):
        assert a.tobytes() == b[100:777].tobytes()


def test_a_model_a_step_is_pinned_to_moves_every_option(book):
    """A pinned step takes its model's token factors on every option (review of issue 24)."""
    designs, ids, _ = load(book, "web-research-agent", ["volume.tasks_per_month=1:10:3"])
    assert not moves.unmoved(designs, [("models", "o3", "input_factor")])
    assert moves.unmoved(designs, [("models", "gpt-5.4", "p_success")])


def test_a_figure_that_moves_between_the_ends_is_caught(book, monkeypatch):
    """An option unusable at both ends and the middle but not between (a wrong rule, review of
    issue 24) is caught by the probes spread over the range."""
    designs, ids, varies = load(book, "support-assistant", ["caching.hit_rate=0:1:1001"])
    real = moves.Designs.metric

    def metric(self, name, changes):
        m = np.array(np.broadcast_to(real(self, name, changes), (len(self), np.size(next(iter(changes.values()))))))
        x = next(iter(changes.values()))
        m[:, (np.asarray(x) == 0) | (np.asarray(x) == 0.5) | (np.asarray(x) == 1)] = np.nan  # the old probes
        return m

    monkeypatch.setattr(moves.Designs, "metric", metric)
    monkeypatch.setattr(moves, "_still", lambda *a: True)  # claims the hit rate moves nothing
    got = moves.Chunks(designs, list(range(len(ids))), [v.path for v in varies], sweep.Points(varies),
                       "total_cost_per_success")
    assert got.flat is None


def test_a_change_inside_what_a_variant_sets_whole_is_overwritten_there_as_compare_does(book):
    """rag-vs-long-context's fine-tuned variant sets models: whole; varying a model it drops is
    that design's own models there (it used to fail with KeyError)."""
    from aicost.analyses.compare import compare_designs

    rep = sweep_report("rag-vs-long-context", book, ["models.gpt-5-mini.p_success=0.5:0.9:3"], as_of=AS_OF, top=64)
    for j, x in enumerate(rep.x[0]):
        res = compare_designs(scenario_mod.load("rag-vs-long-context", book, [f"models.gpt-5-mini.p_success={float(x)!r}"]),
                              book, AS_OF)
        by_id = {o.id: o for o in res.options}
        for k, i in enumerate(rep.shown):
            o = by_id[rep.ids[i]]
            v = o.metrics.get("total_cost_per_success")
            want = v if o.eligible and v is not None and np.isfinite(v) else None
            got = rep.values[k, j]
            assert (want is None and np.isnan(got)) or got == want, (rep.ids[i], x)


def test_grid_tables_follow_the_sweeps_order_and_repeated_whole_numbers(book):
    rep = sweep_report("support-assistant", book, ["volume.tasks_per_month=1e9:1000:3", "caching.hit_rate=1:0:3"],
                       as_of=AS_OF)
    lines = sweep_table(rep).splitlines()
    header = next(line for line in lines if " \\ " in line)
    assert header.split()[-3:] == ["1", "0.5", "0"]  # columns as swept: falling
    assert lines[lines.index(header) + 1].split()[0] == "1,000,000,000"
    rep = sweep_report("support-assistant", book, ["quality.attempts_allowed=1:3:5", "caching.hit_rate=0:1:3"],
                       as_of=AS_OF)
    assert rep.winner.size == 15 and "attempts_allowed" in sweep_table(rep)


def test_a_sweep_with_no_usable_option_and_a_summary_asked_for_every_row_still_render(book):
    rep = sweep_report("support-assistant", book, ["latency.p95_seconds=0.001:0.002:3"], as_of=AS_OF, every=False)
    assert not rep.shown and "—" in sweep_table(rep)
    rep = sweep_report("support-assistant", book, ["volume.tasks_per_month=1000:1e9:4500:log"], as_of=AS_OF,
                       every=False)
    assert rep.winner.size < 4500
    text = sweep_table(rep, max_rows=5000)  # more rows asked than the summary keeps: its changes
    assert "4,500 points" in text


def test_the_least_figure_at_12_digits_is_found_as_rounding_every_figure_finds_it():
    rng = np.random.default_rng(7)
    for _ in range(1500):
        rows, cols = rng.integers(1, 9), rng.integers(1, 40)
        base = rng.choice([1.0, 1e-3, 123.456, -5.0, 0.0, 1e6, 9.99999999999, 1e-250, 3.3e200])
        key = base * (1 + rng.choice([0, 1e-13, -1e-13, 3e-12, 1e-11, 5e-11, 1e-10, 1e-9, 1e-3], size=(rows, cols)))
        key[rng.random((rows, cols)) < 0.2] = np.inf
        if rng.random() < 0.2:
            key = -np.abs(key)  # (ROI is ranked by its negative; an infinite figure becomes -inf)
        key[rng.random((rows, cols)) < 0.05] = 0.0
        assert np.array_equal(sweep.least(key), np.argmin(sweep.significant(key), axis=0)), key


def test_a_chunk_holds_the_same_number_of_engine_rows_whatever_the_options(book):
    """A self-hosted option is costed at each replica size it keeps: it weighs that many rows, so
    a GPU scenario's chunks hold fewer points (issue 24: a 200,000-point volume sweep of
    self-hosted-wins peaked at 3 GB with 16,384-point chunks; 350 MB now, flat in the points)."""
    hosted, ids, _ = load(book, "support-assistant", ["volume.tasks_per_month=1:10:3"])
    assert sweep.chunk_points(hosted, list(range(len(ids)))) == sweep.CHUNK  # 64 hosted options
    gpu, ids, _ = load(book, "self-hosted-wins", ["volume.tasks_per_month=1:10:3"])
    plan = gpu.parts[0][0]
    sizes = plan.gpu["gpus_per_replica"].shape[1]
    n_gpu = sum(1 for o in plan.options if o.kind == "gpu")
    rows = len(ids) - n_gpu + n_gpu * sizes
    assert sizes > 1 and sweep.chunk_points(gpu, list(range(len(ids)))) == sweep.CELLS // rows
    hosted_only = [i for i, x in enumerate(ids) if not x.startswith("gpu/")]
    assert sweep.chunk_points(gpu, hosted_only) == sweep.CHUNK


def test_a_gpu_sweep_is_the_same_in_its_own_chunks_as_in_chunks_of_any_size(book):
    designs, ids, varies = load(book, "self-hosted-wins", ["volume.tasks_per_month=1000:1e9:5001:log"])
    own = sweep.run(designs, varies, "total_cost_per_success", order=tie_order(ids))
    assert sweep.chunk_points(designs, list(range(len(ids)))) < 5001  # several chunks
    for chunk in (777, 5001):
        other = sweep.run(designs, varies, "total_cost_per_success", chunk=chunk, order=tie_order(ids))
        for k in ("winner", "runner_up", "winner_value", "runner_value", "middle"):
            np.testing.assert_array_equal(own[k], other[k])
