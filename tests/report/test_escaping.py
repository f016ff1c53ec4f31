"""Text that reaches a terminal or a CI log is shown, not obeyed (issue 16, item 6, part): a name
holding a line break and ``::error ...`` starts no workflow command; ESC and NUL are not raw."""

from __future__ import annotations

import pytest
import yaml
from typer.testing import CliRunner

from aicost.base.errors import Problem, visible
from aicost.base.paths import bundled_scenarios
from aicost.cli import app

runner = CliRunner()
EVIL = "Evil\n::error file=x.py::owned\x1b[31m\x00"


def test_visible_shows_control_characters_as_escapes():
    assert visible(EVIL) == "Evil\\n::error file=x.py::owned\\x1b[31m\\x00"
    assert str(Problem("a\nb.yaml", 3, "k\r", "bad\x1b")) == "a\\nb.yaml:3: k\\r: bad\\x1b"


def test_a_hostile_scenario_name_cannot_start_a_workflow_command(tmp_path):
    data = yaml.safe_load(bundled_scenarios()["worked-example"].read_text())
    data["name"] = EVIL
    f = tmp_path / "evil.yaml"
    f.write_text(yaml.safe_dump(data))
    r = runner.invoke(app, ["compare", str(f)])
    assert r.exit_code == 0, r.output
    assert not any(line.lstrip().startswith("::") for line in r.stdout.splitlines())
    assert "\x1b" not in r.stdout and "\x00" not in r.stdout


def test_a_hostile_yaml_key_in_a_problem_is_shown_not_obeyed(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text(bundled_scenarios()["worked-example"].read_text() + '"x\\n::error::owned": 1\n')
    r = runner.invoke(app, ["compare", str(f)])
    assert r.exit_code == 2
    assert not any(line.startswith("::") for line in r.stderr.splitlines())
    assert "x\\n::error::owned" in r.stderr


# ---- every output a person or a CI log reads (issue 16, item 6, rest) ----------------------------
LIVE = "Evil\n::error file=x.py::owned\x1b[31m\x00 ![img](https://e.example/x.png) [click](https://e.example) @octocat `t"


def _evil_scenario(tmp_path, bundled="worked-example"):
    data = yaml.safe_load(bundled_scenarios()[bundled].read_text())
    data["name"] = LIVE
    f = tmp_path / "evil.yaml"
    f.write_text(yaml.safe_dump(data))
    return f


def _inert(text: str, markdown: bool) -> None:
    assert "\x1b" not in text and "\x00" not in text
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    if markdown:
        assert "![img](" not in text and "[click](" not in text  # no image loads, no link
        assert "@octocat" not in text  # nobody is mentioned


def test_markdown_escaper_keeps_text_and_makes_it_inert():
    from aicost.report.markdown import code, esc

    assert esc("a|b") == "a\\|b"
    assert esc("![x](http://h/i.png)") == "!\\[x\\](http://h/i.png)"
    assert esc("@team") == "&#64;team" and esc("<img src=x>") == "&lt;img src=x&gt;"
    assert esc("a\nb") == "a\\\\nb"  # a line break stays on its line, shown as \n
    assert code("gpt-5-mini") == "`gpt-5-mini`"
    assert code("a`b") == "``a`b``" and code("`x") == "`` `x ``"  # the fence outlasts any backtick run


@pytest.mark.parametrize("args, markdown, bundled", [
    (["compare"], False, "worked-example"), (["compare", "-f", "markdown"], True, "worked-example"),
    (["sweep", "--vary", "volume.tasks_per_month=1000:1e6:5"], False, "worked-example"),
    (["sweep", "--vary", "volume.tasks_per_month=1000:1e6:5", "-f", "csv"], False, "worked-example"),
    (["breakeven", "--vary", "volume.tasks_per_month=1000:1e9"], False, "worked-example"),
    (["export"], False, "worked-example"), (["export", "-f", "focus"], False, "worked-example"),
    (["check", "-f", "markdown", "--set", "budget.max_monthly_cost=1e9"], True, "worked-example"),
    (["gpu"], False, "self-hosted-wins"), (["gpu", "-f", "markdown"], True, "self-hosted-wins"),
], ids=lambda x: " ".join(x) if isinstance(x, list) else None)
def test_a_hostile_name_is_inert_in_every_view(tmp_path, args, markdown, bundled):
    f = _evil_scenario(tmp_path, bundled)
    r = runner.invoke(app, [args[0], str(f), *args[1:]])
    assert r.exit_code in (0, 1), r.output
    _inert(r.stdout, markdown)
    _inert(r.stderr, False)


def test_the_job_summary_is_inert_markdown(tmp_path, monkeypatch):
    f = _evil_scenario(tmp_path)
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    r = runner.invoke(app, ["check", str(f), "--set", "budget.max_monthly_cost=1e9"])
    assert r.exit_code in (0, 1), r.output
    _inert(summary.read_text(), True)


@pytest.mark.parametrize("where, said", [("{d}/missing/summary.md", "No such file or directory"),
                                         ("{d}", "it is a directory"), ("/dev/full", "No space left on device")])
def test_a_job_summary_that_cannot_be_written_is_exit_2(tmp_path, monkeypatch, where, said):
    f = _evil_scenario(tmp_path)
    path = where.format(d=tmp_path)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", path)
    out = tmp_path / "report.json"
    r = runner.invoke(app, ["check", str(f), "--set", "budget.max_monthly_cost=1e9", "--output", f"json={out}"])
    assert r.exit_code == 2 and r.stdout == ""
    assert f"{path}: cannot write the job summary ($GITHUB_STEP_SUMMARY): {said}" in r.stderr
    assert not out.exists()  # nothing else written


def test_csv_cells_show_control_characters_unless_raw():
    from aicost.report.csvsafe import cell

    assert cell("a\nb") == "a\\nb" and cell("\x1b[31m") == "\\x1b[31m"
    assert cell("\n=1+1") == "\\n=1+1" and cell("=1+1") == "'=1+1"
    assert cell("a\nb", raw=True) == "a\nb"


def test_the_net_under_the_renderers():
    from aicost.base.errors import inert

    assert inert("ok\n::error::x\n  ::warning::y\n") == "ok\n\\::error::x\n\\  ::warning::y\n"
    assert inert("\x1b[1mbold\x1b[0m", colour=True) == "\x1b[1mbold\x1b[0m"
    assert inert("\x1b[1m\x00", colour=False) == "\\x1b[1m\\x00"


@pytest.mark.parametrize("fmt", ["table", "csv", "focus"])
def test_a_hostile_tag_is_inert_in_the_showback(tmp_path, fmt):
    import csv

    log = tmp_path / "usage.csv"
    with open(log, "w", newline="") as fh:
        csv.writer(fh).writerows([["timestamp", "provider", "model", "tier", "input_tokens", "output_tokens", "team"],
                                  ["2026-10-01", "openai", "gpt-5-mini", "standard", "1000", "100", LIVE]])
    r = runner.invoke(app, ["allocate", str(log), "-f", fmt])
    assert r.exit_code == 0, r.output
    _inert(r.stdout, False)
