"""aicost calibrate (issue 23): a scenario calibrated from a generated log whose true parameters are
known, recovered within the histograms' resolution (bins 3.7% wide: a quantile within 4%)."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from aicost.analyses.calibrate import run
from aicost.cli import app

DAYS = 30
#: requests an hour: 10 from 09:00 to 16:59 UTC, 2 otherwise (peak over mean: 10 / (8x10 + 16x2)/24 = 2.143)
SHAPE = [10 if 9 <= h < 17 else 2 for h in range(24)]


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    rng = np.random.default_rng(7)
    path = tmp_path_factory.mktemp("cal") / "usage.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["timestamp", "provider", "model", "requests", "input_tokens", "cached_input_tokens",
                    "output_tokens", "feature"])
        start = datetime(2026, 10, 1, tzinfo=timezone.utc)
        for d in range(DAYS):
            for h in range(24):
                for k in range(SHAPE[h]):
                    t = start + timedelta(days=d, hours=h, minutes=k)
                    chat = k % 4 != 0  # three in four requests are chat
                    prompt = int(rng.integers(1000, 3001)) if chat else 8000  # uniform 1,000-3,000; summaries 8,000
                    cached = 800 if (chat and k % 2 == 0) else 0  # about half of them read an 800-token prefix
                    w.writerow([t.isoformat().replace("+00:00", "Z"), "openai", "gpt-5.4-mini", 1, prompt - cached,
                                cached, 300 if chat else 900, "chat" if chat else "summaries"])
    return path


def test_a_calibrated_scenario_recovers_the_known_parameters(log):
    res = run([log], by="feature")
    whole = res.figures["whole"]
    total = DAYS * sum(SHAPE)
    assert whole["requests"] == total and res.figures["days"] == DAYS
    assert whole["tasks_per_month"] == pytest.approx(total / DAYS * 30.4375, rel=1e-3)
    assert whole["daily_shape"] == [float(x) for x in SHAPE]  # requests by hour, averaged over the days
    chat = res.figures["segments"]["chat"]
    # uniform 1,000-3,000: P10 1,200, P50 2,000, P90 2,800
    for got, want in zip(chat["input_tokens"], (1200, 2000, 2800)):
        assert got == pytest.approx(want, rel=0.04)
    assert chat["output_tokens"] == [pytest.approx(300, rel=0.04)] * 3
    assert chat["cached_prefix_tokens"] == pytest.approx(800, rel=0.04)
    # chat: k = 1, 2, 3, 5, 6, 7, 9 of k < 10 (day) and 1 of k < 2 (night): the even ones hit
    assert chat["hit_rate"] == pytest.approx(_hits() , rel=0.04)
    assert res.figures["segments"]["summaries"]["input_tokens"] == [pytest.approx(8000, rel=0.04)] * 3


def _hits() -> float:
    chat = hit = 0
    for h in range(24):
        for k in range(SHAPE[h]):
            if k % 4:
                chat += 1
                hit += k % 2 == 0
    return hit / chat


def test_the_calibrated_scenario_runs_in_compare(log, tmp_path):
    out = tmp_path / "calibrated.yaml"
    r = CliRunner().invoke(app, ["calibrate", str(log), "--by", "feature", "-o", str(out)])
    assert r.exit_code == 0, r.output
    data = yaml.safe_load(out.read_text())
    assert set(data["segments"]) == {"chat", "summaries"} and "share" in data["segments"]["chat"]
    assert data["volume"]["daily_shape"] == [float(x) for x in SHAPE]
    assert "placeholder" in out.read_text()
    r = CliRunner().invoke(app, ["compare", str(out), "--format", "json"])
    assert r.exit_code == 0, r.output


def test_a_log_of_dates_only_leaves_the_peak_as_a_placeholder(tmp_path):
    p = tmp_path / "dates.csv"
    p.write_text("timestamp,model,input_tokens,output_tokens\n2026-10-01,gpt-5.4-mini,1000,100\n"
                 "2026-10-02,gpt-5.4-mini,1000,100\n")
    res = run([p])
    assert res.figures["whole"]["daily_shape"] is None
    assert "peak_to_average: 2                  # placeholder" in res.scenario_yaml


def test_models_the_tables_do_not_know_are_named_and_a_log_of_only_those_is_an_error(tmp_path):
    from aicost.base.errors import InputError

    p = tmp_path / "unknown.csv"
    p.write_text("timestamp,model,input_tokens,output_tokens\n2026-10-01T10:00:00Z,foo-model,1000,100\n")
    with pytest.raises(InputError) as err:
        run([p])
    assert "no model of the log is in the price tables (foo-model)" in str(err.value)
    p.write_text("timestamp,model,input_tokens,output_tokens\n2026-10-01T10:00:00Z,foo-model,1000,100\n"
                 "2026-10-01T11:00:00Z,gpt-5.4-mini,1000,100\n")
    text = run([p]).scenario_yaml
    assert "not in the price tables (left out): foo-model (50%)" in text and '"gpt-5.4-mini"' in text


def test_a_segments_cached_prefix_carries_its_own_cache_reads(log):
    data = yaml.safe_load(run([log], by="feature").scenario_yaml)
    hit = data["caching"]["hit_rate"]
    summaries = data["segments"]["summaries"]["attempt"]["steps"][0]
    assert summaries["cached_prefix_tokens"] == 0  # summaries never read the cache
    chat = data["segments"]["chat"]["attempt"]["steps"][0]
    # chat's cached tokens a request (800 x its share of hits) over the log's hit rate
    assert chat["cached_prefix_tokens"] * hit == pytest.approx(800 * _hits(), rel=0.01)
