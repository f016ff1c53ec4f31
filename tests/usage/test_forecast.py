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
    assert _rows(res)["b"]["2026-12"] == Decimal("620.00") and _rows(res)["b"]["change a month %"] == 0
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


def test_check_holds_each_teams_actual_spend_to_its_limit(log, tmp_path):
    """November to the 14th: a spent 402.5 (month end 982.5 at its trend), b 280 (month end 600)."""
    from aicost.analyses.check import run_checks
    from aicost.inputs.pricebook import PriceBook
    from aicost.report.explain import say

    budgets = tmp_path / "budgets.yaml"
    budgets.write_text(f"kind: budgets\nversion: 1\nspend:\n  - usage: [{log}]\n    by: team\n"
                       f"    limits: {{a: 400, b: 900}}\n  - usage: [{log}]\n    by: team\n    max_monthly_spend: 500\n")
    report = run_checks([str(budgets)], PriceBook.load())
    got = {(c.scenario, c.limit): c for c in report.checks}
    a, b = got[("team=a", 400.0)], got[("team=b", 900.0)]
    assert (a.status, a.actual, a.line) == ("failed", pytest.approx(402.5), 6)
    assert "spent $402.50 in 2026-11 (to 2026-11-14), over its monthly limit of $400.00 by $2.50" in say(a.message)
    assert b.status == "ok"
    # $500 for each: b is within it so far, but its month ends at $600 at the trend: a warning
    b5 = got[("team=b", 500.0)]
    assert b5.status == "warning" and "the month ends at $600.00, over the limit" in say(b5.message)
    r = CliRunner().invoke(app, ["check", str(budgets)])
    assert r.exit_code == 1


# ---- found in review ------------------------------------------------------------------------------


def test_a_group_with_unpriced_requests_has_no_totals_and_budgets_must_name_a_value(tmp_path):
    p = tmp_path / "mixed.csv"
    p.write_text("timestamp,provider,model,tier,requests,input_tokens,output_tokens,team\n"
                 "2026-11-01,openai,gpt-4.1,scale,10,1000000,0,a\n"  # Scale Tier: bought by contract, unpriced
                 "2026-11-01,openai,gpt-4.1,standard,10,1000000,0,b\n")
    res = run([p], by="team", months=1)
    rows = _rows(res)
    assert rows["a"]["logged"] is None and rows["a"]["unpriced requests"] == 10  # never $0
    assert rows["b"]["logged"] == Decimal("2.00")
    assert rows["b"]["change a month %"] is None and "too few for a trend" in res.meta["method"]
    with pytest.raises(InputError) as err:
        run([p], by="team", budgets=["c=5"])
    assert "no row of the log has team=c" in str(err.value)


def test_check_on_spend_warns_on_unpriced_spend_and_unseen_values_and_errors_on_what_it_cannot_read(log, tmp_path):
    from aicost.analyses.check import run_checks
    from aicost.inputs.pricebook import PriceBook
    from aicost.report.explain import say

    mixed = tmp_path / "mixed.csv"
    mixed.write_text("timestamp,provider,model,tier,requests,input_tokens,output_tokens,team\n"
                     "2026-11-01,openai,gpt-4.1,scale,1000,100000000,0,search\n"
                     "2026-11-01,openai,gpt-4.1,standard,10,1000,0,search\n")
    budgets = tmp_path / "b.yaml"
    budgets.write_text(f"kind: budgets\nversion: 1\nspend:\n  - usage: [{mixed}]\n    by: team\n"
                       f"    limits: {{search: 40, serch: 10}}\n  - usage: [nosuch.csv]\n    by: team\n"
                       f"    max_monthly_spend: 5\n  - usage: [{log}]\n    by: tteam\n    max_monthly_spend: 5\n")
    report = run_checks([str(budgets)], PriceBook.load())
    by = {(c.scenario, c.budget): c for c in report.checks}
    s = by[("team=search", "max_monthly_spend")]
    assert s.status == "warning" and "1,000 requests with no price" in say(s.message)
    assert by[("team=serch", "max_monthly_spend")].status == "warning"
    errors = [say(c.message) for c in report.checks if c.status == "error"]
    assert any("no such file or directory" in e for e in errors)
    assert any("no row of the log carries the tag 'tteam'" in e for e in errors)
