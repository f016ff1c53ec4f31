"""aicost forecast (issue 23): a log with a known trend, its projection and the runway by hand.

Team a spends 10 + 0.5 t dollars on day t (t = 0 on 2026-10-01, gpt-4.1 output at $8 per 1M), team
b a flat $20 a day, for 45 days (to 2026-11-14)."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from aicost.analyses.forecast import run
from aicost.base.errors import InputError
from aicost.cli import app


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    path = tmp_path_factory.mktemp("fc") / "usage.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "provider", "model", "tier", "requests", "input_tokens", "output_tokens", "team"])
        for t in range(45):
            d = (date(2026, 10, 1) + timedelta(days=t)).isoformat()
            w.writerow([d, "openai", "gpt-4.1", "standard", 1, 0, round((10 + 0.5 * t) / 8 * 1e6), "a"])
            w.writerow([d, "openai", "gpt-4.1", "standard", 1, 0, round(20 / 8 * 1e6), "b"])
    return path


def _rows(res) -> dict:
    return {r["team"]: r for r in res.rows}


def test_the_trend_of_a_known_log_is_recovered_and_projected(log):
    res = run([log], by="team", months=2)
    a = _rows(res)["a"]
    assert a["logged"] == Decimal("945.00")  # 45 x 10 + 0.5 x (0 + ... + 44)
    assert a["per day now"] == Decimal("32.00")  # 10 + 0.5 x 44
    # November: 1-14 logged (402.5), 15-30 at the trend (t = 45..60: 160 + 0.5 x 840 = 580)
    assert a["2026-11"] == Decimal("982.50")
    assert a["2026-12"] == Decimal("1488.00")  # t = 61..91: 310 + 0.5 x 2356
    assert a["2027-01"] == Decimal("1968.50")
    assert _rows(res)["b"]["2026-12"] == Decimal("620.00") and _rows(res)["b"]["change a month"] == "+0.0%"
    assert res.meta["first_day"] == "2026-10-01" and res.meta["last_day"] == "2026-11-14"


def test_the_runway_date_by_hand(log):
    res = run([log], by="team", months=2, budgets=["800", "b=500"])
    rows = _rows(res)
    # a: November to date 402.5; then 32.5, 33, ...: after 12 more days 402.5 + 390 + 33 = 825.5 >= 800
    assert rows["a"]["crosses on"] == "2026-11-26"
    assert rows["b"]["crosses on"] == "2026-11-25"  # $20 a day: the 25th day of the month reaches $500
    assert rows["b"]["budget"] == Decimal("500.00")
    res = run([log], by="team", months=1, budgets=["b=5000"])
    assert _rows(res)["b"]["crosses on"] == "not within the months shown"
    assert _rows(res)["a"]["crosses on"] is None  # no budget for a


def test_bad_budgets_and_months_are_clear_errors(log):
    with pytest.raises(InputError) as err:
        run([log], budgets=["lots", "b=-5"])
    assert len(err.value.problems) == 2 and "expected AMOUNT or VALUE=AMOUNT" in str(err.value.problems[0])
    r = CliRunner().invoke(app, ["forecast", str(log), "--months", "99"])
    assert r.exit_code == 2 and "0 to 60 months" in r.output


def test_cli_json(log):
    import json

    r = CliRunner().invoke(app, ["forecast", str(log), "--by", "team", "--months", "1", "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["kind"] == "forecast" and data["rows"][-1]["team"] == "(all)"
    assert data["rows"][-1]["2026-12"] == pytest.approx(1488 + 620)
