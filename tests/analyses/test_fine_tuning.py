"""Fine-tuning as a design (issue 21): the training of a fine-tuned model, retrained every N
months, spread over the horizon beside its own inference rates; by hand from the shipped tables."""

from __future__ import annotations

import copy
from types import SimpleNamespace as NS

import numpy as np
import pytest

from aicost.analyses.compare import compare_loaded
from aicost.base.errors import InputError
from aicost.engine.finetune import monthly
from conftest import AS_OF, BASE, loaded

# ft:gpt-4.1-mini: training $5 per 1M training tokens; inference $0.80 / $3.20 per 1M.
# 2M training tokens x 3 epochs = 6M = $30 a run.


def _data(**ft) -> dict:
    data = copy.deepcopy(BASE)
    data["models"] = {"gpt-4.1": {"p_success": 0.85}, "ft:gpt-4.1-mini": {"p_success": 0.9}}
    data["attempt"]["steps"] = [{"name": "s", "input_tokens": 2000, "output_tokens": 300}]
    data["volume"] = {"tasks_per_month": 100_000}
    data["options"] = {"caching": [False], "tiers": ["standard"]}
    data["fine_tuning"] = {"ft:gpt-4.1-mini": {"training_tokens": 2_000_000, "epochs": 3, **ft}}
    return data


def _opts(data: dict, book) -> dict:
    return {o.id: o for o in compare_loaded(loaded(data, book), book, as_of=AS_OF).options}


def test_a_fine_tune_retrained_every_three_months(book):
    o = _opts(_data(retrain_every_months=3), book)["openai/ft:gpt-4.1-mini:standard"]
    # four runs in a 12-month horizon (months 0, 3, 6, 9): 4 x $30 / 12 = $10 a month
    assert o.meters["cost"]["fine_tuning"] == pytest.approx(10.0)
    # inference: 100,000 x (2,000 x $0.80 + 300 x $3.20) / 1M = $256
    assert o.metrics["monthly_cost"] == pytest.approx(256 + 10)
    base = _opts(_data(retrain_every_months=3), book)["openai/gpt-4.1:standard"]
    assert base.meters["cost"]["fine_tuning"] == 0


@pytest.mark.parametrize("every, horizon, per_month", [(0, 12, 30 / 12), (3, 10, 4 * 30 / 10), (12, 12, 30 / 12),
                                                       (6, 24, 4 * 30 / 24)])
def test_the_training_is_spread_over_the_horizon(book, every, horizon, per_month):
    data = _data(retrain_every_months=every)
    data["value"]["horizon_months"] = horizon
    assert _opts(data, book)["openai/ft:gpt-4.1-mini:standard"].meters["cost"]["fine_tuning"] == \
        pytest.approx(per_month)


def test_hosting_per_hour_is_added_where_billed():
    entry = NS(spec=NS(training_per_mtok=2, hosting_per_hour=1.70))
    m = monthly(entry, {"training_tokens": 1e6, "epochs": 2, "retrain_every_months": 0,
                        "hosting_hours_per_month": 730}, np.array([[12.0]]))
    assert float(np.asarray(m).ravel()[0]) == pytest.approx(2 * 2 / 12 + 1.70 * 730)  # Azure's worked example: $2 x 2M = $4 a run


def test_a_model_with_no_training_price_is_unpriced_with_the_reason(book):
    data = _data()
    data["fine_tuning"]["gpt-4.1"] = {"training_tokens": 1e6}
    o = _opts(data, book)["openai/gpt-4.1:standard"]
    assert o.status == "unpriced" and o.reasons[0].code == "no_training_price"


def test_a_fine_tune_not_compared_is_a_file_line_error(book):
    data = _data()
    data["fine_tuning"]["o3"] = {"training_tokens": 1e6}
    with pytest.raises(InputError) as e:
        loaded(data, book)
    assert "fine_tuning.o3: 'o3' is not under models:" in str(e.value)


def test_a_cascade_pays_for_its_fine_tuned_stage_once(book):
    data = _data(retrain_every_months=3)
    data["cascades"] = {"ft-first": {"stages": [{"model": "ft:gpt-4.1-mini"}, {"model": "gpt-4.1"}],
                                     "caching": [False]}}
    o = _opts(data, book)["cascade/ft-first"]
    assert o.meters["cost"]["fine_tuning"] == pytest.approx(10.0)


def test_the_export_carries_the_training_and_sums_to_the_report(tmp_path):
    import csv
    import io

    import yaml
    from typer.testing import CliRunner

    from aicost.cli import app

    f = tmp_path / "s.yaml"
    f.write_text(yaml.safe_dump(_data(retrain_every_months=3)))
    r = CliRunner().invoke(app, ["export", str(f), "--options", "all", "--format", "focus", "--as-of", "2026-11-21"])
    assert r.exit_code == 0, r.output
    rows = [x for x in csv.DictReader(io.StringIO(r.stdout)) if x["x_Option"] == "openai/ft:gpt-4.1-mini:standard"]
    ft = next(x for x in rows if x["x_Meter"] == "fine_tuning")
    assert (ft["BilledCost"], ft["PricingUnit"], ft["SkuId"]) == ("10", "Months", "openai/ft:gpt-4.1-mini")
    assert sum(float(x["BilledCost"]) for x in rows) == pytest.approx(266.0)
