"""Provider cost reports (what was billed) read into one frame: each of the three formats with its
day, provider, model and amount in dollars worked by hand; JSON Lines and arrays of pages; every
bad value named at once, never read as 0 or as a number it is not."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aicost.base.errors import InputError
from aicost.usage.billed import COLUMNS, EXPECTED, FORMATS, openai_model, read_billed

DATA = Path(__file__).resolve().parent.parent / "data" / "usage"
OPENAI = DATA / "openai_costs.json"
LEGACY = DATA / "anthropic_cost_report.json"
ANALYTICS = DATA / "anthropic_analytics_cost.json"
AUG1, AUG2, AUG3 = 1754006400, 1754092800, 1754179200  # 2025-08-01/02/03 00:00 UTC
NOT_USD = "aicost reads amounts in US dollars and does not convert currencies"


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def rows(df: pd.DataFrame) -> list[tuple]:
    """(day, end_day, provider, model, item, amount, format) per row, days as ISO text."""
    return [(r.day.date().isoformat(), r.end_day.date().isoformat(), r.provider, r.model, r.item, r.amount,
             r.format) for r in df.itertuples()]


def problems(paths) -> list[str]:
    with pytest.raises(InputError) as exc:
        read_billed(paths)
    return [str(p) for p in exc.value.problems]


def page(*buckets, **top) -> dict:
    return {"object": "page", "data": list(buckets), "has_more": False, "next_page": None, **top}


def bucket(start, results, end=None) -> dict:
    return {"object": "bucket", "start_time": start, "end_time": end or start + 86400, "results": results}


def cost(value, currency="usd", line_item="gpt-4o-mini-2024-07-18, input") -> dict:
    return {"object": "organization.costs.result", "amount": {"value": value, "currency": currency},
            "line_item": line_item, "project_id": "proj_Kq3ZtN8cVwX2mLpR4yHs1aBd", "api_key_id": None, "quantity": None}


def write(path: Path, doc) -> Path:
    path.write_text(json.dumps(doc))
    return path


def test_openai_costs_page_in_dollars_with_the_model_from_the_line_item():
    df = read_billed([OPENAI])
    assert list(df.columns) == list(COLUMNS)
    assert rows(df) == [
        ("2025-08-01", "2025-08-02", "openai", "gpt-4o-2024-08-06", "gpt-4o-2024-08-06, input", 0.06, "openai-costs"),
        ("2025-08-01", "2025-08-02", "openai", "gpt-4o-2024-08-06", "gpt-4o-2024-08-06, output", 1.2, "openai-costs"),
        ("2025-08-01", "2025-08-02", "openai", None, "web search tool calls", 0.35, "openai-costs"),
        ("2025-08-02", "2025-08-03", "openai", "gpt-5-2025-08-07", "priority | gpt-5-2025-08-07, cached input", 2.5,
         "openai-costs"),
        ("2025-08-02", "2025-08-03", "openai", None, None, -0.5, "openai-costs"),
    ]
    assert df["file"].tolist() == [str(OPENAI)] * 5
    assert df["amount"].sum() == pytest.approx(3.61)


def test_a_negative_amount_a_credit_is_kept_as_written():
    df = read_billed([OPENAI])
    assert df.loc[df["amount"] < 0, "amount"].tolist() == [-0.5]


def test_anthropic_cost_report_cents_as_text_become_dollars():
    df = read_billed([LEGACY])
    assert rows(df) == [
        ("2025-08-01", "2025-08-02", "anthropic", "claude-sonnet-4-20250514", "Claude Sonnet 4 Usage - Input Tokens",
         1.2345, "anthropic-cost-report"),  # "123.45" cents
        ("2025-08-01", "2025-08-02", "anthropic", None, "Web Search Usage", 10.0, "anthropic-cost-report"),
        ("2025-08-02", "2025-08-03", "anthropic", "claude-opus-4-1-20250805", "tokens, output_tokens", 0.005,
         "anthropic-cost-report"),  # no description: cost_type and token_type
    ]


def test_anthropic_analytics_cost_rows_fractional_cents_as_text_or_number():
    df = read_billed([ANALYTICS])
    assert rows(df) == [
        ("2025-08-01", "2025-08-02", "anthropic", "claude-sonnet-4-5-20250929", "tokens, output_tokens", 7.5,
         "anthropic-analytics-cost"),  # "750.000000"
        ("2025-08-01", "2025-08-02", "anthropic", "claude-haiku-4-5-20251001", "tokens, cache_read_input_tokens",
         0.125, "anthropic-analytics-cost"),  # 12.5, a JSON number
        ("2025-08-02", "2025-08-03", "anthropic", None, "web_search", 20.005, "anthropic-analytics-cost"),
    ]


def test_days_are_dates_and_several_files_keep_their_order():
    df = read_billed([ANALYTICS, OPENAI, LEGACY])
    assert df["format"].tolist() == [FORMATS[2]] * 3 + [FORMATS[0]] * 5 + [FORMATS[1]] * 3
    assert df["file"].tolist() == [str(ANALYTICS)] * 3 + [str(OPENAI)] * 5 + [str(LEGACY)] * 3
    assert pd.api.types.is_datetime64_dtype(df["day"]) and pd.api.types.is_datetime64_dtype(df["end_day"])
    assert (df["day"] == df["day"].dt.normalize()).all()
    assert df["day"].to_numpy(dtype="datetime64[D]")[3] == np.datetime64("2025-08-01")


def test_json_lines_of_openai_pages_blank_lines_skipped(tmp_path):
    f = tmp_path / "costs.jsonl"
    f.write_text(json.dumps(page(bucket(AUG1, [cost(0.25)]))) + "\n\n" +
                 json.dumps(page(bucket(AUG2, [cost(1.5, line_item="o3-2025-04-16, output")]))) + "\n")
    assert rows(read_billed([f])) == [
        ("2025-08-01", "2025-08-02", "openai", "gpt-4o-mini-2024-07-18", "gpt-4o-mini-2024-07-18, input", 0.25,
         "openai-costs"),
        ("2025-08-02", "2025-08-03", "openai", "o3-2025-04-16", "o3-2025-04-16, output", 1.5, "openai-costs"),
    ]


def test_a_json_array_of_pages(tmp_path):
    f = write(tmp_path / "pages.json", [page(bucket(AUG1, [cost(0.1)])), page(bucket(AUG2, [cost(0.2)]))])
    assert read_billed([f])["amount"].tolist() == [0.1, 0.2]
    assert read_billed([f])["day"].dt.strftime("%Y-%m-%d").tolist() == ["2025-08-01", "2025-08-02"]


def test_a_bad_json_line_is_named_by_file_and_line(tmp_path):
    f = tmp_path / "costs.jsonl"
    f.write_text(json.dumps(page(bucket(AUG1, [cost(0.25)]))) + "\n{\"object\": \"page\", \n" +
                 json.dumps(page(bucket(AUG2, [cost(None)]))) + "\n")
    got = problems([f])
    assert len(got) == 2
    assert got[0].startswith(f"{f}:2: not JSON: ")
    assert got[1] == f"{f}:3: data[0].results[0].amount.value: null, not a number (a cost is never read as 0)"


def test_several_documents_not_one_a_line_is_one_problem(tmp_path):
    f = tmp_path / "pretty.json"
    f.write_text(json.dumps(page(), indent=2) + "\n" + json.dumps(page(), indent=2) + "\n")
    why = "not JSON Lines (Expecting property name enclosed in double quotes)"
    what = "a cost report is one JSON document, a JSON array of pages, or one page a line"
    assert problems([f]) == [f"{f}:1: {why}: {what}"]


def test_a_folder_or_a_missing_file_is_named_with_the_other_problems(tmp_path):
    bad = write(tmp_path / "bad.json", page(bucket(AUG1, [cost("1.2.3")])))
    assert problems([tmp_path, tmp_path / "nope.json", bad, OPENAI]) == [
        f"{tmp_path}: is a directory, expected a cost report (a JSON file)",
        f"{bad}: data[0].results[0].amount.value: not a number: '1.2.3'",
        f"{tmp_path / 'nope.json'}: no such file",
    ]


@pytest.mark.parametrize("doc", [
    {"hello": "world"},
    [1, 2, 3],
    {"data": [{"start_time": AUG1}]},
])
def test_a_file_in_none_of_the_formats_names_the_formats_expected(tmp_path, doc):
    f = write(tmp_path / "other.json", doc)
    assert problems([f]) == [f"{f}: not a cost report: {EXPECTED}"]
    assert all(name in EXPECTED for name in FORMATS)


@pytest.mark.parametrize("name", ["anthropic.json", "openai.jsonl"])
def test_a_usage_report_is_not_read_as_a_cost_report(name):
    got = problems([DATA / name])
    assert got and all(p.endswith(f"not a cost report: {EXPECTED}; this looks like a usage report (tokens, not "
                                  "money)") for p in got)


def test_every_bad_value_in_every_file_is_reported_at_once(tmp_path):
    f = tmp_path / "openai.json"
    f.write_text(json.dumps(page(
        bucket(AUG1, [cost("abc"), cost(0.5), cost(None), cost(2.0, currency="eur"), "oops"]),
        {"object": "bucket", "end_time": AUG3, "results": [cost(1.0)]},
    )).replace('"value": 0.5', '"value": NaN'))
    g = write(tmp_path / "anthropic.json", {"data": [
        {"starting_at": "2025-08-01T00:00:00Z", "ending_at": "2025-08-02T00:00:00Z", "results": [
            {"amount": "12,5", "currency": "USD", "model": None, "description": None, "cost_type": None},
            {"amount": "100", "currency": "EUR", "model": None, "description": None, "cost_type": None},
            {"amount": "TOO_LARGE", "currency": "USD", "model": None, "description": None}]},
        {"starting_at": "first of August", "results": [{"amount": "1", "currency": "USD"}]},
    ], "has_more": False, "next_page": None})
    g.write_text(g.read_text().replace('"TOO_LARGE"', "1e400"))  # a JSON number past a float's range
    assert problems([f, g]) == [
        f"{g}: data[0].results[0].amount: not a number: '12,5'",
        f"{g}: data[0].results[1].currency: 'EUR', not USD: {NOT_USD}",
        f"{g}: data[0].results[2].amount: not a finite number: '1e400'",
        f"{g}: data[1].starting_at: not an RFC 3339 time: 'first of August'",
        f"{f}: data[0].results[0].amount.value: not a number: 'abc'",
        f"{f}: data[0].results[1].amount.value: not a number: 'NaN'",
        f"{f}: data[0].results[2].amount.value: null, not a number (a cost is never read as 0)",
        f"{f}: data[0].results[3].amount.currency: 'eur', not USD: {NOT_USD}",
        f"{f}: data[0].results[4]: not an object: 'oops'",
        f"{f}: data[1].start_time: missing start time",
    ]


def test_analytics_problems_and_a_missing_currency(tmp_path):
    f = write(tmp_path / "analytics.json", {"data": [
        {"starting_at": "2025-08-01T00:00:00Z", "group": {"model": "claude-opus-4-1-20250805"},
         "cost": {"amount": True, "currency": "USD"}},
        {"ending_at": "2025-08-02T00:00:00Z", "group": {}, "cost": {"amount": "5"}},
        {"starting_at": "2025-08-01T00:00:00Z", "group": {}, "cost": None},
    ], "has_more": False, "next_page": None})
    assert problems([f]) == [
        f"{f}: data[0].cost.amount: not a number: true",
        f"{f}: data[1].cost.currency: missing: {NOT_USD}",
        f"{f}: data[1].starting_at: missing start time",
        f"{f}: data[2].cost: missing",
    ]


def test_a_unix_start_as_text_is_not_a_time(tmp_path):
    f = write(tmp_path / "c.json", page(bucket(str(AUG1), [cost(1.0)], end=AUG2)))
    assert problems([f]) == [f"{f}: data[0].start_time: not a Unix time in seconds: '1754006400'"]


def test_an_empty_page_is_no_rows_with_the_columns(tmp_path):
    df = read_billed([write(tmp_path / "empty.json", page())])
    assert list(df.columns) == list(COLUMNS) and len(df) == 0
    assert read_billed([]).shape == (0, len(COLUMNS))


@pytest.mark.parametrize("line_item, model", [
    ("gpt-4o-2024-08-06, input", "gpt-4o-2024-08-06"),
    ("gpt-4o-mini-2024-07-18, cached input", "gpt-4o-mini-2024-07-18"),
    ("priority | gpt-5.4-2026-03-05, input", "gpt-5.4-2026-03-05"),
    ("gpt-realtime-1.5 audio, output", "gpt-realtime-1.5"),
    ("gpt-4o, input, long context", "gpt-4o"),
    ("whisper-1, audio", "whisper-1"),
    ("web search tool calls", None),
    ("Vector storage", None),
    ("File search tool calls, storage", None),
    ("gpt-4o,input", None),
    ("gpt-4o, ", None),
    (None, None),
])
def test_the_model_of_an_openai_line_item(line_item, model):
    assert openai_model(line_item) == model
