"""The Python API: one function per command, a DataFrame with its documented columns and small
attrs, and a typed result from each ``*_result`` twin."""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

import aicost
from aicost.report.frames import COMPARE_COLUMNS, GPU_COLUMNS
from conftest import AS_OF, ROOT

USAGE = ROOT / "tests" / "data" / "usage"


def _small(df: pd.DataFrame, kind: str) -> None:
    assert isinstance(df, pd.DataFrame) and df.attrs["kind"] == kind and df.attrs["version"] == "1"
    assert len(pickle.dumps(df.attrs)) < 500  # pandas copies attrs on every operation


def test_compare_frame_and_result_agree():
    df = aicost.compare("worked-example", as_of=AS_OF)
    _small(df, "compare")
    assert tuple(df.columns) == COMPARE_COLUMNS
    r = aicost.compare_result("worked-example", as_of=AS_OF)
    assert r.kind == "compare" and df["option"].tolist() == [o.id for o in r.scenarios[0].options]
    assert df.loc[0, "cost_per_success"] == pytest.approx(0.0512375)


def test_gpu_frame_has_numbers_as_floats_and_the_reason_apart():
    df = aicost.gpu("self-hosted-wins", as_of=AS_OF)
    _small(df, "gpu")
    assert tuple(df.columns) == GPU_COLUMNS
    for k in ("cost_per_success", "breakeven_vs_best", "breakeven_vs_batch", "breakeven_vs_flex"):
        assert df[k].dtype == "float64"
    assert set(df["status"]) <= {"ok", "ineligible", "unpriced"}
    assert df.loc[df["status"] == "ok", "reason"].isna().all()


def test_sweep_breakeven_and_sensitivity_frames():
    sw = aicost.sweep("support-assistant", ["caching.hit_rate=0:1:5"], as_of=AS_OF)
    _small(sw, "sweep")
    assert list(sw.columns[:3]) == ["caching.hit_rate", "winner", "winner_total_cost_per_success"] and len(sw) == 5
    be = aicost.breakeven("triage-cascade", "models.gpt-5-mini.p_success=0.5:0.99", as_of=AS_OF)
    _small(be, "breakeven")
    assert list(be.columns) == ["field", "value", "kind", "cheaper_below", "cheaper_above"]
    se = aicost.sensitivity("nightly-extraction", as_of=AS_OF)
    _small(se, "sensitivity")
    assert se["swing"].is_monotonic_decreasing


def test_check_frame_matches_the_command():
    from typer.testing import CliRunner

    from aicost.cli import app

    folder = str(ROOT / "tests" / "data" / "check")
    df = aicost.check([folder], as_of=AS_OF)
    _small(df, "check")
    cli = CliRunner().invoke(app, ["check", folder, "--as-of", AS_OF.isoformat(), "--format", "json"])
    import json

    data = json.loads(cli.stdout)
    assert df.attrs["exit_code"] == cli.exit_code == data["exit_code"]
    assert df["message"].tolist() == [c["message"] for c in data["checks"]]
    assert df["message"].map(type).eq(str).all()


def test_export_and_allocate_frames():
    ex = aicost.export("support-assistant", as_of=AS_OF, account="acme")
    _small(ex, "export")
    assert set(ex["BillingAccountId"]) == {"acme"}
    al = aicost.allocate([USAGE / "litellm.csv"], by="team", source="litellm", on_error="skip")
    _small(al, "allocation")
    assert {"month", "kind", "direct", "total"} <= set(al.columns)


def test_a_bad_argument_names_the_parameter():
    from aicost.base.errors import InputError

    with pytest.raises(InputError) as exc:
        aicost.sweep("support-assistant", [], as_of=AS_OF)
    assert "vary: give one field" in str(exc.value)
