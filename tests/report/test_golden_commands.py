"""Golden files of every other command's output, one folder per command under tests/golden/:
the bytes on stdout for each format, at a fixed pricing date. ``pytest --update-golden`` rewrites
them after an intended change."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from aicost.cli import app
from conftest import AS_OF, ROOT

GOLDEN = ROOT / "tests" / "golden"
EXT = {"table": "txt", "json": "json", "csv": "csv", "markdown": "md", "focus": "focus.csv"}
DAY = ["--as-of", AS_OF.isoformat()]
CASES = {
    "sweep": (["sweep", "support-assistant", "--vary", "caching.hit_rate=0:1:5", *DAY], ("table", "csv", "json")),
    "breakeven": (["breakeven", "triage-cascade", "--vary", "models.gpt-5-mini.p_success=0.5:0.99", *DAY],
                  ("table", "json")),
    "sensitivity": (["sensitivity", "nightly-extraction", *DAY], ("table", "csv", "json", "markdown")),
    "export": (["export", "support-assistant", "nightly-extraction", *DAY], ("csv", "focus", "json")),
    "allocate": (["allocate", "tests/data/usage/litellm.csv", "--from", "litellm", "--by", "team,feature",
                  "--on-error", "skip"], ("table", "csv", "json", "focus")),
    "gpu": (["gpu", "self-hosted-wins", *DAY], ("markdown",)),
}


@pytest.mark.parametrize("command,fmt", [(c, f) for c, (_, fmts) in CASES.items() for f in fmts])
def test_command_output_matches_its_golden_file(command, fmt, monkeypatch):
    monkeypatch.chdir(ROOT)
    argv, _ = CASES[command]
    r = CliRunner().invoke(app, argv + ["--format", fmt])
    assert r.exit_code == 0, r.output
    path = GOLDEN / command / f"{argv[1] if command == 'gpu' else command}.{EXT[fmt]}"
    if os.environ.get("AICOST_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(r.stdout_bytes)
    assert path.exists(), f"{path} is missing: run pytest --update-golden"
    assert r.stdout_bytes == path.read_bytes(), f"{path.name} differs; rerun with --update-golden to accept"
