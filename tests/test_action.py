"""The composite GitHub Action (action.yml) runs as written: its check step's script, with the
inputs' defaults and then with a baseline, on a copy of the bundled scenarios (issue 17, item 3)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys

import yaml

from conftest import ROOT

ACTION = yaml.safe_load((ROOT / "action.yml").read_text())


def _step(step_id: str) -> dict:
    return next(s for s in ACTION["runs"]["steps"] if s.get("id") == step_id)


def _run(tmp_path, **inputs) -> tuple[int, str]:
    shim = tmp_path / "bin"
    shim.mkdir(exist_ok=True)
    exe = shim / "aicost"  # the installed command, as the action's install step makes it
    exe.write_text(f"#!/bin/sh\nexec {sys.executable} -m aicost \"$@\"\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    out = tmp_path / "github-output"
    out.write_text("")
    defaults = {k: v.get("default", "") for k, v in ACTION["inputs"].items()}
    values = {**defaults, **inputs}
    env = {**os.environ, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}", "GITHUB_OUTPUT": str(out),
           "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"), "AICOST_PATHS": values["paths"],
           "AICOST_COMPARE_TO": values["compare-to"], "AICOST_FAIL_ON_WARN": values["fail-on-warn"]}
    r = subprocess.run(["bash", "-c", _step("check")["run"]], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=300)
    return r.returncode, out.read_text() + r.stdout + r.stderr


def test_the_action_is_a_composite_that_installs_this_repository():
    assert ACTION["runs"]["using"] == "composite"
    install = next(s for s in ACTION["runs"]["steps"] if "pip install" in s.get("run", ""))
    assert '"${{ github.action_path }}"' in install["run"]  # from the action's own copy, never the index


def test_the_check_step_runs_with_the_defaults_and_with_a_baseline(tmp_path):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    code, said = _run(tmp_path)
    assert code == 0 and "exit-code=0" in said, said
    assert (tmp_path / "aicost-junit.xml").stat().st_size > 0 and (tmp_path / "aicost.json").stat().st_size > 0
    assert (tmp_path / "summary.md").read_text().startswith("<!-- aicost-check -->")
    shutil.copy(tmp_path / "aicost.json", tmp_path / "base.json")
    code, said = _run(tmp_path, **{"compare-to": "base.json", "fail-on-warn": "false"})
    assert code == 0 and "exit-code=0" in said, said


def test_a_budget_breach_fails_the_step_with_exit_1(tmp_path):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    f = tmp_path / "scenarios" / "support-assistant.yaml"
    f.write_text(f.read_text().replace("max_monthly_cost:", "max_monthly_cost: 1 #", 1))
    code, said = _run(tmp_path)
    assert code == 1 and "exit-code=1" in said and "::error file=scenarios/support-assistant.yaml" in said
