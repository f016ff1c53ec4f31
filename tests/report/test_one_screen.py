"""The answer first, on one screen (issue 17, item 1): `aicost compare` at 80 and 120 columns
shows the Best line near the top and a table within the width; the best few options and one
line for the rest; --all lists every option with its reason."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from aicost.cli import app
from aicost.report.table import SHOWN, shorten

runner = CliRunner()


@pytest.mark.parametrize("cols", [80, 120])
@pytest.mark.parametrize("scenario", ["support-assistant", "self-hosted-wins", "triage-cascade"])
def test_compare_fits_the_terminal_and_puts_the_answer_first(cols, scenario):
    r = runner.invoke(app, ["compare", scenario, "--as-of", "2026-11-29"], env={"COLUMNS": str(cols)})
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert max(len(line) for line in lines[1:]) <= cols, [line for line in lines if len(line) > cols]
    best = next(i for i, line in enumerate(lines) if line.startswith("Best: "))
    assert best <= 4  # on the first screen, before the table
    table = next(i for i, line in enumerate(lines) if line.startswith("#  option"))
    rows = [line for line in lines[table + 1:] if line[:3].strip().isdigit()]
    assert 1 <= len(rows) <= SHOWN and rows[0].split()[0] == "1"
    assert lines[-2 if lines[-1].startswith("lists") else -1].startswith("+ ") or "--all" in r.stdout
    assert "total/success" in lines[table]  # the metric ranked by never drops out
    assert len(lines) <= 50


def test_all_lists_every_option_with_its_reason():
    short = runner.invoke(app, ["compare", "support-assistant", "--as-of", "2026-11-29"], env={"COLUMNS": "120"})
    full = runner.invoke(app, ["compare", "support-assistant", "--as-of", "2026-11-29", "--all"],
                         env={"COLUMNS": "120"})
    assert "+ 4 more eligible options, 52 not eligible: --all lists them" in short.stdout.replace("\n", " ")
    assert "Not eligible or unpriced (52):" in full.stdout and "+ 4 more" not in full.stdout
    assert len(full.stdout.splitlines()) > len(short.stdout.splitlines())


def test_the_ranked_column_stays_when_ranking_by_another_metric():
    r = runner.invoke(app, ["compare", "support-assistant", "--rank-by", "cost_per_resolved_task", "--as-of",
                            "2026-11-29"], env={"COLUMNS": "80"})
    header = next(line for line in r.stdout.splitlines() if line.startswith("#  option"))
    assert "$/resolved" in header


def test_ids_are_shortened_in_the_middle():
    assert shorten("openai/gpt-5.4-mini:standard:cached", 20) == "openai/gp…ard:cached"
    assert len(shorten("x" * 90, 31)) == 31 and shorten("short", 10) == "short"
