"""Golden files: every output format of every shipped scenario, byte for byte.

Regenerate after an intended change with ``AICOST_UPDATE_GOLDEN=1 pytest tests/test_golden.py``
and review the diff.
"""

from __future__ import annotations

import os

import pytest

from aicost import paths
from aicost.comparison import run
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
    text = render(results[name], fmt, width=160, color=False)
    path = GOLDEN / f"{name}.{EXT[fmt]}"
    if UPDATE or not path.exists():
        path.write_text(text, encoding="utf-8", newline="")
        if not UPDATE:
            pytest.fail(f"golden file {path.name} was missing and has been written; rerun")
    assert text == path.read_bytes().decode("utf-8"), f"{path.name} differs; AICOST_UPDATE_GOLDEN=1 to accept"


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
