"""allocate --from MAP.yaml: a usage mapping file is checked against its schema like every other
input (version, kind, unknown keys with a did-you-mean), every problem at once as file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicost.base.errors import InputError
from aicost.cli import app
from aicost.model.mapping import COLUMNS, UsageMapping
from aicost.usage import layouts

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "usage"
runner = CliRunner()
COLS = "columns:\n  timestamp: ts\n  model: llm\n  input_tokens: tok_in\n  output_tokens: tok_out\n"


def allocate_with(tmp_path: Path, text: str):
    m = tmp_path / "map.yaml"
    m.write_text(text)
    return m, runner.invoke(app, ["allocate", str(DATA / "gateway.csv"), "--from", str(m), "--by", "team"])


def errors(res) -> list[str]:
    assert res.exit_code == 2, res.output
    assert res.stdout == "" and "Traceback" not in res.output
    return [line for line in res.stderr.splitlines() if not line.startswith("aicost:")]


def test_an_unsupported_version_is_refused_with_its_line(tmp_path):
    m, res = allocate_with(tmp_path, "version: 7\nkind: nonsense\n" + COLS)
    assert errors(res) == [f"{m}:1: version: format version 7 is not supported; this aicost reads version 1"]


def test_an_unknown_kind_is_refused_with_its_line(tmp_path):
    m, res = allocate_with(tmp_path, "# a gateway log\nversion: 1\nkind: nonsense\n" + COLS)
    assert errors(res) == [f"{m}:3: kind: must be one of 'usage-mapping' (got 'nonsense')"]


def test_unknown_keys_get_a_did_you_mean_and_every_problem_is_told_at_once(tmp_path):
    m, res = allocate_with(tmp_path, "version: 1\ncolumns:\n  timestamp: ts\n  modle: llm\nvalue:\n  provider: openai\n"
                                     "values: {input_tokens: lots}\nsubtract: {cached_input_tokens: c}\ntime_unit: h\n")
    assert errors(res) == [
        f"{m}:2: columns: map model: (the column naming the model)",
        f"{m}:4: columns.modle: unknown key 'modle' (did you mean 'model'?)",
        f"{m}:5: value: unknown key 'value' (did you mean 'values'?)",
        f"{m}:7: values.input_tokens: must be a number (got 'lots')",
        f"{m}:8: subtract.cached_input_tokens: cached_input_tokens is not in columns: there is nothing to take it from",
        f"{m}:9: time_unit: must be one of 's' or 'ms' (got 'h')",
    ]


@pytest.mark.parametrize("text, want", [
    ("version: 1\n", ["1: columns: required key is missing"]),
    ("version: 1\ncolums:\n  timestamp: ts\n", ["1: columns: required key is missing",
                                                "2: colums: unknown key 'colums' (did you mean 'columns'?)"]),
    ("version: 1\ncolumns: {model: llm}\n", ["2: columns: map timestamp: (the column with each row's date or time)"]),
    ("columns: {timestamp: ts, model: llm}\n",
     ["1: missing 'version: 1' (the format version this file is written for)"]),
    ("- columns\n", ["1: expected a mapping of keys at the top level"]),
])
def test_other_mistakes(tmp_path, text, want):
    m, res = allocate_with(tmp_path, text)
    assert errors(res) == [f"{m}:{w}" for w in want]


def test_the_shipped_and_documented_mapping_files_still_work(tmp_path):
    layout = layouts.get(str(DATA / "mapping.yaml"))
    assert layout.columns == {"timestamp": "ts", "model": "llm", "input_tokens": "tok_in", "output_tokens": "tok_out",
                              "billed_cost": "charged_usd"}
    assert layout.values == {"provider": "openai", "tier": "standard"}
    assert layout.tags == {"team": "owner", "tenant": "customer"}
    documented = re.search(r"```yaml\n(# aicost column -> the log's column\n.*?)```",
                           (ROOT / "docs" / "usage.md").read_text(), re.S).group(1)
    assert re.search(r"^kind: usage-mapping", documented, re.M)  # the docs show the optional kind
    without_kind = re.sub(r"^kind:.*\n", "", documented, flags=re.M)
    for name, text in (("docs.yaml", documented), ("nokind.yaml", without_kind)):
        (tmp_path / name).write_text(text)
        assert layouts.get(str(tmp_path / name)) == layout.__class__(f"mapping {name}", layout.columns, layout.values,
                                                                      {}, layout.tags)
    res = runner.invoke(app, ["allocate", str(DATA / "gateway.csv"), "--from", str(DATA / "mapping.yaml"),
                              "--by", "team", "-f", "csv"])
    assert res.exit_code == 0, res.output
    assert "2026-10,search,allocated,,,,2,0,2,1,4500000,,USD" in res.stdout


def test_a_mapping_with_every_key(tmp_path):
    m = tmp_path / "full.yaml"
    m.write_text("version: 1\nkind: usage-mapping\ncolumns:\n  timestamp: t\n  model: m\n  input_tokens: i\n"
                 "  cached_input_tokens: c\nvalues:\n  provider: openai\n  requests: 2\n  billed_cost: 0.5\n"
                 "tags:\n  team: owner\nsubtract:\n  input_tokens: c\ntag_list: labels\ntime_unit: ms\n")
    layout = layouts.get(str(m))
    assert layout.columns == {"timestamp": "t", "model": "m", "input_tokens": "i", "cached_input_tokens": "c"}
    assert layout.values == {"provider": "openai", "requests": 2.0, "billed_cost": 0.5}
    assert (layout.subtract, layout.tags, layout.tag_list, layout.time_unit) == (
        {"input_tokens": "c"}, {"team": "owner"}, "labels", "ms")


def test_the_schema_knows_every_aicost_column_and_is_printed_and_shipped():
    assert COLUMNS == layouts.KNOWN
    assert tuple(UsageMapping.model_fields["columns"].annotation.model_fields) == layouts.KNOWN
    res = runner.invoke(app, ["pricing", "schema", "mapping"])
    assert res.exit_code == 0, res.output
    assert res.stdout == (ROOT / "schema" / "mapping.schema.json").read_text(), \
        "regenerate with: python -m aicost.inputs.schema"


def test_from_mapping_raises_input_error_for_a_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        layouts.get(str(tmp_path / "nope.yaml"))
