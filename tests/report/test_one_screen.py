"""The answer first, on one screen (issue 17, item 1): `aicost compare` at 80 and 120 columns
shows the Best line near the top and a table within the width; the best few options and one
line for the rest; --all lists every option with its reason."""

from __future__ import annotations

import re

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


def _within(text: str, cols: int) -> list[str]:
    return [line for line in text.splitlines() if len(line) > cols]


@pytest.mark.parametrize("cols", [80, 120])
@pytest.mark.parametrize("scenario", ["self-hosted-wins", "self-hosted-loses"])
def test_gpu_fits_the_terminal_with_the_best_few_and_a_count(cols, scenario):
    r = runner.invoke(app, ["gpu", scenario, "--as-of", "2026-11-29"], env={"COLUMNS": str(cols)})
    assert r.exit_code == 0, r.output
    assert _within(r.stdout, cols) == [] or _within(r.stdout, cols) == [r.stdout.splitlines()[0]]  # the title
    lines = r.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.lstrip().startswith("#  model"))
    assert "$/success" in lines[head] and "break-even" in lines[head] and "scaling" in lines[head]
    rows = [line for line in lines[head + 1:] if line.split()[0].isdigit()]
    assert 1 <= len(rows) <= SHOWN
    assert any(line.startswith("+ ") and "more eligible GPU option" in line for line in lines)
    assert len(lines) <= 30


def test_gpu_all_lists_the_ineligible_options_with_their_reasons():
    r = runner.invoke(app, ["gpu", "self-hosted-loses", "--all", "--as-of", "2026-11-29"], env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    assert re.search(r"Not eligible or unpriced \(\d+\):", r.stdout) and "too slow:" in r.stdout
    assert _within(r.stdout, 80) == [r.stdout.splitlines()[0]]


@pytest.mark.parametrize("cols", [80, 120])
def test_sweep_fits_the_terminal_letters_standing_for_long_ids(cols):
    r = runner.invoke(app, ["sweep", "self-hosted-wins", "--vary", "volume.tasks_per_month=1e6:1e9:log",
                            "--as-of", "2026-11-29"], env={"COLUMNS": str(cols)})
    assert r.exit_code == 0, r.output
    assert _within(r.stdout, cols) == [], _within(r.stdout, cols)
    assert "◀" in r.stdout
    legend = [line for line in r.stdout.splitlines() if line.startswith("  C = gpu/llama-3.1-8b:h100-sxm:runpod/")]
    assert len(legend) == 1  # the GPU winner, named below the table


def test_sweep_keeps_full_ids_when_they_fit():
    r = runner.invoke(app, ["sweep", "self-hosted-wins", "--vary", "volume.tasks_per_month=1e6:1e9:log",
                            "--as-of", "2026-11-29"], env={"COLUMNS": "300"})
    assert "  gpu/llama-3.1-8b:h100-sxm:runpod/h100-sxm-80gb-community-cloud:on-demand:autoscaled   " in r.stdout
    assert "  A = " not in r.stdout


def test_check_table_fits_80_columns_and_keeps_the_file_line_details_whole():
    files = [f"tests/data/check/{n}.yaml" for n in ("over", "within", "unpriced")]
    narrow = runner.invoke(app, ["check", *files, "--as-of", "2026-11-29"], env={"COLUMNS": "80"})
    wide = runner.invoke(app, ["check", *files, "--as-of", "2026-11-29"], env={"COLUMNS": "250"})
    assert narrow.exit_code == wide.exit_code == 1
    table = narrow.stdout.split("\n\n")[0].splitlines()
    assert max(len(line) for line in table) <= 80, table
    assert "        option judged: openai/gpt-5-nano:standard (best eligible)" in table
    assert "option judged" in wide.stdout.splitlines()[0]  # wide enough: a column of its own
    details = narrow.stdout.split("\n\n")[1].splitlines()
    assert details == wide.stdout.split("\n\n")[1].splitlines()
    assert any(len(line) > 80 and "over.yaml:14: " in line for line in details)  # never cut: editors jump to them


def test_check_never_cuts_the_option_it_judged(tmp_path):
    from aicost.base.paths import bundled_scenarios

    option = "gpu/llama-3.1-8b:h100-sxm:aws/p5-4xlarge:on-demand:autoscaled"
    f = tmp_path / "gpu.yaml"
    f.write_text(bundled_scenarios()["self-hosted-wins"].read_text()
                 + f"\nbudget:\n  option: {option}\n  max_monthly_cost: 1000000\n")
    r = runner.invoke(app, ["check", str(f), "--as-of", "2026-11-29"], env={"COLUMNS": "80"})
    assert f"          {option} (production)" in r.stdout.splitlines()
