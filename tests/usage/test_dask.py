"""The Dask engine on a local cluster: same pricing function, same result as the local engine."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from aicost.cli import app
from aicost.usage import layouts, pipeline

pytest.importorskip("distributed")
runner = CliRunner()


def partitions(folder: Path, bad: bool = False) -> Path:
    rng = np.random.default_rng(7)
    folder.mkdir()
    for i, kind in enumerate(("csv", "csv", "parquet", "jsonl")):
        n = 3000
        df = pd.DataFrame({
            "timestamp": (pd.Timestamp("2026-09-20") + pd.to_timedelta(rng.integers(0, 25 * 86400, n), unit="s"))
            .strftime("%Y-%m-%dT%H:%M:%SZ"),
            "model": rng.choice(["gpt-5-mini", "claude-sonnet-4-5", "o3", "mystery-model"], n, p=[.5, .3, .19, .01]),
            "tier": rng.choice(["standard", "batch"], n),
            "input_tokens": rng.integers(0, 5000, n), "cached_input_tokens": rng.integers(0, 2000, n),
            "output_tokens": rng.integers(0, 500, n), "billed_cost": rng.random(n) / 100,
            "team": rng.choice(["search", "support", None], n), "feature": rng.choice(["chat", "rerank"], n)})
        if bad and i == 1:
            df.loc[41, "input_tokens"] = -3
        f = folder / f"part-{i}.{kind}"
        if kind == "csv":
            df.to_csv(f, index=False)
        elif kind == "parquet":
            df.to_parquet(f)
        else:
            df.to_json(f, orient="records", lines=True)
    return folder


SHARED = [{"name": "gateway", "monthly_cost": 300, "split": "weighted", "by": "requests"}]


def test_dask_cluster_gives_the_local_result(tmp_path, book):
    d = partitions(tmp_path / "logs")
    local = pipeline.run([d], layouts.AICOST, ["team", "feature"], book, SHARED, "skip")
    dask = pipeline.run([d], layouts.AICOST, ["team", "feature"], book, SHARED, "skip", engine="dask")
    pd.testing.assert_frame_equal(local.groups, dask.groups, check_exact=False, rtol=1e-12)
    assert local.totals["total"] == pytest.approx(dask.totals["total"], rel=1e-12)
    assert local.totals["rows_read"] == 12000 and local.totals["unpriced_rows"] > 0
    # and through the command line, byte for byte
    args = ["allocate", str(d), "--by", "team,feature", "--on-error", "skip", "-f", "json"]
    a = runner.invoke(app, args)
    b = runner.invoke(app, args + ["--engine", "dask"])
    assert a.exit_code == 0 and b.exit_code == 0
    assert a.stdout == b.stdout
    j = json.loads(a.stdout)
    assert sum(g["total"] for g in j["groups"]) == pytest.approx(j["totals"]["total"], abs=0.005)


def test_dask_reports_bad_rows_with_file_and_row(tmp_path):
    d = partitions(tmp_path / "logs", bad=True)
    res = runner.invoke(app, ["allocate", str(d), "--engine", "dask"])
    assert res.exit_code == 2
    assert f"{d / 'part-1.csv'}:43: row 42: input_tokens: negative (-3)" in res.stderr


def test_small_chunks_give_the_same_result(tmp_path, book):
    """Streaming: a log read 700 rows at a time aggregates to the same groups as in one piece."""
    d = partitions(tmp_path / "logs")
    whole = pipeline.run([d], layouts.AICOST, ["team"], book, SHARED, "skip")
    pieces = pipeline.run([d], layouts.AICOST, ["team"], book, SHARED, "skip", chunk_rows=700)
    pd.testing.assert_frame_equal(whole.groups, pieces.groups, check_exact=False, rtol=1e-9)
    assert whole.totals["rows_read"] == pieces.totals["rows_read"] == 12000


def test_replay_and_forecast_on_dask_give_the_local_result(tmp_path):
    """Partitioned logs: replay and forecast read the groups on the cluster, then price as locally."""
    from aicost.analyses.forecast import run as forecast
    from aicost.analyses.replay import run as replay

    folder = partitions(tmp_path / "parts")
    opts = ["gpt-5-mini", "claude-haiku-4-5:batch"]
    local = replay([folder], opts, by="team", can_wait=["feature=rerank"], on_error="skip")
    dask = replay([folder], opts, by="team", can_wait=["feature=rerank"], on_error="skip", engine="dask")
    assert dask.rows == local.rows
    f_local = forecast([folder], by="team", months=1, on_error="skip")
    f_dask = forecast([folder], by="team", months=1, on_error="skip", engine="dask")
    assert f_dask.rows == f_local.rows
