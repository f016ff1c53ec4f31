"""Provisioned throughput (Azure PTU) beside pay-as-you-go (issue 21): reservations below and
above their capacity, with and without spillover, sized for the busiest hour, and the break-even
volume against Standard, all by hand from the shipped tables."""

from __future__ import annotations

import copy

import pytest

from aicost.analyses.compare import compare_loaded
from conftest import AS_OF, BASE, loaded

# gpt-4.1 on Azure: 3,000 input tokens a minute per PTU, an output token counts as 4 input tokens,
# Global from 15 PTUs in steps of 5; $260 a PTU for a month, $2,652 for a year, $1 a PTU-hour.
# An attempt of 2,000 input and 500 output tokens is 2,000 + 4 x 500 = 4,000 tokens of load, and
# costs 2,000 x $2 + 500 x $8 per 1M = $0.008 on Standard.
MINUTES = 730 * 60


def _data(tasks: float, **provisioned) -> dict:
    data = copy.deepcopy(BASE)
    data["models"] = {"gpt-4.1": {"p_success": 1.0}}
    data["attempt"]["steps"] = [{"name": "s", "input_tokens": 2000, "output_tokens": 500}]
    data["volume"] = {"tasks_per_month": tasks, "peak_to_average": 1}
    data["options"] = {"caching": [False], "tiers": ["standard"]}
    data["provisioned"] = {"terms": ["monthly"], **provisioned}
    return data


def _opts(data: dict) -> dict:
    return {o.id: o for o in compare_loaded(loaded(data, _opts.book), _opts.book, as_of=AS_OF).options}


@pytest.fixture(autouse=True)
def _book(book):
    _opts.book = book


def tasks_at(load_tpm: float) -> float:
    return load_tpm * MINUTES / 4000


def test_a_reservation_at_60_percent_of_its_capacity_spills_nothing():
    o = _opts(_data(tasks_at(0.6 * 45_000), ptus=15))["azure/gpt-4.1:ptu-global-monthly"]
    assert o.status == "ok"
    assert o.provisioned["ptus"] == 15 and o.provisioned["spill_share"] == 0
    assert o.provisioned["utilisation"] == pytest.approx(0.6)
    assert o.metrics["monthly_cost"] == pytest.approx(15 * 260)  # the reservation alone
    assert o.meters["cost"]["input"] == 0 and o.meters["cost"]["provisioned"] == pytest.approx(3900)


def test_a_reservation_at_120_percent_spills_a_sixth_to_standard():
    tasks = tasks_at(1.2 * 45_000)
    o = _opts(_data(tasks, ptus=15))["azure/gpt-4.1:ptu-global-monthly"]
    assert o.provisioned["spill_share"] == pytest.approx(1 / 6)
    # the load above 45,000 tokens a minute (54,000 - 45,000 = a sixth) at Standard rates, plus the reservation
    assert o.metrics["monthly_cost"] == pytest.approx(3900 + tasks * 0.008 / 6)
    assert o.meters["cost"]["input"] == pytest.approx(tasks * 2000 * 2 / 1e6 / 6)


def test_only_the_busiest_hours_spill_over_on_a_working_day():
    # peak_to_average 2: 8 hours at twice the mean load, 16 at half; mean 30,000 a minute -> 60,000 at the peak
    data = _data(tasks_at(30_000), ptus=15)
    data["volume"]["peak_to_average"] = 2
    o = _opts(data)["azure/gpt-4.1:ptu-global-monthly"]
    # the 8 peak hours carry 8 x 2 = 16 of the day's 24 units; a quarter of each (15,000 of 60,000) spills
    assert o.provisioned["spill_share"] == pytest.approx(16 / 24 * 0.25)


def test_without_spillover_an_overloaded_reservation_is_out_with_the_reason():
    o = _opts(_data(tasks_at(1.2 * 45_000), ptus=15, spillover=False))["azure/gpt-4.1:ptu-global-monthly"]
    assert o.status == "ineligible" and o.reasons[0].code == "over_capacity"


def test_a_reservation_is_sized_for_the_busiest_hour_with_headroom():
    # 54,000 tokens a minute x 1.2 = 64,800 -> 21.6 PTUs -> 25 in steps of 5
    o = _opts(_data(tasks_at(54_000), headroom=1.2))["azure/gpt-4.1:ptu-global-monthly"]
    assert o.provisioned["ptus"] == 25 and o.provisioned["spill_share"] == 0
    assert o.metrics["monthly_cost"] == pytest.approx(25 * 260)
    small = _opts(_data(1000))["azure/gpt-4.1:ptu-global-monthly"]
    assert small.provisioned["ptus"] == 15  # never below the deployment's minimum


def test_hourly_and_yearly_terms_and_the_break_even_against_standard_on_both_sides():
    # a year's reservation is $2,652 / 12 = $221 a PTU-month: 15 PTUs = $3,315, Standard's cost at 414,375 tasks;
    # 15 PTUs hold up to 45,000 x 43,800 / 4,000 = 492,750 tasks, so the sizing stays at 15 on both sides
    for tasks, ptu_wins in ((400_000, False), (450_000, True)):
        opts = _opts(_data(tasks, terms=["hourly", "yearly"]))
        yearly, hourly = opts["azure/gpt-4.1:ptu-global-yearly"], opts["azure/gpt-4.1:ptu-global-hourly"]
        payg = opts["azure/gpt-4.1:standard"] if "azure/gpt-4.1:standard" in opts else opts["openai/gpt-4.1:standard"]
        assert yearly.metrics["monthly_cost"] == pytest.approx(15 * 2652 / 12)
        assert hourly.metrics["monthly_cost"] == pytest.approx(15 * 1.0 * 730)
        assert payg.metrics["monthly_cost"] == pytest.approx(tasks * 0.008)
        assert (yearly.metrics["monthly_cost"] < payg.metrics["monthly_cost"]) is ptu_wins


def test_breakeven_finds_the_volume_where_a_yearly_reservation_starts_to_pay(tmp_path):
    import yaml
    from typer.testing import CliRunner

    from aicost.cli import app

    data = _data(300_000, terms=["yearly"])
    data["models"] = {"azure/gpt-4.1": {"p_success": 1.0}}
    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(data))
    r = CliRunner().invoke(app, ["breakeven", str(f), "--vary", "volume.tasks_per_month=1e5:2e6:log", "--format",
                                 "json", "--as-of", "2026-11-21"])
    assert r.exit_code == 0, r.output
    import json

    pair = next(p for p in json.loads(r.stdout)["pairs"] if p["b"] == "azure/gpt-4.1:ptu-global-yearly")
    rows = pair["crossings"]
    first = rows[0]
    # 15 PTUs x $221 = $3,315 a month = 414,375 tasks x $0.008 on Standard; the next 5 PTUs at 492,750 tasks
    assert first["value"] == pytest.approx(414_375, rel=1e-6)
    assert rows[1]["value"] == pytest.approx(492_750, rel=1e-6)


def test_the_export_carries_the_reservation_with_its_commitment_columns(tmp_path):
    import csv
    import io

    import yaml
    from typer.testing import CliRunner

    from aicost.cli import app

    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(_data(tasks_at(1.2 * 45_000), ptus=15)))
    r = CliRunner().invoke(app, ["export", str(f), "--options", "all", "--format", "focus", "--as-of", "2026-11-21"])
    assert r.exit_code == 0, r.output
    rows = [x for x in csv.DictReader(io.StringIO(r.stdout)) if x["x_Option"] == "azure/gpt-4.1:ptu-global-monthly"]
    ptu = next(x for x in rows if x["x_Meter"] == "provisioned")
    assert (ptu["BilledCost"], ptu["PricingQuantity"], ptu["PricingUnit"]) == ("3900", "15", "PTU-Months")
    assert ptu["PricingCategory"] == "Committed" and ptu["CommitmentDiscountType"] == "Reservation"
    assert ptu["CommitmentDiscountId"] == "azure/ptu-global-monthly" and ptu["CommitmentDiscountStatus"] == "Used"
    # the spilled load's token rows sum with the reservation to the option's monthly cost
    assert sum(float(x["BilledCost"]) for x in rows) == pytest.approx(3900 + tasks_at(54_000) * 0.008 / 6, abs=1e-4)


def test_a_budget_check_judges_the_reservation(tmp_path):
    import yaml
    from typer.testing import CliRunner

    from aicost.cli import app

    data = _data(600_000, terms=["yearly"], ptus=15)
    data["models"] = {"azure/gpt-4.1": {"p_success": 1.0}}
    spill = 1 - 45_000 / (600_000 * 4000 / MINUTES)
    month = 15 * 2652 / 12 + spill * 600_000 * 0.008  # $3,315 + the spilled sixth-or-so at Standard: $4,173
    for limit, code in ((4500, 0), (4000, 1)):
        data["budget"] = {"max_monthly_cost": limit}
        f = tmp_path / "s.yaml"
        f.write_text(yaml.safe_dump(data))
        r = CliRunner().invoke(app, ["check", str(f), "--as-of", "2026-11-21"])
        assert r.exit_code == code, r.output
        assert f"${month:,.0f}" in r.output and "azure/gpt-4.1:ptu-global-yearly" in r.output
