"""Text that reaches a terminal or a CI log is shown, not obeyed (issue 16, item 6, part): a name
holding a line break and ``::error ...`` starts no workflow command; ESC and NUL are not raw."""

from __future__ import annotations

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
