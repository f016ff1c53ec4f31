"""aicost allocate: usage logs priced at each day's rates, allocated, reconciled, inert, strict."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from aicost.cli import app
from aicost.report.csvsafe import DANGEROUS
from aicost.usage import layouts, pipeline

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data" / "usage"


def alloc(book, name, by, source="aicost", shared=(), on_error="stop", **kw):
    return pipeline.run([DATA / name], layouts.get(source), by, book, list(shared), on_error, **kw)


def group_totals(a) -> dict:
    return {(r["month"], *[r[f"tag.{k}"] for k in a.by]): round(float(r["total"]), 6) for _, r in a.groups.iterrows()}


def test_openai_usage_api_pages_priced_at_the_rate_of_each_day(book):
    a = alloc(book, "openai.jsonl", ["project"], "openai")
    # o3 Standard: $10/$2.50/$40 per 1M until 2025-06-10, then $2/$0.50/$8 (pricing/openai.yaml history).
    # input_tokens 1.2M include 0.2M cached: 1.0M fresh + 0.2M cached + 0.1M output.
    assert group_totals(a) == {
        ("2025-05", "proj_search"): 14.5,        # 1.0*10 + 0.2*2.5 + 0.1*40
        ("2025-10", "proj_search"): 2.9,         # 1.0*2 + 0.2*0.5 + 0.1*8
        ("2025-10", "proj_support"): 1.25,       # gpt-5-mini Batch (batch: true): 2.0*0.125 + 1.0*1
    }


def test_anthropic_usage_report_with_cache_writes_tools_and_long_context(book):
    a = alloc(book, "anthropic.json", ["workspace"], "anthropic")
    assert group_totals(a) == {
        # Sonnet 4.5 Standard: 1.0*3 + 2.0*0.3 + 0.1*3.75 (5m write) + 0.1*6 (1h write) + 0.2*15 + 10 searches at $10/1k
        ("2026-10", "wrkspc_search"): 7.675,
        # context_window 200k-1M: long-context rates, 1.0*6 + 0.1*22.5
        ("2026-10", "wrkspc_support"): 8.25,
    }


def test_litellm_spend_logs_tags_unpriced_and_billed_versus_repriced(book):
    a = alloc(book, "litellm.csv", ["team", "feature"], "litellm", on_error="skip")
    g = group_totals(a)
    assert g[("2026-10", "search", "rerank")] == pytest.approx(0.0065)  # 10k*0.25/1M + 2k*2/1M
    assert g[("2026-10", "support", "(unallocated)")] == pytest.approx(0.105)  # Sonnet 4.5: 10k*3 + 5k*15 per 1M
    assert a.totals["unallocated"] == pytest.approx(0.105)
    # the unknown fine-tune is counted, with its tokens, and costs nothing in any total
    u = a.unpriced.iloc[0]
    assert (u["sku"], u["reason"], int(u["rows"]), int(u["tokens"])) == ("openai/my-finetune-v3", "unknown_model", 1, 1000)
    assert a.totals["total"] == pytest.approx(0.0065 * 2 + 0.105)
    b = a.billed.set_index("sku")
    assert b.loc["openai/gpt-5-mini", "billed"] == pytest.approx(0.0085)
    assert b.loc["openai/gpt-5-mini", "repriced"] == pytest.approx(0.013)
    assert b.loc["anthropic/claude-sonnet-4-5", "difference"] == pytest.approx(0.045)


def test_time_zone_offsets_are_taken_to_utc(book):
    a = alloc(book, "litellm.csv", ["team"], "litellm", on_error="skip")
    # r2 at 2026-10-05T23:30-05:00 is 2026-10-06 UTC; all in October either way, so check the day directly
    from aicost.usage.days import _days

    d = _days(pd.Series(["2026-10-05T23:30:00-05:00", "2026-10-05", "2026-10-05 10:00:00.123+00:00"]), None)
    from datetime import date

    day = (date(2026, 10, 5) - date(1970, 1, 1)).days
    assert list(d.astype(int)) == [day + 1, day, day]
    assert a.totals["rows_read"] == 4


def test_user_mapping_file(book):
    a = alloc(book, "gateway.csv", ["team"], str(DATA / "mapping.yaml"))
    assert group_totals(a) == {("2026-10", "search"): 2.0, ("2026-10", "support"): 0.5}
    assert float(a.billed["difference"].abs().sum()) < 1e-9


SHARED = [
    {"name": "gateway", "monthly_cost": 100, "split": "even"},
    {"name": "evals", "monthly_cost": 30, "split": "weighted", "by": "tokens"},
    {"name": "vector db", "monthly_cost": 50, "split": "weighted"},
    {"name": "reserved gpus", "monthly_cost": 200, "split": "fixed", "key": "team",
     "percent": {"search": 75, "support": 25}},
    {"name": "credit", "monthly_cost": -40, "split": "weighted"},
]


def test_shared_costs_split_by_each_rule_and_everything_reconciles(book):
    a = alloc(book, "gateway.csv", ["team"], str(DATA / "mapping.yaml"), shared=SHARED)
    g = a.groups.set_index("tag.team")
    # search: direct 2.0 of 2.5 (80%), 4.5M of 6.5M tokens
    assert g.loc["search", "shared.gateway"] == pytest.approx(50)
    assert g.loc["search", "shared.evals"] == pytest.approx(30 * 4.5 / 6.5)
    assert g.loc["search", "shared.vector db"] == pytest.approx(50 * 0.8)
    assert g.loc["search", "shared.reserved gpus"] == pytest.approx(150)
    assert g.loc["support", "shared.credit"] == pytest.approx(-40 * 0.2)
    t = a.totals
    assert t["shared"] == pytest.approx(100 + 30 + 50 + 200 - 40)
    assert t["allocated"] + t["unallocated"] == pytest.approx(t["total"], abs=0.005)
    assert t["direct"] + t["shared"] == pytest.approx(t["total"], abs=0.005)
    assert float(a.groups["total"].sum()) == pytest.approx(t["total"], abs=0.005)


def test_reconciliation_through_every_format_with_unallocated_and_shared(book, tmp_path):
    args = ["allocate", str(DATA / "litellm.csv"), "--from", "litellm", "--by", "team,feature", "--on-error", "skip",
            "--shared", str(tmp_path / "shared.yaml")]
    (tmp_path / "shared.yaml").write_text(
        "version: 1\nshared:\n  - {name: gateway, monthly_cost: 12.5, split: even}\n"
        "  - {name: credit, monthly_cost: -2, split: weighted, by: requests}\n")
    j = json.loads(runner.invoke(app, args + ["--format", "json"]).stdout)
    total = j["totals"]["total"]
    assert total == pytest.approx(0.0065 * 2 + 0.105 + 10.5, abs=1e-6)
    assert sum(g["total"] for g in j["groups"]) == pytest.approx(total, abs=0.005)
    assert j["totals"]["allocated"] + j["totals"]["unallocated"] == pytest.approx(total, abs=0.005)
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, args + ["--format", "csv"]).stdout)))
    assert sum(float(r["total_cost"] or 0) for r in rows) == pytest.approx(total, abs=0.005)
    assert [r for r in rows if r["kind"] == "unpriced"][0]["total_cost"] == ""  # never $0
    focus = list(csv.DictReader(io.StringIO(runner.invoke(app, args + ["--format", "focus"]).stdout)))
    assert sum(float(r["BilledCost"]) for r in focus) == pytest.approx(total, abs=0.005)
    credit = [r for r in focus if r["x_SharedCost"] == "credit"]
    assert credit and all(r["ChargeCategory"] == "Credit" and float(r["BilledCost"]) < 0 for r in credit)
    assert all(r["BilledCost"].startswith("-") for r in credit)  # a negative number stays a number


def test_bad_rows_name_file_row_and_column_and_nothing_is_written(tmp_path):
    out = tmp_path / "out.csv"
    res = runner.invoke(app, ["allocate", str(DATA / "bad.csv"), "--by", "team", "-f", "csv", "-o", str(out)])
    assert res.exit_code == 2 and not out.exists() and list(tmp_path.iterdir()) == []
    lines = res.stderr.splitlines()
    f = str(DATA / "bad.csv")
    assert lines[:4] == [
        f"{f}:3: row 2: timestamp: not a date or ISO 8601 time: '2026-13-45'",
        f"{f}:4: row 3: input_tokens: negative (-5)",
        f"{f}:5: row 4: model: unknown model 'gpt-5-mni' (did you mean 'gpt-5-mini'?)",
        f"{f}:6: row 5: input_tokens: not a number: 'lots'",
    ]
    assert "4 problems found" in res.stderr


def test_on_error_skip_counts_and_reports(book):
    a = alloc(book, "bad.csv", ["team"], on_error="skip")
    assert a.totals["rows_read"] == 6 and a.totals["rows_skipped"] == 3 and a.totals["rows_priced"] == 2
    assert a.totals["skipped_by"] == {"input_tokens: negative": 1, "input_tokens: not a number": 1,
                                      "timestamp: not a date or ISO 8601 time": 1}
    assert a.totals["unpriced_rows"] == 1  # the misspelt model: kept, unpriced, not dropped
    res = runner.invoke(app, ["allocate", str(DATA / "bad.csv"), "--by", "team", "--on-error", "skip"])
    assert res.exit_code == 0 and "Skipped 3 bad rows" in res.stdout and "skipped 3 bad rows" in res.stderr


EVIL = ["=HYPERLINK(\"http://x.test\",\"a\")", "+1", "-2+3", "@SUM(A1)", "\tlead"]


def test_formulas_in_tags_open_inert(tmp_path, book):
    f = tmp_path / "evil.csv"
    lines = ["timestamp,model,input_tokens,output_tokens,team,feature"]
    for i, v in enumerate(EVIL):
        q = '"' + v.replace('"', '""') + '"'
        lines.append(f"2026-10-0{i + 1},gpt-5-mini,1000000,0,{q},{q}")
    f.write_text("\n".join(lines) + "\n")
    shared = tmp_path / "s.yaml"
    shared.write_text("version: 1\nshared:\n  - {name: '=cmd|x', monthly_cost: -10, split: even}\n")
    for fmt in ("csv", "focus"):
        res = runner.invoke(app, ["allocate", str(f), "--by", "team,feature", "-f", fmt, "--shared", str(shared)])
        assert res.exit_code == 0, res.output
        rows = list(csv.reader(io.StringIO(res.stdout)))
        cells = [c for r in rows for c in r]
        for c in cells:
            if c.startswith("-"):
                float(c)  # only numbers may start with '-' (negative credits stay numbers)
            else:
                assert not c.startswith(DANGEROUS), c
        assert "'=HYPERLINK(\"http://x.test\",\"a\")" in cells and "'-2+3" in cells and "'\tlead" in cells


def test_byte_identical_and_dask_equal_to_local(book, tmp_path):
    a = runner.invoke(app, ["allocate", str(DATA / "litellm.csv"), "--from", "litellm", "--on-error", "skip",
                            "-f", "json"]).stdout
    b = runner.invoke(app, ["allocate", str(DATA / "litellm.csv"), "--from", "litellm", "--on-error", "skip",
                            "-f", "json"]).stdout
    assert a == b


def test_layout_and_shared_file_errors(tmp_path):
    res = runner.invoke(app, ["allocate", str(DATA / "gateway.csv"), "--from", "litelm"])
    assert res.exit_code == 2 and "did you mean 'litellm'" in res.stderr
    bad = tmp_path / "s.yaml"
    bad.write_text("version: 1\nshared:\n  - name: gpus\n    monthly_cost: 10\n    split: fixed\n"
                   "    percent: {search: 70, support: 20}\n")
    res = runner.invoke(app, ["allocate", str(DATA / "bad.csv"), "--shared", str(bad)])
    assert res.exit_code == 2 and f"{bad}:3:" in res.stderr and "sum to 100" in res.stderr
    m = tmp_path / "m.yaml"
    m.write_text("version: 1\ncolumns:\n  modle: llm\n")
    res = runner.invoke(app, ["allocate", str(DATA / "gateway.csv"), "--from", str(m)])
    assert res.exit_code == 2 and "did you mean 'model'" in res.stderr and "map timestamp" in res.stderr


def test_tier_words_map_onto_tiers_and_unknown_ones_are_named():
    from aicost.usage.normalise import normalise

    raw = pd.DataFrame({"timestamp": ["2026-10-01"] * 6, "model": ["gpt-5-mini"] * 6,
                        "tier": ["default", "standard", None, "Batch", "scale", "turbo"]})
    frame, problems, valid = normalise(raw, layouts.AICOST, ["team"])
    from aicost.usage.layouts import USAGE_TIERS as TIERS

    assert [TIERS[c] for c in frame["tier"]] == ["standard", "standard", "standard", "batch", "scale", "standard"]
    assert problems == [(5, "tier", "unknown tier 'turbo' (expected standard, batch, flex or priority)",
                         "unknown tier 'turbo'")]  # the message, and the kind --on-error skip counts
    assert list(valid) == [True, True, True, True, True, False]
