"""results/: every command's result has its kind, and its JSON starts with version and kind
(written in one place), whatever the command."""

from __future__ import annotations

import json

import pytest

import aicost
from aicost.report import render
from aicost.results.base import RESULT_VERSION, envelope
from conftest import AS_OF, ROOT

RESULTS = {
    "compare": lambda: aicost.compare_result("worked-example", as_of=AS_OF),
    "gpu": lambda: aicost.gpu_result("self-hosted-wins", as_of=AS_OF, breakeven=False),
    "sweep": lambda: aicost.sweep_result("worked-example", ["caching.hit_rate=0:1:3"], as_of=AS_OF),
    "breakeven": lambda: aicost.breakeven_result("triage-cascade", "models.gpt-5-mini.p_success=0.5:0.99",
                                                 as_of=AS_OF),
    "sensitivity": lambda: aicost.sensitivity_result("nightly-extraction", as_of=AS_OF),
    "check": lambda: aicost.check_result([str(ROOT / "tests" / "data" / "check" / "within.yaml")], as_of=AS_OF),
    "export": lambda: aicost.export_result("worked-example", as_of=AS_OF),
    "allocation": lambda: aicost.allocate_result([ROOT / "tests" / "data" / "usage" / "litellm.csv"],
                                                 source="litellm", on_error="skip"),
}


def test_the_envelope_puts_version_and_kind_first():
    assert list(envelope("x", {"a": 1})) == ["version", "kind", "a"] and RESULT_VERSION == "1"


@pytest.mark.parametrize("kind", sorted(RESULTS))
def test_every_result_has_its_kind_and_renders_versioned_json(kind):
    result = RESULTS[kind]()
    assert result.kind == kind
    data = json.loads(render(result, "json"))
    assert list(data)[:2] == ["version", "kind"] and data["version"] == RESULT_VERSION and data["kind"] == kind
