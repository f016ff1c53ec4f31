"""``aicost gpu --months N``: capacity month by month as the volume grows, with the reserved and
on-demand mix that costs least, the gross margin per task and the months something is crossed."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from aicost.analyses.gpu import gpu_report
from aicost.cli import app
from aicost.inputs.pricebook import PriceBook
from conftest import AS_OF, ROOT, loaded

TEST_GPUS = ROOT / "tests" / "data" / "gpus_test"
runner = CliRunner()


def _book(tmp_path, offers: str, bundled: bool = False):
    text = (TEST_GPUS / "gpus.yaml").read_text()
    start, end = text.index("offers:"), text.index("models:")
    (tmp_path / "gpus.yaml").write_text(text[:start] + "offers:\n" + offers + text[end:])
    return PriceBook.load([tmp_path], bundled=bundled)


def scenario(tasks=10_000_000, growth=0.0, price=None, hosted=None, **extra):
    data = {
        "version": 1, "name": "capacity", "volume": {"tasks_per_month": tasks, "monthly_growth": growth,
                                                     "peak_to_average": 2.0},
        "latency": {"deadline_hours": 24},
        "attempt": {"steps": [{"name": "s", "input_tokens": 1000, "output_tokens": 1000}]},
        "models": hosted or {},
        "self_hosted": {"models": {"llama-3.3-70b": {"p_success": 1.0}}, "providers": ["acme"], "precision": "fp8",
                        "gpus": ["h100-sxm"], "scaling": ["autoscaled"], "pricing": ["on-demand", "reserved"],
                        "target_utilisation": 1.0, "min_replicas": 1, "ops_monthly": 0, "cold_start_minutes": 0},
        "value": {"value_per_success": 1.0, **({"price_per_task": price} if price is not None else {})},
    }
    data.update(extra)
    return data


def months(book, data, n):
    return gpu_report(loaded(data, book), book, AS_OF, breakeven=False, months=n).months


def test_the_volume_grows_month_by_month_and_the_fleet_with_it(tmp_path):
    book = _book(tmp_path, "  - {provider: acme, gpu: h100-sxm, pricing: on-demand, per_gpu_hour: 3.99}\n")
    plan = months(book, scenario(tasks=10_000_000, growth=0.25), 6)
    rows = plan["rows"]
    assert [r["month"] for r in rows] == [1, 2, 3, 4, 5, 6]
    for r in rows:
        assert r["tasks"] == pytest.approx(10_000_000 * 1.25 ** (r["month"] - 1))
    peaks = [r["gpu"]["gpus_peak"] for r in rows]
    assert peaks == sorted(peaks) and peaks[-1] > peaks[0]
    for r in rows:  # GPUs on average never above the peak; whole GPUs at the peak
        assert r["gpu"]["gpus_average"] <= r["gpu"]["gpus_peak"] + 1e-9
        assert r["gpu"]["gpus_peak"] == int(r["gpu"]["gpus_peak"])


def test_a_reservation_covers_the_base_load_when_it_costs_less(tmp_path):
    book = _book(tmp_path, "  - {provider: acme, gpu: h100-sxm, pricing: on-demand, per_gpu_hour: 4.0}\n"
                           "  - {provider: acme, gpu: h100-sxm, pricing: reserved, per_gpu_hour: 2.0}\n")
    plan = months(book, scenario(tasks=60_000_000), 1)
    g = plan["rows"][0]["gpu"]
    assert g["id"].endswith(":on-demand:autoscaled") or g["id"].endswith(":reserved:autoscaled")
    data = scenario(tasks=60_000_000)
    data["self_hosted"]["pricing"] = ["on-demand"]
    g = months(book, data, 1)["rows"][0]["gpu"]
    mix = g["mix"]
    # a working day at 2x for 8 hours and 0.5x for 16: the valley's GPUs are held all day, so
    # reserving them at half the price costs less; the peak above them stays on demand
    assert 0 < mix["reserved_gpus"] < g["gpus_peak"]
    assert mix["monthly_gpu_cost"] < mix["all_on_demand_gpu_cost"]
    # by hand: GPUs held per hour = h_valley (16 h) and h_peak (8 h); reserving R = h_valley costs
    # R x 2 x 730 + 4 x (h_peak - R) x 8 x 730 / 24
    valley, peak = mix["reserved_gpus"], g["gpus_peak"]
    assert mix["monthly_gpu_cost"] == pytest.approx(valley * 2.0 * 730 + 4.0 * (peak - valley) * 8 * 730 / 24)


def test_the_gpu_break_even_month_is_the_first_the_gpu_costs_less(tmp_path):
    book = _book(tmp_path, "  - {provider: acme, gpu: h100-sxm, pricing: on-demand, per_gpu_hour: 3.99}\n",
                 bundled=True)
    data = scenario(tasks=100_000, growth=1.0, hosted={"gpt-5.4-mini": {"p_success": 1.0}})
    plan = months(book, data, 12)
    ev = [e for e in plan["events"] if e["kind"] == "gpu_breakeven"]
    assert len(ev) == 1
    k = ev[0]["month"]
    rows = plan["rows"]
    assert rows[k - 1]["gpu"]["cost_per_success"] < rows[k - 1]["hosted"]["cost_per_success"]
    assert all(r["gpu"]["cost_per_success"] >= r["hosted"]["cost_per_success"] for r in rows[:k - 1])
    assert k > 1


def test_the_month_a_hosted_rate_limit_is_crossed(tmp_path):
    book = _book(tmp_path, "  - {provider: acme, gpu: h100-sxm, pricing: on-demand, per_gpu_hour: 3.99}\n",
                 bundled=True)
    # 100k tasks x 2,000 tokens / 43,800 minutes x peak 2 = 9,132 tokens a minute, doubling each month:
    # a 100,000-TPM limit is passed in month 5 (146,119)
    data = scenario(tasks=100_000, growth=1.0, hosted={"gpt-5.4-mini": {"p_success": 1.0}},
                    rate_limits=[{"model": "gpt-5.4-mini", "tier": "standard", "tpm": 100_000}])
    data["options"] = {"tiers": ["standard"], "caching": [False]}
    plan = months(book, data, 8)
    ev = [e for e in plan["events"] if e["kind"] == "rate_limit"]
    assert ev and ev[0]["month"] == 5 and ev[0]["option"] == "openai/gpt-5.4-mini:standard"


def test_gross_margin_per_task_where_a_price_is_stated(tmp_path):
    book = _book(tmp_path, "  - {provider: acme, gpu: h100-sxm, pricing: on-demand, per_gpu_hour: 3.99}\n")
    r = months(book, scenario(price=0.05), 1)["rows"][0]
    assert r["gross_margin_per_task"]["gpu"] == pytest.approx(0.05 - r["gpu"]["cost_per_task"])
    assert "gross_margin_per_task" not in months(book, scenario(), 1)["rows"][0]


def test_the_months_view_in_the_terminal_and_in_json():
    r = runner.invoke(app, ["gpu", "self-hosted-wins", "--months", "6", "--set", "volume.monthly_growth=0.2",
                            "--set", "volume.tasks_per_month=1e7", "--no-breakeven", "--as-of", "2026-11-21"],
                      env={"COLUMNS": "120"})
    assert r.exit_code == 0, r.output
    assert "Month by month (volume +20% a month):" in r.stdout
    assert all(len(line) <= 120 for line in r.stdout.splitlines()[1:])
    j = runner.invoke(app, ["gpu", "self-hosted-wins", "--months", "3", "--no-breakeven", "--as-of", "2026-11-21",
                            "-f", "json"])
    plan = json.loads(j.stdout)["scenarios"][0]["months"]
    assert plan["months"] == 3 and len(plan["rows"]) == 3
    bad = runner.invoke(app, ["gpu", "self-hosted-wins", "--months", "0"])
    assert bad.exit_code == 2


def test_the_months_as_csv_and_from_the_python_api():
    r = runner.invoke(app, ["gpu", "self-hosted-wins", "--months", "2", "--no-breakeven", "--as-of", "2026-11-21",
                            "-f", "csv"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].startswith("month,tasks,hosted_option,hosted_cost_per_success,gpu_option") and len(lines) == 3
    from aicost.api import gpu_result

    res = gpu_result("self-hosted-wins", sets=["volume.monthly_growth=0.5"], as_of=AS_OF, breakeven=False, months=3)
    assert [round(x["tasks"]) for x in res.months["rows"]] == [60_000_000, 90_000_000, 135_000_000]


def test_the_months_view_fits_80_columns():
    r = runner.invoke(app, ["gpu", "self-hosted-wins", "--months", "6", "--set", "volume.monthly_growth=0.2",
                            "--set", "volume.tasks_per_month=1e7", "--set", "value.price_per_task=0.001",
                            "--no-breakeven", "--as-of", "2026-11-21"], env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    start = r.stdout.index("Month by month")
    assert [line for line in r.stdout[start:].splitlines() if len(line) > 80] == []
    assert "Month 6:" in r.stdout and "margin (GPU)" in r.stdout
