"""Usage values are read as written: only an empty cell is missing (issue 16, item 2 and part of 3)."""

from __future__ import annotations

import json

import pytest

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


# ---- NaN, infinite and absurd numbers: refused with their line in every format (issue 16, 3 and 9) ----

BASE = {"timestamp": "2026-10-01", "provider": "openai", "model": "gpt-5-mini", "tier": "standard",
        "input_tokens": 1000, "output_tokens": 100, "team": "a"}


def _jsonl(path, rows):
    path.write_text("".join(r if isinstance(r, str) else json.dumps(r) + "\n" for r in rows))
    return path


def _refused(path, *expected, args=()):
    r = runner.invoke(app, ["allocate", str(path), *args])
    assert r.exit_code == 2, r.output
    assert r.stdout == ""
    for e in expected:
        assert e in r.stderr, r.stderr
    assert "Traceback" not in r.output and "internal error" not in r.output
    return r.stderr


def test_nan_written_in_json_lines_is_not_a_missing_count(tmp_path):
    f = _jsonl(tmp_path / "u.jsonl", [BASE, json.dumps(BASE).replace("1000", "NaN") + "\n"])
    _refused(f, f"{f}:2: row 2: input_tokens: not a number: 'NaN'")


def test_a_null_count_is_missing_and_counts_zero(tmp_path):
    f = _jsonl(tmp_path / "u.jsonl", [BASE, {**BASE, "input_tokens": None}])
    assert runner.invoke(app, ["allocate", str(f)]).exit_code == 0


def test_nan_written_in_parquet_is_not_a_missing_count(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pa.table({**{k: [v, v] for k, v in BASE.items() if k != "input_tokens"},
                  "input_tokens": pa.array([1.0, float("nan")])})
    pq.write_table(t, tmp_path / "u.parquet")
    _refused(tmp_path / "u.parquet", "u.parquet: row 2: input_tokens: not a number: 'NaN'")
    t = pa.table({**{k: [v, v] for k, v in BASE.items() if k != "input_tokens"},
                  "input_tokens": pa.array([1.0, None])})  # a null is an empty cell: missing, 0
    pq.write_table(t, tmp_path / "ok.parquet")
    assert runner.invoke(app, ["allocate", str(tmp_path / "ok.parquet")]).exit_code == 0


def test_nan_in_a_provider_usage_page_is_named(tmp_path):
    f = tmp_path / "page.json"
    f.write_text('{"data":[{"start_time":1759276800,"results":[{"model":"gpt-5-mini","input_tokens":NaN,'
                 '"output_tokens":1,"num_model_requests":1,"input_cached_tokens":0}]}]}')
    _refused(f, "input_tokens: not a number: 'NaN'", args=["--from", "openai"])


@pytest.mark.parametrize("written, said", [("inf", "not a finite number: inf"),
                                           ("Infinity", "not a finite number: inf"),
                                           ("1e400", "not a finite number: inf"),
                                           ("1e308", "too large: 1e+308 (at most 1e+15)")])
def test_infinite_or_absurd_counts_in_csv(tmp_path, written, said):
    f = tmp_path / "u.csv"
    f.write_text(HEADER + f"2026-10-01,openai,gpt-5-mini,standard,{written},100,a\n")
    _refused(f, f"{f}:2: row 1: input_tokens: {said}")


def test_infinite_counts_in_json_lines_and_parquet(tmp_path):
    import pandas as pd

    f = _jsonl(tmp_path / "u.jsonl", [json.dumps(BASE).replace("1000", "1e400") + "\n"])
    _refused(f, f"{f}:1: row 1: input_tokens: not a finite number: '1e400'")
    f = _jsonl(tmp_path / "v.jsonl", [json.dumps(BASE).replace("1000", "Infinity") + "\n"])
    _refused(f, f"{f}:1: row 1: input_tokens: not a finite number")
    pd.DataFrame([{**BASE, "input_tokens": float("inf")}]).to_parquet(tmp_path / "u.parquet")
    _refused(tmp_path / "u.parquet", "row 1: input_tokens: not a finite number: inf")


def test_a_billed_amount_past_any_bill_is_refused(tmp_path):
    f = tmp_path / "u.csv"
    f.write_text(HEADER.replace("team", "billed_cost,team") + "2026-10-01,openai,gpt-5-mini,standard,1,1,1e300,a\n")
    _refused(f, f"{f}:2: row 1: billed_cost: too large: 1e+300 (at most 1e+12)")


def test_a_line_that_is_not_an_object_and_a_team_that_is(tmp_path):
    f = _jsonl(tmp_path / "u.jsonl", [BASE, "[1, 2, 3]\n", {**BASE, "team": {"x": 1}}, {**BASE, "team": [1, 2]}])
    err = _refused(f)
    assert f"{f}:2: row 2: not a JSON object: list" in err
    assert f"{f}:3: row 3: team: not a text value: an object" in err
    assert f"{f}:4: row 4: team: not a text value: a list" in err


def test_a_struct_team_in_parquet(tmp_path):
    import pandas as pd

    pd.DataFrame([{**BASE, "team": {"x": 1}}]).to_parquet(tmp_path / "u.parquet")
    _refused(tmp_path / "u.parquet", "row 1: team: not a text value: an object")


@pytest.mark.parametrize("opener", ['{"a":', "["])
def test_json_lines_nested_thousands_deep_is_refused_before_parsing(tmp_path, opener):
    closer = "}" if opener.startswith("{") else "]"
    f = _jsonl(tmp_path / "u.jsonl", [BASE, opener * 20000 + "1" * opener.startswith("{") + closer * 20000 + "\n"])
    _refused(f, f"{f}:2: nested deeper than 64 levels; refused")  # Arrow's reader would crash the process


def test_brackets_inside_strings_are_not_nesting(tmp_path):
    f = _jsonl(tmp_path / "u.jsonl", [{**BASE, "team": "[" * 200 + '{"' + "{" * 100}])
    assert runner.invoke(app, ["allocate", str(f)]).exit_code == 0


def test_a_usage_page_nested_thousands_deep(tmp_path):
    f = tmp_path / "page.json"
    f.write_text("[" * 100000 + "]" * 100000)
    _refused(f, f"{f}: nested too deeply; refused", args=["--from", "openai"])


def test_utf16_and_latin1_logs_are_named_with_their_line(tmp_path):
    f = tmp_path / "u16.csv"
    f.write_text(HEADER + "2026-10-01,openai,gpt-5-mini,standard,1,1,é\n", encoding="utf-16")
    _refused(f, f"{f}:1: UTF-16 text (it starts with a UTF-16 byte-order mark); usage logs are read as UTF-8")
    f = tmp_path / "l1.csv"
    f.write_bytes((HEADER + "2026-10-01,openai,gpt-5-mini,standard,1,1,a\n").encode()
                  + "2026-10-01,openai,gpt-5-mini,standard,1,1,é\n".encode("latin-1"))
    _refused(f, f"{f}:3: not UTF-8 text (byte 0xe9)")
    f = tmp_path / "l1.jsonl"
    f.write_bytes(json.dumps({**BASE, "team": "é"}, ensure_ascii=False).encode("latin-1") + b"\n")
    _refused(f, f"{f}:1: not UTF-8 text (byte 0xe9)")


def test_a_gz_that_is_not_gzip(tmp_path):
    f = tmp_path / "u.csv.gz"
    f.write_text(HEADER)
    _refused(f, f"{f}: cannot read this compressed file")


def test_a_start_time_far_past_any_calendar(tmp_path):
    f = _jsonl(tmp_path / "u.jsonl", [{**BASE, "timestamp": 1e30}])
    _refused(f, f"{f}:1: row 1: timestamp: not a date or ISO 8601 time")
