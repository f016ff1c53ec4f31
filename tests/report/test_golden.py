"""Golden files: every output format of every shipped scenario, byte for byte.

Regenerate after an intended change with ``pytest tests/report/test_golden.py --update-golden``
and review the diff.
"""

from __future__ import annotations

import os

import pytest

from aicost.base import paths
from aicost.analyses.compare import run
from aicost.report import Format, render
from conftest import AS_OF, ROOT

GOLDEN = ROOT / "tests" / "golden"
UPDATE = bool(os.environ.get("AICOST_UPDATE_GOLDEN"))
SCENARIOS = sorted(paths.bundled_scenarios())
EXT = {"table": "txt", "json": "json", "csv": "csv", "markdown": "md"}


@pytest.fixture(scope="module")
def results(book):
    return {name: run([name], as_of=AS_OF, book=book) for name in SCENARIOS}


@pytest.mark.parametrize("fmt", [f.value for f in Format])
@pytest.mark.parametrize("name", SCENARIOS)
def test_golden(results, name, fmt):
    text = render(results[name], fmt, width=160, color=False, show_all=True)
    path = GOLDEN / "compare" / f"{name}.{EXT[fmt]}"
    if UPDATE or not path.exists():
        path.write_text(text, encoding="utf-8", newline="")
        if not UPDATE:
            pytest.fail(f"golden file {path.name} was missing and has been written; rerun")
    assert text == path.read_bytes().decode("utf-8"), f"{path.name} differs; rerun with --update-golden to accept"


def test_same_input_gives_identical_bytes(book):
    a = render(run(SCENARIOS, as_of=AS_OF, book=book), "json")
    b = render(run(SCENARIOS, as_of=AS_OF, book=book), "json")
    assert a == b


def test_shipped_scenarios_pull_different_ways(results):
    """The four examples are chosen so that different tiers win (see their comments)."""
    best = {name: results[name].scenarios[0].best for name in SCENARIOS}
    assert best["support-assistant"].tier in ("standard", "priority")
    assert best["nightly-extraction"].tier == "batch"
    assert best["bulk-classification"].tier == "flex"
    assert best["research-agent"].tier == "flex"
    assert best["self-hosted-wins"].kind == "gpu" and best["self-hosted-wins"].model == "llama-3.1-8b"
    assert best["self-hosted-loses"].kind == "hosted"


@pytest.mark.parametrize("name", ["self-hosted-wins", "self-hosted-loses"])
@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_gpu_view_golden(book, name, fmt):
    from aicost.inputs import scenario as scenario_mod
    from aicost.analyses.gpu import gpu_report

    report = gpu_report(scenario_mod.load(name, book), book, AS_OF)
    text = render(report, fmt)
    path = GOLDEN / "gpu" / f"{name}.{EXT[fmt]}"
    if UPDATE:
        path.write_text(text, encoding="utf-8", newline="")
    assert path.exists(), f"{path} is missing: run pytest --update-golden"
    assert text == path.read_bytes().decode("utf-8"), f"{path.name} differs; rerun with --update-golden to accept"


def test_gpu_view_break_even_is_checked_by_evaluation(book):
    """The reported break-even volume: the GPU option and the hosted one cost the same there."""
    from aicost.inputs import scenario as scenario_mod
    from aicost.analyses.gpu import gpu_report

    report = gpu_report(scenario_mod.load("self-hosted-wins", book), book, AS_OF)
    top = report.options[0]
    v = top.breakeven["best"]["tasks_per_month"]
    assert top.option.model == "llama-3.1-8b" and 1e7 < v < 1e8
    best = report.references["best"].id
    at = {o.id: o for o in run(["self-hosted-wins"], sets=[f"volume.tasks_per_month={v!r}"], as_of=AS_OF,
                               book=book).scenarios[0].options}
    assert at[top.option.id].metrics["cost_per_success"] == pytest.approx(at[best].metrics["cost_per_success"],
                                                                              rel=1e-6)
