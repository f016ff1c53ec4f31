"""The command line: help with an example everywhere, version, formats, streams."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner
from typer.main import get_command

from aicost.report.explain import reason, says  # noqa: F401
from aicost import __version__
from aicost.cli import app

runner = CliRunner()


def all_commands():
    root = get_command(app)
    out = [((), root)]

    def walk(cmd, prefix):
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            out.append((prefix + (name,), sub))
            walk(sub, prefix + (name,))
    walk(root, ())
    return out


@pytest.mark.parametrize("path,cmd", all_commands(), ids=lambda x: " ".join(x) if isinstance(x, tuple) else "")
def test_every_command_has_help_with_an_example(path, cmd):
    r = runner.invoke(app, [*path, "--help"])
    assert r.exit_code == 0
    assert "Example:" in r.output and "aicost " in r.output


def test_version():
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.output.strip() == f"aicost {__version__}"


def test_json_on_stdout_is_parseable_and_messages_stay_off_it(tmp_path):
    r = runner.invoke(app, ["compare", "worked-example", "--format", "json"])
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["version"] == "1" and data["currency"] == "USD"
    opt = data["scenarios"][0]["options"][0]
    for key in ("id", "provider", "model", "tier", "caching", "eligible", "reason", "cost_per_attempt",
                "expected_attempts", "p_success", "cost_per_success", "cost_per_resolved_task", "monthly_cost",
                "roi", "payback_months"):
        assert key in opt


def test_output_file_is_written_whole(tmp_path):
    out = tmp_path / "r.csv"
    r = runner.invoke(app, ["compare", "worked-example", "-f", "csv", "-o", str(out)])
    assert r.exit_code == 0
    assert out.read_bytes().startswith(b"scenario,file,rank,option")
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_filters_and_top():
    r = runner.invoke(app, ["compare", "support-assistant", "--tier", "priority", "--provider", "anthropic",
                            "-f", "json"])
    opts = json.loads(r.stdout)["scenarios"][0]["options"]
    assert opts and all(o["tier"] == "priority" and o["provider"] == "anthropic" for o in opts)
    r = runner.invoke(app, ["compare", "support-assistant", "--top", "2", "-f", "json"])
    assert len(json.loads(r.stdout)["scenarios"][0]["options"]) == 2


def test_unknown_provider_is_an_error():
    r = runner.invoke(app, ["compare", "--provider", "openia"])
    assert r.exit_code == 2
    assert "unknown provider 'openia' (did you mean 'openai'?)" in r.stderr


def test_undefined_values_are_null_with_a_reason():
    r = runner.invoke(app, ["compare", "worked-example", "-f", "json", "--set", "models.gpt-5-mini.p_success=0"])
    opt = json.loads(r.stdout)["scenarios"][0]["options"][0]
    assert opt["cost_per_success"] is None and opt["payback_months"] is None
    assert any("no successful outcomes" in n for n in opt["notes"])
