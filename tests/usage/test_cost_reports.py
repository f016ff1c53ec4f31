"""Billed versus repriced from the providers' cost reports (issue 17, item 5): `allocate --billed`
reads OpenAI's costs endpoint and Anthropic's cost reports and sets what was charged beside
aicost's repricing of the same usage, by month and model and in total."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from aicost.cli import app

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data" / "usage"


def _reported(*args: str) -> list[dict]:
    r = runner.invoke(app, ["allocate", *args, "--format", "json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["cost_reports"]


def test_openai_costs_endpoint_billed_versus_repriced():
    rows = _reported(str(DATA / "openai_tiers.jsonl"), "--from", "openai", "--by", "project",
                     "--billed", str(DATA / "openai_tiers_costs.json"))
    by = {r["model"]: r for r in rows}
    # the three gpt-4.1 lines (dated snapshot, a "batch | " prefix) meet the model they are priced as
    assert by["openai/gpt-4.1"]["billed"] == 4.25 and by["openai/gpt-4.1"]["repriced"] == 4.20
    assert by["openai/gpt-4.1"]["difference"] == -0.05 and by["openai/gpt-4.1"]["difference_pct"] == -1.1765
    assert by["openai: (not by model)"] == {"month": "2025-10", "provider": "openai", "model": "openai: (not by model)",
                                            "billed": 0.25, "repriced": None, "difference": None,
                                            "difference_pct": None, "days_covered": 31, "days_in_month": 31}
    total = by["openai: (total)"]
    assert (total["billed"], total["repriced"], total["difference"]) == (4.5, 4.2, -0.3)
    assert [r["model"] for r in rows][-1] == "openai: (total)"


def test_anthropic_analytics_cost_rows_reconcile_to_the_cent_with_us_only_pricing():
    rows = _reported(str(DATA / "anthropic_analytics.json"), "--from", "anthropic", "--by", "workspace",
                     "--billed", str(DATA / "anthropic_analytics_costs.json"))
    by = {r["model"]: r for r in rows}
    # Sonnet 4.6: $4.50 global + $4.95 US-only (1.1x), billed in cents as the report writes them
    assert by["anthropic/claude-sonnet-4-6"]["billed"] == by["anthropic/claude-sonnet-4-6"]["repriced"] == 9.45
    assert by["anthropic/claude-sonnet-4-5"]["difference"] == 0.0
    assert by["anthropic: (not by model)"]["billed"] == 0.125  # web search, 12.5 cents
    assert by["anthropic: (total)"]["billed"] == 14.075 and by["anthropic: (total)"]["repriced"] == 13.95


def test_the_legacy_anthropic_cost_report_is_read_too():
    rows = _reported(str(DATA / "anthropic.json"), "--from", "anthropic", "--by", "workspace",
                     "--billed", str(DATA / "anthropic_cost_report.json"))
    assert rows and rows[-1]["model"] == "anthropic: (total)" and rows[-1]["billed"] > 0


def test_the_table_shows_the_comparison_and_says_unpriced_rows_are_left_out():
    r = runner.invoke(app, ["allocate", str(DATA / "openai_tiers.jsonl"), "--from", "openai", "--by", "project",
                            "--billed", str(DATA / "openai_tiers_costs.json")])
    assert r.exit_code == 0, r.output
    assert "Billed (the providers' cost reports) versus repriced" in r.stdout
    assert any(line.split() == ["2025-10", "openai:", "(total)", "4.50", "4.20", "-0.3000", "(-6.7%)"]
               for line in r.stdout.splitlines())
    assert "the 1 unpriced rows are in the billed amounts but not in the repriced ones" in r.stdout


def test_a_bad_cost_report_stops_before_any_pricing_with_its_place(tmp_path):
    bad = tmp_path / "costs.json"
    bad.write_text('{"object": "page", "data": [{"object": "bucket", "start_time": 1759276800, "results": '
                   '[{"object": "organization.costs.result", "amount": {"value": "abc", "currency": "eur"}}]}]}')
    r = runner.invoke(app, ["allocate", str(DATA / "openai_tiers.jsonl"), "--from", "openai", "--billed", str(bad)])
    assert r.exit_code == 2 and str(bad) in r.stderr and "Traceback" not in r.output
    assert "amount" in r.stderr and r.stdout == ""


def test_without_cost_reports_the_json_has_no_such_section():
    r = runner.invoke(app, ["allocate", str(DATA / "openai_tiers.jsonl"), "--from", "openai", "--format", "json"])
    assert "cost_reports" not in json.loads(r.stdout)


def test_a_report_of_part_of_a_month_gets_no_difference_and_says_why(tmp_path):
    part = tmp_path / "part.json"  # the first day of October only
    part.write_text((DATA / "openai_tiers_costs.json").read_text().split(', {"object": "bucket", "start_time": 1759363200')[0]
                    + "], \"has_more\": false, \"next_page\": null}")
    rows = _reported(str(DATA / "openai_tiers.jsonl"), "--from", "openai", "--by", "project", "--billed", str(part))
    total = rows[-1]
    assert (total["days_covered"], total["days_in_month"]) == (1, 31) and total["difference"] is None
    r = runner.invoke(app, ["allocate", str(DATA / "openai_tiers.jsonl"), "--from", "openai", "--billed", str(part)])
    assert "openai 2025-10: the reports cover 1 of its 31 days" in r.stdout


def test_the_same_days_in_two_reports_are_refused_not_added_twice(tmp_path):
    r = runner.invoke(app, ["allocate", str(DATA / "anthropic_analytics.json"), "--from", "anthropic",
                            "--billed", str(DATA / "anthropic_analytics_costs.json"),
                            "--billed", str(DATA / "anthropic_analytics_costs.json")])
    assert r.exit_code == 2 and "given twice" in r.stderr
    dup = tmp_path / "copy.json"
    dup.write_text((DATA / "anthropic_analytics_costs.json").read_text())
    r = runner.invoke(app, ["allocate", str(DATA / "anthropic_analytics.json"), "--from", "anthropic",
                            "--billed", str(DATA / "anthropic_analytics_costs.json"), "--billed", str(dup)])
    assert r.exit_code == 2 and "are also in" in r.stderr and "give each day once" in r.stderr


def test_formats_without_the_comparison_say_so():
    r = runner.invoke(app, ["allocate", str(DATA / "openai_tiers.jsonl"), "--from", "openai",
                            "--billed", str(DATA / "openai_tiers_costs.json"), "--format", "csv"])
    assert r.exit_code == 0 and "is in the table and JSON formats only" in r.stderr


def test_a_cost_report_given_as_the_usage_file_is_refused_with_the_way_out():
    for name, layout in (("anthropic_cost_report.json", "anthropic"), ("openai_costs.json", "openai"),
                         ("anthropic_analytics_costs.json", "anthropic")):
        r = runner.invoke(app, ["allocate", str(DATA / name), "--from", layout])
        assert r.exit_code == 2 and "this is a cost report" in r.stderr and "--billed" in r.stderr, name


def test_an_analytics_page_with_a_row_per_line_is_one_document(tmp_path):
    page = json.loads((DATA / "anthropic_analytics.json").read_text())
    f = tmp_path / "rows.json"
    f.write_text('{"data": [\n' + ",\n".join(json.dumps(r) for r in page["data"]) + '\n], "has_more": false}\n')
    a = _allocate_json(f)
    b = _allocate_json(DATA / "anthropic_analytics.json")
    assert a["totals"]["total"] == b["totals"]["total"] == 13.95


def _allocate_json(path) -> dict:
    r = runner.invoke(app, ["allocate", str(path), "--from", "anthropic", "--by", "workspace", "--format", "json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)
