"""What-if runs: sweeps equal compare point by point, break-evens are real crossings, charts
are the expected images, and bad --vary input is a clear error."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from aicost.inputs import scenario as scenario_mod
from aicost.cli import app
from aicost.analyses.compare import compare_designs
from aicost.inputs.pricebook import PriceBook
from aicost.analyses.whatif import breakeven_report, sweep_report

runner = CliRunner()
BOOK = PriceBook.load([])


def point(scenario, sets):
    """Each option (with its figures) as compare gives it, for every design of the scenario."""
    res = compare_designs(scenario_mod.load(scenario, BOOK, sets), BOOK)
    return {o.id: o for o in res.options}


def usable_cps(o, metric="total_cost_per_success"):
    """The figure sweeps and break-evens use by default (what compare ranks by); None where not usable."""
    v = o.metrics.get(metric)
    return v if (o.eligible and v is not None and np.isfinite(v)) else None


@pytest.mark.parametrize("scenario,vary", [
    ("support-assistant", "volume.tasks_per_month=1000:1000000:4"),
    ("triage-cascade", "models.gpt-5-mini.p_success=0.5:0.95:4"),
    ("self-hosted-wins", "volume.tasks_per_month=1000000:1000000000:3:log"),
    ("self-hosted-wins", "self_hosted.target_utilisation=0.3:0.9:4"),
    ("routed-requests", "segments.policy.share=0.1:0.4:4"),  # a request mix and its routed option
    ("provider-outage", "resilience.availability.openai=0.95:1:3"),  # outages, 429s and failover
    ("minimum-capability", "models.gpt-5.4-mini.format_failure_rate=0:0.04:3"),  # failures by kind
])
def test_a_sweep_point_equals_compare_with_the_same_set_exactly(scenario, vary):
    def fmt(x):
        return str(int(x)) if float(x).is_integer() else repr(float(x))

    rep = sweep_report(scenario, BOOK, [vary], top=64)
    field = vary.split("=")[0]
    for j, x in enumerate(rep["x"][0]):
        opts = point(scenario, [f"{field}={fmt(x)}"])
        for k, i in enumerate(rep["shown"]):
            got = rep["values"][k, j]
            want = usable_cps(opts[rep["ids"][i]])
            assert (want is None and np.isnan(got)) or got == want, (rep["ids"][i], x, got, want)
        best = min((o for o in opts.values() if usable_cps(o) is not None), key=usable_cps)
        assert rep["winner_value"][j] == usable_cps(best)
        assert usable_cps(opts[rep["ids"][rep["winner"][j]]]) == usable_cps(best)


def test_sweep_does_not_change_the_scenario_values():
    ls = scenario_mod.load("support-assistant", BOOK, [])
    before = json.dumps(ls.values(), sort_keys=True, default=str)
    sweep_report("support-assistant", BOOK, ["volume.tasks_per_month=1:10:3"])
    assert json.dumps(scenario_mod.load("support-assistant", BOOK, []).values(), sort_keys=True,
                      default=str) == before


def _order(scenario, field, x, a, b):
    opts = point(scenario, [f"{field}={float(x)!r}"])
    return usable_cps(opts[a]), usable_cps(opts[b])


@pytest.mark.parametrize("scenario,vary,between", [
    ("self-hosted-wins", "volume.tasks_per_month=1e6:1e9:log",
     ["openai/gpt-5-nano:batch",
      "gpu/llama-3.1-8b:h100-sxm:runpod/h100-sxm-80gb-community-cloud:on-demand:autoscaled"]),
    ("triage-cascade", "models.gpt-5-mini.p_success=0.5:0.99", None),
])
def test_breakeven_values_are_equal_there_and_the_order_flips_either_side(scenario, vary, between):
    rep = breakeven_report(scenario, BOOK, vary, between)
    field = rep["field"]
    found = [(p["a"], p["b"], c) for p in rep["pairs"] for c in p["crossings"]]
    assert found, "expected at least one crossing"
    for a, b, c in found:
        x = c["value"]
        assert c["kind"] == "equal"
        va, vb = _order(scenario, field, x, a, b)
        assert va == pytest.approx(vb, rel=1e-6)
        lo_a, lo_b = _order(scenario, field, x * (1 - 1e-5), a, b)
        hi_a, hi_b = _order(scenario, field, x * (1 + 1e-5), a, b)
        below = a if lo_a < lo_b else b
        above = a if hi_a < hi_b else b
        assert below != above
        assert below == c["cheaper_below"] and above == c["cheaper_above"]


def test_breakeven_names_the_cheaper_option_when_there_is_no_crossing():
    r = runner.invoke(app, ["breakeven", "support-assistant", "--vary", "volume.tasks_per_month",
                            "--between", "openai/gpt-5-nano:standard", "--between",
                            "google/gemini-3-flash-preview:standard", "-f", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["summary"] == "google/gemini-3-flash-preview:standard is cheaper over the whole range"
    assert out["pairs"][0]["crossings"] == []


def test_breakeven_default_is_the_current_winner_against_the_others():
    rep = breakeven_report("triage-cascade", BOOK, "models.gpt-5-mini.p_success=0.5:0.99")
    best = compare_designs(scenario_mod.load("triage-cascade", BOOK, []), BOOK).best.id
    assert rep["pairs"] and all(p["a"] == best for p in rep["pairs"])
    values = [c["value"] for p in rep["pairs"] for c in p["crossings"]]
    assert values == sorted(values)


def test_sweep_table_marks_where_the_winner_changes_and_draws_a_terminal_chart():
    r = runner.invoke(app, ["sweep", "self-hosted-wins", "--vary",
                            "volume.tasks_per_month=1000000:1000000000:61:log", "--top", "3"])
    assert r.exit_code == 0, r.output
    assert "◀ new winner" in r.stdout
    lines = r.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("total cost per success from"))
    spark = lines[start + 1:]
    assert len(spark) >= 3 and all(any(ch in line for ch in "▁▂▃▄▅▆▇█") for line in spark)


def test_sweep_csv_and_json_agree_and_give_every_point():
    args = ["sweep", "self-hosted-wins", "--vary", "volume.tasks_per_month=1000000:1000000000:25:log"]
    c = runner.invoke(app, args + ["-f", "csv"])
    j = runner.invoke(app, args + ["-f", "json"])
    assert c.exit_code == 0 and j.exit_code == 0
    rows = [line.split(",") for line in c.stdout.strip().splitlines()]
    data = json.loads(j.stdout)
    assert data["points"] == len(rows) - 1 == 25
    header = rows[0]
    assert header[:3] == ["volume.tasks_per_month", "winner", "winner_total_cost_per_success"]
    assert header[3:] == list(data["options"])
    for n, row in enumerate(rows[1:]):
        assert float(row[0]) == data["x"]["volume.tasks_per_month"][n]
        assert row[1] == data["winner"][n]
        for k, oid in enumerate(header[3:]):
            v = data["options"][oid][n]
            assert (row[3 + k] == "" and v is None) or float(row[3 + k]) == v


def test_a_two_field_sweep_is_a_grid_of_winners():
    rep = sweep_report("research-agent", BOOK, ["caching.hit_rate=0:1:5", "volume.tasks_per_month=1000:100000:4:log"])
    assert rep["winner"].shape == (20,) and rep["values"].shape[1] == 20
    assert np.unique(rep["x"][0]).size == 5 and np.unique(rep["x"][1]).size == 4
    r = runner.invoke(app, ["sweep", "research-agent", "--vary", "caching.hit_rate=0:1:5", "--vary",
                            "volume.tasks_per_month=1000:100000:4:log"])
    assert r.exit_code == 0
    assert "caching.hit_rate \\ volume.tasks_per_month" in r.stdout and "  A = " in r.stdout


@pytest.mark.parametrize("vary,message", [
    ("volume.tasks_per_mnth=1:10", "tasks_per_mnth"),
    ("volume.tasks_per_month=10:1:1", "STEPS must be at least 2"),
    ("volume.tasks_per_month=a:b", "must be numbers"),
    ("volume.tasks_per_month=0:10:5:log", "log range needs START and STOP above 0"),
    ("volume.tasks_per_month=5:5", "different finite numbers"),
    ("models.gpt-5.4.p_success=0.5:1.5", "models.gpt-5.4.p_success"),
    ("volume.tasks_per_month", "give a range"),
])
def test_bad_vary_is_a_clear_error_with_exit_code_2(vary, message):
    r = runner.invoke(app, ["sweep", "research-agent", "--vary", vary])
    assert r.exit_code == 2, r.output
    assert message in r.stderr and "Traceback" not in r.output


def test_the_sweep_chart_is_an_image_of_the_expected_size_with_one_line_per_option(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib.image as mpimg

    from aicost.report.charts import sweep_chart as _sweep_chart

    rep = sweep_report("self-hosted-wins", BOOK, ["volume.tasks_per_month=1000000:1000000000:41:log"], top=4)
    path = tmp_path / "sweep.png"
    fig = _sweep_chart(rep, path)
    img = mpimg.imread(path)
    assert img.shape[:2] == (550, 900)  # 9 x 5.5 inches at 100 dpi
    ax = fig.axes[0]
    assert len(ax.get_lines()) == len(rep["shown"]) >= 4
    assert ax.get_xscale() == "log"
    assert "USD" in ax.get_ylabel() and ax.get_xlabel() == "volume.tasks_per_month"
    changes = int((rep["winner"][1:] != rep["winner"][:-1]).sum())
    assert changes >= 1 and len(ax.texts) == changes  # each change marked and labelled


def test_the_breakeven_chart_marks_each_crossing(tmp_path):
    pytest.importorskip("matplotlib")
    from aicost.report.charts import breakeven_chart as _breakeven_chart

    rep = breakeven_report("self-hosted-wins", BOOK, "volume.tasks_per_month=1e6:1e9:log",
                           ["openai/gpt-5-nano:batch",
                            "gpu/llama-3.1-8b:h100-sxm:runpod/h100-sxm-80gb-community-cloud:on-demand:autoscaled"],
                           chart_points=200)
    fig = _breakeven_chart(rep, tmp_path / "be.svg")
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2 and len(ax.texts) == 1 and ax.texts[0].get_text().startswith("equal at")
    assert (tmp_path / "be.svg").read_text().lstrip().startswith("<?xml")


def test_chart_with_an_unknown_extension_is_exit_2_and_writes_nothing(tmp_path):
    r = runner.invoke(app, ["sweep", "support-assistant", "--vary", "volume.tasks_per_month=1:10",
                            "--chart", str(tmp_path / "x.gif")])
    assert r.exit_code == 2 and not (tmp_path / "x.gif").exists()


def _numeric_leaves(tree, path=()):
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _numeric_leaves(v, path + (k,))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from _numeric_leaves(v, path + (i,))
    elif isinstance(tree, (int, float)) and not isinstance(tree, bool):
        yield ".".join(str(p) for p in path), tree


@pytest.mark.parametrize("scenario", ["self-hosted-wins", "web-research-agent", "triage-cascade", "routed-requests",
                                      "provider-outage"])
def test_every_numeric_field_can_be_swept_and_its_ends_match_compare(scenario):
    """The engine keeps every input's points apart (flags included): no field breaks a sweep, and
    the ends of each sweep equal compare there."""
    from aicost.base.errors import InputError

    swept = 0
    for field, v in _numeric_leaves(scenario_mod.load(scenario, BOOK, []).plain):
        lo, hi = (v * 0.5, v * 1.5) if v else (0.0, 1.0)
        try:
            rep = sweep_report(scenario, BOOK, [f"{field}={lo!r}:{hi!r}:3"], top=3)
        except InputError:
            continue  # an end outside the field's allowed range: the same error as --set
        swept += 1
        x = float(rep["x"][0][-1])
        opts = point(scenario, [f"{field}={int(x) if x.is_integer() else x!r}"])
        want = [usable_cps(opts[rep["ids"][i]]) for i in rep["shown"]]
        got = [None if np.isnan(g) else float(g) for g in rep["values"][:, -1]]
        assert got == want, field
    assert swept >= 20


def test_breakeven_answers_in_a_screen_ties_once_and_rows_by_value():
    r = runner.invoke(app, ["breakeven", "self-hosted-wins", "--vary", "volume.tasks_per_month=1e6:1e9:log",
                            "--as-of", "2026-11-21"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert len(lines) <= 30
    ties = [line for line in lines if "  tie  " in line]
    # always-on and autoscaled rent the same whole replicas over whole intervals: each shown once, as an interval
    assert ties and all(" to " in t for t in ties) and len(ties) == len(set(ties))
    values = [float(line.split()[0].replace(",", "")) for line in lines[3:] if line.split()[0][0].isdigit()
              and " to " not in line]
    assert values == sorted(values)
    data = json.loads(runner.invoke(app, ["breakeven", "self-hosted-wins", "--vary",
                                          "volume.tasks_per_month=1e6:1e9:log", "--as-of", "2026-11-21",
                                          "-f", "json"]).stdout)
    tie = [c for p in data["pairs"] for c in p["crossings"] if c["kind"] == "tie"]
    assert len(tie) >= len(ties) and all(t["until"] > t["value"] and t["cheaper_below"] is None for t in tie)
