"""The documented price refresh (docs/prices.md) on a small fixture: import a newer LiteLLM file,
see what it skipped, diff against the maintainer's table, make the agreement test's extract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from aicost.cli import app

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "refresh"
runner = CliRunner()


def test_import_then_diff_finds_the_change_the_new_model_and_the_skip(tmp_path):
    r = runner.invoke(app, ["pricing", "import", "litellm", str(DATA / "litellm-newer.json"), "--provider", "openai",
                            "-o", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert "whisper-1" not in r.stderr  # imported: its per-second price becomes a per-minute one
    assert "per_audio_minute: 0.006" in (tmp_path / "openai.yaml").read_text()
    d = runner.invoke(app, ["pricing", "diff", str(DATA / "openai-base.yaml"), str(tmp_path / "openai.yaml"),
                            "--format", "json"])
    assert d.exit_code == 0, d.output
    rows = json.loads(d.stdout)["rows"]
    changed = [x for x in rows if x["change"] == "changed"]
    assert [(x["model"], x["tier"], x["rate"], x["old"], x["new"]) for x in changed] == \
        [("gpt-4o-mini", "standard", "output", 0.6, 0.8)]
    assert {x["model"] for x in rows if x["change"] == "added"} >= {"gpt-4.1-nano"}


def test_the_extract_script_keeps_the_shipped_models_price_fields():
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "litellm_extract.py"),
                        str(DATA / "litellm-newer.json"), "test"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert "litellm==test" in out["_about"]
    assert set(out) - {"_about"} == {"gpt-4o-mini", "gpt-4.1-nano", "whisper-1"}  # the shipped models only
    assert out["whisper-1"]["input_cost_per_second"] == 0.0001  # a per-second audio price is kept
    assert out["gpt-4o-mini"]["output_cost_per_token"] == 8e-07 and out["gpt-4o-mini"]["mode"] == "chat"
    assert "not in LiteLLM test:" in r.stderr  # the shipped models the file lacks are named
