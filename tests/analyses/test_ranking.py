"""What ranks first: the total cost per successful outcome by default, so that the Best option
never costs more per month while delivering no more successful outcomes than another eligible
option (domain.md), in every shipped scenario and in random ones; ties ordered by id, the
uncached twin first; --rank-by and options.rank_by pick another figure."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aicost.analyses.compare import run
from aicost.base.paths import bundled_scenarios
from aicost.cli import app
from conftest import AS_OF


def dominated(best, options, tasks: float) -> list[str]:
    """Eligible options that cost no more per month and deliver at least as many successful
    outcomes, one of them strictly better (the Best option should be none's inferior)."""
    b = best.metrics
    out = []
    for o in options:
        m = o.metrics
        if o is best or not o.eligible or m["monthly_cost"] is None or m["p_success"] is None:
            continue
        if b["monthly_cost"] > m["monthly_cost"] * (1 + 1e-12) and b["p_success"] * tasks <= m["p_success"] * tasks:
            out.append(o.id)
    return out


@pytest.mark.parametrize("rank_by", ["total_cost_per_success", "cost_per_success", "cost_per_resolved_task",
                                     "monthly_cost", "net_monthly", "roi"])
@pytest.mark.parametrize("name", sorted(bundled_scenarios()))
def test_the_best_option_of_every_shipped_scenario_is_not_dominated(book, name, rank_by):
    s = run([name], as_of=AS_OF, book=book, rank_by=rank_by).scenarios[0]
    assert s.best is not None
    assert dominated(s.best, s.options, s.tasks_per_month) == []


def test_a_ranking_that_leaves_costs_out_never_puts_a_dominated_option_first(book):
    s = run(["rag-vs-long-context"], sets=["variants.own-vector-db.fixed_monthly=1000000"], as_of=AS_OF,
            book=book, rank_by="cost_per_success").scenarios[0]
    assert not s.best.id.endswith("@own-vector-db")
    assert any(n.code == "dominated_first" for n in s.notes)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(volume=st.floats(10, 5e6), fixed=st.floats(0, 5e4), build=st.floats(0, 5e5), review=st.floats(0, 1),
       p=st.floats(0.3, 1.0), name=st.sampled_from(["support-assistant", "rag-vs-long-context", "triage-cascade"]))
def test_random_scenarios_never_rank_a_dominated_option_first(book, volume, fixed, build, review, p, name):
    sets = [f"volume.tasks_per_month={volume!r}", f"value.fixed_monthly={fixed!r}", f"value.build_cost={build!r}",
            f"people.review_share={review!r}", f"quality.detection_rate={p!r}"]
    s = run([name], sets=sets, as_of=AS_OF, book=book).scenarios[0]
    if s.best is not None:
        assert dominated(s.best, s.options, s.tasks_per_month) == []


def test_a_design_with_a_huge_monthly_cost_is_never_best(book):
    s = run(["rag-vs-long-context"], sets=["variants.own-vector-db.fixed_monthly=1000000"], as_of=AS_OF,
            book=book).scenarios[0]
    assert not s.best.id.endswith("@own-vector-db")
    assert s.options[0].id == s.best.id


def test_identical_twins_rank_uncached_first(book):
    s = run(["worked-example"], sets=["caching.hit_rate=0", "options.caching=[false, true]"], as_of=AS_OF,
            book=book).scenarios[0]
    a, b = s.options[0], s.options[1]
    assert a.metrics["total_cost_per_success"] == b.metrics["total_cost_per_success"]
    assert (a.id, b.id) == ("openai/gpt-5-mini:standard", "openai/gpt-5-mini:standard:cached")


@pytest.mark.parametrize("rank_by,sign", [("cost_per_success", 1), ("monthly_cost", 1), ("roi", -1),
                                          ("net_monthly", -1), ("cost_per_resolved_task", 1)])
def test_rank_by_orders_the_eligible_options_by_that_figure(book, rank_by, sign):
    s = run(["support-assistant"], as_of=AS_OF, book=book, rank_by=rank_by).scenarios[0]
    values = [sign * o.metrics[rank_by] for o in s.options if o.eligible]
    moved = any(n.code == "dominated_first" for n in s.notes)  # only the leader may have moved
    assert (values[1:] if moved else values) == sorted(values[1:] if moved else values)
    assert s.rank_by == rank_by and s.best is s.options[0]


def test_the_scenario_can_name_its_ranking_and_the_best_line_says_it():
    r = CliRunner().invoke(app, ["compare", "support-assistant", "--set", "options.rank_by=monthly_cost",
                                 "--as-of", AS_OF.isoformat(), "--top", "3"])
    assert r.exit_code == 0, r.output
    best = r.stdout[r.stdout.index("Best:"):].split("\n#")[0]  # the Best line, wrapped to the width
    assert " ".join(best.split()).endswith("(ranked by monthly cost)")
    r = CliRunner().invoke(app, ["compare", "support-assistant", "--rank-by", "roi", "--as-of", AS_OF.isoformat(),
                                 "--format", "json"])
    assert '"rank_by": "roi"' in r.stdout
