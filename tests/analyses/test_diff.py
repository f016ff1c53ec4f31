"""``aicost diff``: what changed between two compare reports, per scenario and in total, and why
(issue 17, item 3). The drivers add up to the change, worked by hand below."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from aicost.analyses.diff import diff, drivers
from aicost.cli import app

runner = CliRunner()


def _scenario(tasks, meters_cost, meters_tokens, monthly, attempts=1.0):
    option = {"id": "p/m:standard", "monthly_cost": monthly, "total_cost_per_success": monthly / tasks,
              "expected_attempts": attempts, "meters": {"cost": meters_cost, "tokens": meters_tokens}}
    return {"name": "S", "file": "s.yaml", "tasks_per_month": tasks, "best": option["id"], "options": [option]}


def test_drivers_worked_by_hand():
    """Base: 1,000 tasks; input 1M tokens at $10/M ($10), output 0.5M at $40/M ($20), review $100,
    fixed $50: $180. Head: 1,200 tasks (+20%), input 1.1k tokens a task (+10%) at $12/M (+20%),
    output unchanged per task, review $130, fixed $60: 15.84 + 24 + 130 + 60 = $229.84.
    volume: (10 + 20 + 100) x 0.2 = 26; tokens: $10/M x (1.32M - 1.2M) = 1.2;
    price: ($12 - $10)/M x 1.32M = 2.64; review: 130 - 120 = 10; fixed: 60 - 50 = 10."""
    base = _scenario(1000, {"input": 10, "output": 20, "review": 100, "fixed": 50},
                     {"input": 1e6, "output": 5e5}, 180.0)
    head = _scenario(1200, {"input": 15.84, "output": 24, "review": 130, "fixed": 60},
                     {"input": 1.32e6, "output": 6e5}, 229.84)
    got = {d.kind: d.amount for d in drivers(base, base["options"][0], head, head["options"][0])}
    assert got == pytest.approx({"volume": 26.0, "tokens": 1.2, "price": 2.64, "people": 10.0, "fixed": 10.0})
    assert sum(got.values()) == pytest.approx(229.84 - 180.0)


def _report(tmp_path, name, *args, scenarios=("worked-example", "support-assistant")):
    r = runner.invoke(app, ["compare", *scenarios, "--as-of", "2026-11-29", "-f", "json", *args])
    assert r.exit_code == 0, r.output
    p = tmp_path / name
    p.write_text(r.stdout)
    return p


def test_a_change_in_volume_and_tokens_is_explained_and_reconciles(tmp_path):
    base = _report(tmp_path, "base.json")
    head = _report(tmp_path, "head.json", "--set", "volume.tasks_per_month=*1.2",
                   "--set", "attempt.steps[0].output_tokens=*1.1")
    res = diff(base, head)
    assert [s.status for s in res.scenarios] == ["changed", "changed"]
    for s in res.scenarios:
        assert sum(d.amount for d in s.drivers) == pytest.approx(s.change, rel=1e-9)
        assert s.drivers[0].kind == "volume" and "tokens" in {d.kind for d in s.drivers}
    t = res.totals()
    assert t["change"] == pytest.approx(sum(s.change for s in res.scenarios))
    data = json.loads(runner.invoke(app, ["diff", str(base), str(head), "-f", "json"]).stdout)
    assert data["kind"] == "diff" and data["totals"]["change"] == pytest.approx(t["change"], rel=1e-11)


def test_unchanged_added_and_removed(tmp_path):
    base = _report(tmp_path, "base.json")
    same = diff(base, base)
    assert {s.status for s in same.scenarios} == {"unchanged"} and same.totals()["change"] == 0
    r = runner.invoke(app, ["compare", "worked-example", "triage-cascade", "--as-of", "2026-11-29", "-f", "json"])
    other = tmp_path / "other.json"
    other.write_text(r.stdout)
    statuses = {s.scenario: s.status for s in diff(base, other).scenarios}
    assert statuses == {"Worked example": "unchanged", "Support assistant": "removed",
                        "Email triage cascade": "added"}


def test_a_new_recommendation_is_said_first(tmp_path):
    base = _report(tmp_path, "base.json", scenarios=["support-assistant"])
    head = _report(tmp_path, "head.json", "--set", "models.gpt-5.4-mini.p_success=0.2", scenarios=["support-assistant"])
    out = runner.invoke(app, ["diff", str(base), str(head)]).stdout
    assert "recommendation changed: openai/gpt-5.4-mini:standard:cached →" in out


def test_the_markdown_is_a_comment_a_job_can_update(tmp_path):
    base = _report(tmp_path, "base.json")
    head = _report(tmp_path, "head.json", "--set", "volume.tasks_per_month=*2")
    md = runner.invoke(app, ["diff", str(base), str(head), "-f", "markdown"]).stdout
    assert md.startswith("<!-- aicost-diff -->\n## aicost: cost changes")
    assert "| Support assistant |" in md


@pytest.mark.parametrize("content, said", [('{"kind": "check", "scenarios": []}', "not an aicost compare report"),
                                           ("{nope", "not a JSON file"), ("[" * 100000 + "]" * 100000, "nested too deeply")])
def test_a_file_that_is_not_a_compare_report_is_exit_2(tmp_path, content, said):
    base = _report(tmp_path, "base.json")
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    r = runner.invoke(app, ["diff", str(base), str(bad)])
    assert r.exit_code == 2 and r.stdout == "" and said in r.stderr
