"""aicost export: forecast rows by meter that reconcile with the report, FOCUS rules, inert CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicost.report import render
from aicost.report.export import rows as export_rows
from aicost.report.explain import reason, says  # noqa: F401
from aicost.analyses import export as exp
from aicost.base import paths
from aicost.cli import app
from aicost.analyses.compare import run
from aicost.report.focus import MANDATORY
from aicost.report.csvsafe import DANGEROUS

from conftest import AS_OF

runner = CliRunner()
SCENARIOS = sorted(paths.bundled_scenarios())
NUMERIC = {"BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "PricingQuantity", "ConsumedQuantity",
           "ListUnitPrice", "ContractedUnitPrice", "x_MonthlyCostOfOption", "x_OptionRank"}


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("name", SCENARIOS)
def test_rows_sum_to_the_report_for_every_option_of_every_shipped_scenario(name, book):
    e = exp.build([name], as_of=AS_OF, options="all", book=book)
    report = run([name], as_of=AS_OF, book=book).scenarios[0]
    ok = {o.id: o.metrics["monthly_cost"] for o in report.options if o.status == "ok"}
    assert set(o for _, o in e.totals) == set(ok)  # every eligible option exported, nothing else
    sums: dict[str, Decimal] = {}
    for r in export_rows(e):
        sums[r["x_Option"]] = sums.get(r["x_Option"], Decimal(0)) + r["BilledCost"]
    for oid, total in ok.items():
        assert abs(sums[oid] - Decimal(repr(total))) < Decimal("0.005"), oid
    # and through the CSV text a spreadsheet would read
    text = render(e, "focus")
    by_opt: dict[str, float] = {}
    for r in parse(text):
        by_opt[r["x_Option"]] = by_opt.get(r["x_Option"], 0.0) + float(r["BilledCost"])
    for oid, total in ok.items():  # to the cent (a round() of each would split a total of exactly x.xx5)
        assert abs(by_opt[oid] - total) < 0.005, oid


def test_hand_worked_rows_for_the_worked_example(book):
    """worked-example: gpt-5-mini Standard cached; 10,000 tasks; the report's meters as rows."""
    e = exp.build(["worked-example"], as_of=AS_OF, book=book)
    o = run(["worked-example"], as_of=AS_OF, book=book).scenarios[0].best
    rows = {r["x_Meter"]: r for r in export_rows(e)}
    for meter in ("input", "output"):
        r = rows[meter]
        tokens = o.meters["tokens"][meter]
        assert r["ConsumedQuantity"] == Decimal(round(tokens))
        assert r["PricingQuantity"] == Decimal(round(tokens)) / 1_000_000
        assert r["PricingUnit"] == "1000000 Tokens" and r["ConsumedUnit"] == "Tokens"
        # gpt-5-mini Standard: $0.25 input, $2.00 output per 1M (pricing/openai.yaml)
        assert r["ListUnitPrice"] == {"input": Decimal("0.25"), "output": Decimal("2")}[meter]
        assert r["ListUnitPrice"] * r["PricingQuantity"] == pytest.approx(r["ListCost"], abs=Decimal("0.000001"))
    assert rows["input"]["SkuMeter"] == "Input Tokens" and rows["input"]["x_TokenDirection"] == "input"
    assert rows["cached_input"]["x_TokenDirection"] == "cached"
    assert rows["review"]["ProviderName"] == "In-house" and rows["review"]["PricingUnit"] == "Tasks"


def test_focus_rules(book):
    e = exp.build(["nightly-extraction", "self-hosted-wins", "triage-cascade"], as_of=AS_OF, options="all", book=book)
    text = render(e, "focus")
    header = next(csv.reader(io.StringIO(text)))
    assert header[:len(MANDATORY)] == list(MANDATORY)
    first_x = next(i for i, c in enumerate(header) if c.startswith("x_"))
    assert all(c.startswith("x_") for c in header[first_x:])  # custom columns last, not mixed in
    assert all(re.fullmatch(r"[A-Z][A-Za-z]+", c) for c in header[:first_x])  # PascalCase
    assert "\r\n" in text and text.endswith("\r\n")
    for r in parse(text):
        for c in ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd"):
            assert re.fullmatch(r"\d{4}-\d\d-01T00:00:00Z", r[c])  # month bounds, UTC
        assert r["ChargePeriodEnd"] > r["ChargePeriodStart"]  # exclusive end: the next month
        for c in MANDATORY:
            if c not in ("ChargeClass", "ChargeDescription", "BillingAccountName"):
                assert r[c] != "", c  # mandatory and not nullable
        for c in NUMERIC:
            if r[c]:
                assert re.fullmatch(r"-?\d+(\.\d+)?", r[c]), (c, r[c])  # plain decimals
        assert r["ChargeClass"] == ""  # null is an empty field, never "N/A" or 0
        assert r["ServiceCategory"] in ("AI and Machine Learning", "Compute", "Storage", "Other")
        assert (r["PricingQuantity"] == "") == (r["PricingUnit"] == "")
        if r["Tags"]:
            tags = json.loads(r["Tags"])
            assert all(not isinstance(v, (dict, list)) for v in tags.values())
    gpu = [r for r in parse(text) if r["x_Meter"] == "gpu"]
    assert gpu and all(r["PricingUnit"] == "GPU-Hours" and r["ServiceCategory"] == "Compute" for r in gpu)


def test_focus_13_adds_the_new_provider_columns(book):
    e = exp.build(["worked-example"], as_of=AS_OF, focus_version="1.3", book=book)
    header = next(csv.reader(io.StringIO(render(e, "focus"))))
    assert "ServiceProviderName" in header and "HostProviderName" in header
    assert header.index("HostProviderName") < header.index("x_Scenario")


def test_byte_identical(book):
    a = render(exp.build(["support-assistant", "self-hosted-wins"], as_of=AS_OF, book=book), "focus")
    b = render(exp.build(["support-assistant", "self-hosted-wins"], as_of=AS_OF, book=book), "focus")
    assert a == b


EVIL = {"team": "=HYPERLINK(\"http://x.test\",\"click\")", "feature": "+1", "tenant": "-2+3",
        "cost_center": "@SUM(A1:A9)", "environment": "\tprod"}


def evil_scenario(tmp_path: Path) -> Path:
    text = (paths.bundled_scenarios()["worked-example"]).read_text()
    text = text.replace("name: Worked example", "name: '=1+2\";=1+2'")
    tags = "tags:\n" + "".join(f"  {k}: {json.dumps(v)}\n" for k, v in EVIL.items())
    text = text.replace("\nvolume:", "\n" + tags + "volume:", 1)
    f = tmp_path / "evil.yaml"
    f.write_text(text)
    return f


@pytest.mark.parametrize("fmt", ["csv", "focus"])
def test_formulas_in_names_and_tags_open_inert(tmp_path, fmt):
    f = evil_scenario(tmp_path)
    out = tmp_path / "out.csv"
    res = runner.invoke(app, ["export", str(f), "--format", fmt, "--output", str(out)])
    assert res.exit_code == 0, res.output
    rows = parse(out.read_text(encoding="utf-8"))
    assert rows
    seen = set()
    for r in rows:
        for k, v in r.items():
            assert not v.startswith(DANGEROUS), (k, v)  # no cell a spreadsheet would evaluate
            seen.add(v)
    for v in EVIL.values():
        assert "'" + v in seen  # kept, behind a leading quote
    assert "'=1+2\";=1+2" in seen
    # --csv-raw: the same text, unguarded, for machines
    raw = runner.invoke(app, ["export", str(f), "--format", fmt, "--csv-raw"])
    assert any(v.startswith("=") for r in parse(raw.stdout) for v in r.values())


def test_negative_numbers_stay_numbers():
    from aicost.report.focus import money, render

    text = render([{"BilledCost": money(-12.5), "x_Team": "-2+3"}], ["BilledCost", "x_Team"])
    assert text.splitlines()[1] == "-12.5,'-2+3"


def test_cli_export_writes_atomically_and_reports_bad_input(tmp_path):
    out = tmp_path / "f.csv"
    res = runner.invoke(app, ["export", "worked-example", "--format", "focus", "-o", str(out)])
    assert res.exit_code == 0 and out.exists()
    bad = runner.invoke(app, ["export", "worked-example", "--format", "xlsx", "-o", str(tmp_path / "g.csv")])
    assert bad.exit_code == 2 and not (tmp_path / "g.csv").exists()
    bad = runner.invoke(app, ["export", "worked-example", "--options", "no-such-option"])
    assert bad.exit_code == 2 and "no option 'no-such-option'" in bad.stderr
    bad = runner.invoke(app, ["export", "worked-example", "--period", "2026-13"])
    assert bad.exit_code == 2 and "--period" in bad.stderr
    assert list(tmp_path.iterdir()) == [out]  # nothing else written, no temporary files left


def test_period_and_chosen_option(book):
    from datetime import date

    e = exp.build(["support-assistant"], as_of=AS_OF, period=date(2026, 12, 1), book=book)
    assert {r["x_Option"] for r in export_rows(e)} == {"openai/gpt-5-mini:standard:cached"}  # the budget's option
    assert {r["BillingPeriodStart"] for r in export_rows(e)} == {"2026-12-01T00:00:00Z"}
    assert {r["BillingPeriodEnd"] for r in export_rows(e)} == {"2027-01-01T00:00:00Z"}
