"""The README stays true: its commands run as written and its worked example matches."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

import pytest

import aicost
from conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def sh_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", README, flags=re.S)


def aicost_commands() -> list[str]:
    return [line.strip() for block in sh_blocks() for line in block.splitlines() if line.strip().startswith("aicost ")]


def test_ci_runs_the_readme_test_command():
    test_cmd = next(line for b in sh_blocks() for line in b.splitlines() if "pytest" in line)
    ci = (ROOT / ".ci" / "run").read_text()
    assert test_cmd.strip() in ci


@pytest.mark.parametrize("command", aicost_commands())
def test_readme_command_runs(command, tmp_path):
    args = shlex.split(command)[1:]
    r = subprocess.run([sys.executable, "-m", "aicost", *args], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "AICOST_TEST_OUTPUT_DIR": str(tmp_path)})
    assert r.returncode == 0, r.stderr
    if "--output" not in args:
        assert r.stdout.strip()
    out = ROOT / "worked-example.csv"
    if out.exists():
        out.unlink()
    if "--chart" in args:  # the chart is written where the README says; check it, then tidy up
        chart = ROOT / args[args.index("--chart") + 1]
        assert chart.stat().st_size > 1000
        chart.unlink()


def test_readme_python_example_runs():
    code = re.search(r"```python\n(.*?)```", README, flags=re.S).group(1)
    exec(compile(code, "README.md", "exec"), {})


def test_worked_example_figures_match_the_readme(book):
    from aicost.analyses.compare import run
    o = run(["worked-example"], book=book).scenarios[0].options[0]
    m = o.metrics
    # the README's arithmetic, line by line
    assert m["cost_per_attempt"] == pytest.approx((1000 * 0.25 + 1600 * 0.025 + 400 * 0.25 + 300 * 2) / 1e6)
    assert m["expected_attempts"] == pytest.approx(1.24)
    assert m["p_success"] == pytest.approx(0.992) and m["p_given_up"] == pytest.approx(0.008)
    assert m["cost_per_success"] == pytest.approx(0.0512375)
    assert m["cost_per_resolved_task"] == pytest.approx(0.0668276)
    assert m["monthly_cost"] == pytest.approx(768.276)
    assert m["roi"] == pytest.approx(684.688 / 11219.312)
    assert m["payback_months"] == pytest.approx(2000 / 223.724)
    for figure in ("$0.0512375", "$0.0668276", "$768.28", "8.9 months", "6.1%"):
        assert figure in README


def test_bundled_data_works_from_any_directory(tmp_path):
    r = subprocess.run([sys.executable, "-m", "aicost", "compare", "--top", "3"], capture_output=True, text=True,
                       cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr
    assert "Support assistant" in r.stdout and "Best:" in r.stdout
