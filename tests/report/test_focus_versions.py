"""FOCUS 1.3 kept consistent with 1.2 (issue 17, item 4): the same rows and values, and the two 1.3
provider columns saying what the 1.2 ones say, for export and allocate alike."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicost.cli import app

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data" / "usage"
V13 = ("ServiceProviderName", "HostProviderName")


def _rows(args: list[str]) -> list[dict[str, str]]:
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    return list(csv.DictReader(io.StringIO(r.stdout)))


CASES = [
    ["export", "support-assistant", "--format", "focus", "--options", "all", "--as-of", "2026-11-29"],
    ["export", "self-hosted-wins", "--format", "focus", "--as-of", "2026-11-29"],
    ["allocate", str(DATA / "anthropic_analytics.json"), "--from", "anthropic", "--by", "workspace",
     "--format", "focus"],
    ["allocate", str(DATA / "litellm.csv"), "--from", "litellm", "--by", "team", "--on-error", "skip",
     "--format", "focus"],
]


@pytest.mark.parametrize("args", CASES, ids=lambda a: f"{a[0]}-{Path(a[1]).stem}")
def test_focus_1_3_is_1_2_plus_the_two_provider_columns(args):
    v12, v13 = _rows(args), _rows(args + ["--focus-version", "1.3"])
    assert len(v12) == len(v13) > 0
    for a, b in zip(v12, v13):
        assert (a.get("x_FocusVersion"), b.get("x_FocusVersion")) in ((None, None), ("1.2", "1.3"))
        same = {k: v for k, v in b.items() if k not in (*V13, "x_FocusVersion")}
        assert same == {k: v for k, v in a.items() if k != "x_FocusVersion"}  # nothing else changes
        assert b["ServiceProviderName"] == a["ProviderName"] and b["HostProviderName"] == a["InvoiceIssuerName"]
        assert b["ServiceProviderName"] and b["HostProviderName"]
