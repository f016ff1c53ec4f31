"""Usage values are read as written: only an empty cell is missing (issue 16, item 2 and part of 3)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from aicost.cli import app

runner = CliRunner()
LOOK_MISSING = ["NA", "N/A", "null", "None", "nan", "NULL", "#N/A", "<NA>", "n/a", "-nan"]
HEADER = "timestamp,provider,model,tier,input_tokens,output_tokens,team\n"


def test_a_team_named_like_a_missing_value_keeps_its_cost(tmp_path):
    rows = [f"2026-10-01,openai,gpt-5-mini,standard,1000,100,{team}\n" for team in LOOK_MISSING + [""]]
    log = tmp_path / "usage.csv"
    log.write_text(HEADER + "".join(rows))
    r = runner.invoke(app, ["allocate", str(log), "--by", "team", "-f", "json"])
    assert r.exit_code == 0, r.output
    groups = {g["tags"]["team"]: g for g in json.loads(r.stdout)["groups"]}
    assert set(LOOK_MISSING) <= set(groups)  # each its own group, none lost to (unallocated)
    assert groups["(unallocated)"]["requests"] == 1  # only the empty cell
    assert len({g["total"] for g in groups.values()}) == 1  # the same usage, the same cost


def test_a_count_written_nan_is_an_error_with_its_line(tmp_path):
    log = tmp_path / "usage.csv"
    log.write_text(HEADER + "2026-10-01,openai,gpt-5-mini,standard,1000,100,a\n"
                            "2026-10-01,openai,gpt-5-mini,standard,nan,100,b\n")
    r = runner.invoke(app, ["allocate", str(log), "--by", "team"])
    assert r.exit_code == 2 and r.stdout == ""
    assert f"{log}:3: row 2: input_tokens: not a number: 'nan'" in r.stderr
