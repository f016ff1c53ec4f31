"""The CI jobs in docs/ci.md run as written: every aicost command in them, on a copy of the
bundled scenarios, with the files they name written and the exit code they lead to."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
import yaml

from conftest import ROOT

DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
JOBS = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", DOC, flags=re.S)]
SH = [line.strip() for b in re.findall(r"```sh\n(.*?)```", DOC, flags=re.S) for line in b.splitlines()
      if line.strip().startswith("aicost ")]
BUDGETS = re.search(r"```yml\n(.*?)```", DOC, flags=re.S).group(1)


def commands(job) -> list[str]:
    if "jobs" in job:  # GitHub Actions
        runs = [s["run"] for j in job["jobs"].values() for s in j["steps"] if "run" in s]
    else:  # GitLab CI
        runs = [line for j in job.values() for line in j.get("script", [])]
    return [r.split("#")[0].strip() for r in runs if r.strip().startswith("aicost ")]


def test_the_doc_has_a_github_and_a_gitlab_job():
    assert len(JOBS) == 2 and "jobs" in JOBS[0] and "aicost-budgets" in JOBS[1]
    assert JOBS[1]["aicost-budgets"]["artifacts"]["reports"]["junit"] == "aicost-junit.xml"


@pytest.mark.parametrize("job", JOBS, ids=["github", "gitlab"])
def test_each_job_runs_as_written(job, tmp_path):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    summary = tmp_path / "step-summary.md"
    env = {**os.environ, "AICOST_TEST_OUTPUT_DIR": str(tmp_path)}
    if "jobs" in job:
        env["GITHUB_STEP_SUMMARY"] = str(summary)
        env["GITHUB_ACTIONS"] = "true"
    else:
        env.pop("GITHUB_STEP_SUMMARY", None)
    cmds = commands(job)
    assert cmds
    for cmd in cmds:
        r = subprocess.run([sys.executable, "-m", "aicost", *shlex.split(cmd)[1:]], capture_output=True, text=True,
                           cwd=tmp_path, env=env)
        assert r.returncode == 0, r.stdout + r.stderr  # the bundled budgets pass (with warnings)
        for out in re.findall(r"--output \w+=(\S+)", cmd):
            assert (tmp_path / out).stat().st_size > 0
        if "junit=" in cmd:
            root = ET.parse(tmp_path / "aicost-junit.xml").getroot()
            assert root.tag == "testsuites" and sum(int(s.get("tests")) for s in root) >= 4
        if "--format github" in cmd:
            assert "::warning file=scenarios/support-assistant.yaml,line=" in r.stdout
            assert summary.read_text().startswith("<!-- aicost-check -->\n## aicost budget check")


def test_the_baseline_commands_run_in_order_and_the_budgets_file_example_is_valid(tmp_path):
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_STEP_SUMMARY"}
    assert len(SH) == 6
    outs = []
    for cmd in SH:
        cmd, _, redirect = cmd.partition(" > ")  # the PR-comment job saves the report to a file
        r = subprocess.run([sys.executable, "-m", "aicost", *shlex.split(cmd)[1:]], capture_output=True, text=True,
                           cwd=tmp_path, env=env)
        assert r.returncode == 0, r.stdout + r.stderr
        outs.append(r.stdout)
        if redirect:
            (tmp_path / redirect.split()[0]).write_text(r.stdout)
    assert "max_increase.cost_per_success" in outs[1] and "allowed +10%" in outs[1]
    assert (tmp_path / "aicost.md").read_text().startswith("<!-- aicost-check -->\n")  # the comment's marker
    (diffed,) = [out for cmd, out in zip(SH, outs) if cmd.startswith("aicost diff")]
    assert diffed.startswith("<!-- aicost-diff -->\n## aicost: cost changes")
    (tmp_path / "team.yaml").write_text(BUDGETS)
    r = subprocess.run([sys.executable, "-m", "aicost", "check", "team.yaml"], capture_output=True, text=True,
                       cwd=tmp_path, env=env)
    assert r.returncode in (0, 1), r.stdout + r.stderr  # valid input: within or over budget, never an error
    assert "team.yaml:" in r.stdout or r.returncode == 0
