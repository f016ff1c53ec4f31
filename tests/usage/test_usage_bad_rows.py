"""allocate: a usage row with more fields than the header (an unquoted comma in a value) is named
as FILE:LINE and exits 2, or is skipped and counted with --on-error skip, on every reading path."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from aicost.base.errors import InputError
from aicost.cli import app
from aicost.usage import layouts, pipeline

runner = CliRunner()
HEADER = "timestamp,model,input_tokens,output_tokens,team"
GOOD = ["2026-10-01,gpt-5-mini,1000,10,search", "2026-10-02,gpt-5-mini,2000,20,support",
        "2026-10-03,gpt-5-mini,3000,30,search"]
BAD = "2026-10-02,gpt-5-mini,1000,10,sea,rch"  # 6 fields where the header has 5
WHY = "too many fields: 6 where the header has 5 (a comma in a value that is not quoted?)"


def write(path: Path, lines: list[str], newline: str = "\n") -> Path:
    path.write_bytes((newline.join(lines) + newline).encode())
    return path


def allocate(*args: str):
    return runner.invoke(app, ["allocate", *map(str, args)])


def lib(path: Path, on_error: str = "stop", by=("team",), **kw):
    from aicost.inputs.pricebook import PriceBook

    return pipeline.run([path], layouts.AICOST, list(by), PriceBook.load(), [], on_error, **kw)


def same_groups(a, b) -> None:
    pd.testing.assert_frame_equal(a.groups, b.groups)
    assert a.totals["total"] == b.totals["total"]


def test_an_extra_field_names_its_file_and_line_and_exits_2(tmp_path):
    f = write(tmp_path / "usage.csv", [HEADER, GOOD[0], BAD, GOOD[1]])
    res = allocate(f)
    assert res.exit_code == 2, res.output
    assert res.stderr.splitlines()[0] == f"{f}:3: row 2: {WHY}"
    assert res.stdout == ""
    assert "Traceback" not in res.output and "internal error" not in res.output


def test_the_command_prints_no_traceback_and_nothing_on_stdout(tmp_path):
    f = write(tmp_path / "usage.csv", [HEADER, GOOD[0], GOOD[1], BAD])
    p = subprocess.run([sys.executable, "-m", "aicost", "allocate", str(f)], capture_output=True, text=True)
    assert p.returncode == 2, p.stderr
    assert p.stdout == ""
    assert p.stderr.splitlines()[0] == f"{f}:4: row 3: {WHY}"
    assert "Traceback" not in p.stderr


def test_skip_leaves_the_row_out_and_counts_it(tmp_path):
    f = write(tmp_path / "usage.csv", [HEADER, GOOD[0], BAD, GOOD[1], GOOD[2]])
    res = allocate(f, "--on-error", "skip", "-f", "json")
    assert res.exit_code == 0, res.output
    totals = json.loads(res.stdout)["totals"]
    assert totals["rows_read"] == 4 and totals["rows_skipped"] == 1
    assert totals["skipped_by"] == {"too many fields": 1}
    assert "skipped 1 bad rows" in res.stderr
    clean = write(tmp_path / "clean.csv", [HEADER, *GOOD])
    same_groups(lib(f, "skip"), lib(clean))


@pytest.mark.parametrize("where", ["first", "unread column"])
def test_rows_pandas_would_shift_without_a_word_are_named(tmp_path, where):
    """pandas takes a first row with one field too many for an index (every row of the piece
    shifts a column), and reads a row with too many fields silently when it reads only some
    columns (here: a tenant column that --by team does not use)."""
    if where == "first":
        lines, line = [HEADER, BAD, *GOOD], 2
    else:
        lines = [HEADER + ",tenant", *(g + ",acme" for g in GOOD[:2]), BAD + ",acme", GOOD[2] + ",acme"]
        line = 4
    f = write(tmp_path / "usage.csv", lines)
    with pytest.raises(InputError) as exc:
        lib(f)
    fields = 6 if where == "first" else 7
    header = 5 if where == "first" else 6
    assert [str(p) for p in exc.value.problems] == [
        f"{f}:{line}: row {line - 1}: too many fields: {fields} where the header has {header} "
        "(a comma in a value that is not quoted?)"]
    got = lib(f, "skip")
    assert got.totals["rows_skipped"] == 1 and got.totals["rows_read"] == 4
    same_groups(got, lib(write(tmp_path / "clean.csv", [lines[0], *(x for x in lines[1:] if "sea,rch" not in x)])))


def test_in_many_pieces_every_bad_row_is_named_with_the_other_problems(tmp_path):
    lines, want = [HEADER], []
    for i in range(1, 120):
        if i % 17 == 0:
            lines.append(BAD)
            want.append(f"{i + 1}: row {i}: {WHY}")
        elif i % 29 == 0:
            lines.append("2026-10-01,gpt-5-mini,lots,10,search")
            want.append(f"{i + 1}: row {i}: input_tokens: not a number: 'lots'")
        else:
            lines.append(GOOD[i % 3])
    f = write(tmp_path / "usage.csv", lines, newline="\r\n")
    for rows in (7, 50, 1000):
        with pytest.raises(InputError) as exc:
            lib(f, chunk_rows=rows)
        assert [str(p) for p in exc.value.problems] == [f"{f}:{w}" for w in want], rows
    skipped = lib(f, "skip", chunk_rows=7)
    assert skipped.totals["rows_skipped"] == len(want)
    assert skipped.totals["skipped_by"] == {"too many fields": 7, "input_tokens: not a number": 4}
    clean = write(tmp_path / "clean.csv", [x for x in lines if "sea,rch" not in x and "lots" not in x])
    same_groups(skipped, lib(clean, chunk_rows=7))


def test_blank_lines_do_not_move_the_rows_around_a_bad_one(tmp_path):
    f = write(tmp_path / "usage.csv", [HEADER, GOOD[0], "", BAD, "", GOOD[1], GOOD[2]])
    got = lib(f, "skip")
    assert got.totals["rows_skipped"] == 1
    same_groups(got, lib(write(tmp_path / "clean.csv", [HEADER, *GOOD])))


@pytest.mark.parametrize("kind", ["quoted", "quoted later", "quoted first", "gzip", "tsv"])
def test_the_quote_aware_and_other_readers_name_and_skip_it_too(tmp_path, kind):
    good = [g.replace("search", '"search"') if kind.startswith("quoted") else g for g in GOOD] * 40
    lines = [HEADER, *good]
    at = {"quoted": 3, "quoted later": 100, "quoted first": 1}.get(kind, 5)
    lines.insert(at, BAD)
    if kind == "tsv":
        lines = [x.replace(",", "\t") for x in lines]
        f = write(tmp_path / "usage.tsv", lines)
    elif kind == "gzip":
        f = tmp_path / "usage.csv.gz"
        f.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    else:
        f = write(tmp_path / "usage.csv", lines)
    why = WHY.replace("a comma", "a tab") if kind == "tsv" else WHY
    with pytest.raises(InputError) as exc:
        lib(f, chunk_rows=16)
    assert [str(p) for p in exc.value.problems] == [f"{f}:{at + 1}: row {at}: {why}"]
    got = lib(f, "skip", chunk_rows=16)
    assert got.totals["rows_skipped"] == 1 and got.totals["rows_read"] == len(good) + 1
    clean = write(tmp_path / "clean.csv", [HEADER, *good])
    same_groups(got, lib(clean))


def test_a_file_that_is_not_utf8_is_an_input_error_not_a_crash(tmp_path):
    f = tmp_path / "usage.csv"
    f.write_bytes((HEADER + "\n" + GOOD[0] + "\n").encode() + b"2026-10-02,gpt-5-mini,1,1,caf\xe9\n")
    res = allocate(f)
    assert res.exit_code == 2, res.output
    assert res.stderr.startswith(f"{f}:3: not UTF-8 text (byte 0xe9); usage logs are read as UTF-8")
    assert "Traceback" not in res.output and "internal error" not in res.output


def test_a_bad_row_after_a_quote_past_the_first_megabyte(tmp_path):
    """The pieces before the quote are parsed as pieces; the rest goes to the quote-aware reader,
    whose rows are numbered on from them."""
    good = GOOD * 12_000  # about 1.3 MB
    lines = [HEADER, *good[:30_000], GOOD[0].replace("search", '"search"'), *good[30_000:33_000], BAD, *good[33_000:]]
    f = write(tmp_path / "usage.csv", lines)
    at = lines.index(BAD)
    with pytest.raises(InputError) as exc:
        lib(f, chunk_rows=5000)
    assert [str(p) for p in exc.value.problems] == [f"{f}:{at + 1}: row {at}: {WHY}"]
    got = lib(f, "skip", chunk_rows=5000)
    assert got.totals["rows_skipped"] == 1 and got.totals["rows_read"] == len(lines) - 1
    same_groups(got, lib(write(tmp_path / "clean.csv", [x for x in lines if x != BAD])))
