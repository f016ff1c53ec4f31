"""`aicost check` holds only the price warnings behind the option it judges: a GPU fleet's own offer,
a cascade's own stages (issue 18: staleness everywhere, without blaming unrelated prices)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from aicost.base.paths import bundled_scenarios
from aicost.cli import app

runner = CliRunner()


def _checks(tmp_path, scenario: str, budget: str, *args: str) -> list[dict]:
    text = bundled_scenarios()[scenario].read_text()
    f = tmp_path / f"{scenario}.yaml"
    f.write_text(text + "\nbudget:\n" + budget)
    r = runner.invoke(app, ["check", str(f), "--as-of", "2026-11-21", "-f", "json", *args])
    assert r.exit_code in (0, 1), r.output
    return json.loads(r.stdout)["checks"]


def test_a_gpu_option_is_warned_of_its_own_stale_offer_only(tmp_path):
    option = "gpu/llama-3.1-8b:h100-sxm:aws/p5-4xlarge:on-demand:autoscaled"
    checks = _checks(tmp_path, "self-hosted-wins", f"  option: {option}\n  max_monthly_cost: 1000000\n",
                     "--max-price-age", "30")
    stale = [c for c in checks if c["budget"] == "price_age"]
    assert len(stale) == 1 and "aws h100-sxm (p5.4xlarge) on-demand GPU-hour price" in stale[0]["message"]
    assert not [c for c in checks if c["budget"] == "deprecation"]  # the hosted models' warnings are not its own


def test_a_cascade_is_warned_of_its_stages_only(tmp_path):
    checks = _checks(tmp_path, "triage-cascade", "  option: cascade/nano-mini-5.4\n  max_monthly_cost: 1000000\n")
    models = {c["message"].split(" was deprecated")[0] for c in checks if c["budget"] == "deprecation"}
    assert models == {"openai/gpt-5-nano", "openai/gpt-5-mini"}  # its stages; not the scenario's other models
