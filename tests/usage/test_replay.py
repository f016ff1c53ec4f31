"""aicost replay (issue 23): a log's own requests priced under other options, by tag, by hand.

gpt-4.1: $2 in, $0.50 cached, $8 out per 1M. gpt-4.1-mini: $0.40 / $0.10 / $1.60; Batch $0.20 / $0.80
(no cached-input price on Batch). tests/data/usage/replay.csv:
  search/chat     1.0M fresh + 1.0M cached + 0.3M out
  search/nightly  1.0M fresh + 0.1M out
  support/chat    0.4M fresh + 0.05M out"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aicost.analyses.replay import run
from aicost.base.errors import InputError
from aicost.cli import app

LOG = Path(__file__).resolve().parents[1] / "data" / "usage" / "replay.csv"


def _by(res, key="team") -> dict:
    return {r[key]: r for r in res.rows}


def test_a_small_log_under_two_other_models_and_batch_by_hand():
    res = run([LOG], ["gpt-4.1-mini", "claude-haiku-4-5", "gpt-4.1-mini:batch"], by="team",
              can_wait=["feature=nightly"])
    rows = _by(res)
    assert rows["search"]["as logged"] == Decimal("7.7")  # 1.0x2 + 1.0x0.5 + 0.3x8 = 4.9, and 1.0x2 + 0.1x8 = 2.8
    assert rows["support"]["as logged"] == Decimal("1.2")
    assert rows["search"]["openai/gpt-4.1-mini:standard"] == Decimal("1.54")  # 0.98 + 0.56
    # Claude Haiku 4.5: $1 in, $0.10 cache read, $5 out: 1 + 0.1 + 1.5 = 2.6, and 1 + 0.5 = 1.5
    assert rows["search"]["anthropic/claude-haiku-4-5:standard"] == Decimal("4.1")
    # Batch only for the nightly requests (they can wait): chat stays on Standard at 0.98, nightly 0.2 + 0.08
    assert rows["search"]["openai/gpt-4.1-mini:batch"] == Decimal("1.26")
    assert rows["support"]["openai/gpt-4.1-mini:batch"] == Decimal("0.24")
    total = rows["(all)"]
    assert (total["requests"], total["as logged"], total["openai/gpt-4.1-mini:batch"]) == (1700, Decimal("8.9"),
                                                                                           Decimal("1.5"))
    assert res.meta["cheapest"] == "openai/gpt-4.1-mini:batch"
    assert res.meta["saves"] == pytest.approx(7.4)


def test_caching_off_prices_the_cache_reads_as_input():
    rows = _by(run([LOG], ["gpt-4.1:nocache"], by="team"))
    assert rows["search"]["openai/gpt-4.1:standard:nocache"] == Decimal("9.2")  # 2.0x2 + 0.3x8 + 2.8


def test_requests_that_cannot_be_priced_are_counted_not_zero():
    # Batch for everything: the chat row's cache reads have no Batch price on gpt-4.1-mini
    res = run([LOG], ["gpt-4.1-mini:batch"], by="team,feature", can_wait=["feature=chat", "feature=nightly"])
    assert res.meta["unpriced_requests"]["openai/gpt-4.1-mini:batch"] == 1000
    rows = {(r["team"], r["feature"]): r for r in res.rows}
    assert rows[("support", "chat")]["openai/gpt-4.1-mini:batch"] == Decimal("0.12")  # 0.4x0.2 + 0.05x0.8
    assert rows[("search", "chat")]["openai/gpt-4.1-mini:batch"] is None  # unpriced: no total, never $0
    assert rows[("(all)", "(all)")]["openai/gpt-4.1-mini:batch"] is None


def test_a_scenarios_models_and_cascade_are_replayed():
    res = run([LOG], [], scenario="triage-cascade", by="team")
    labels = [o["label"] for o in res.meta["options"]]
    assert "cascade/nano-mini-5.4" in labels and "openai/gpt-5-mini:standard" in labels
    casc = next(o for o in res.meta["options"] if o["label"] == "cascade/nano-mini-5.4")
    # nano p = 0.55, d = 0.85, one attempt: 0.45 x 0.85 of requests reach mini
    assert [round(s["share"], 6) for s in casc["stages"]] == [1.0, round(0.45 * 0.85, 6),
                                                             round(0.45 * 0.85 * 0.2 * 0.85, 6)]


def test_bad_options_are_clear_errors():
    with pytest.raises(InputError) as err:
        run([LOG], ["gpt-9-imaginary", "claude-haiku-4-5:flex", "gpt-4.1-mini:soon"], by="team")
    text = " ".join(str(p) for p in err.value.problems)
    assert "unknown model 'gpt-9-imaginary'" in text and "offers no flex tier" in text and "TIER one of" in text
    r = CliRunner().invoke(app, ["replay", str(LOG), "--by", "team"])
    assert r.exit_code == 2 and "name at least one option" in r.output


def test_cli_formats_agree():
    r = CliRunner().invoke(app, ["replay", str(LOG), "--by", "team", "--option", "gpt-4.1-mini", "--format", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["kind"] == "replay" and data["rows"][-1]["as logged"] == 8.9
    c = CliRunner().invoke(app, ["replay", str(LOG), "--by", "team", "--option", "gpt-4.1-mini", "--format", "csv"])
    assert c.stdout.splitlines()[0] == "team,requests,as logged,openai/gpt-4.1-mini:standard"


# ---- found in review ------------------------------------------------------------------------------


def test_unpriced_requests_warn_on_the_command_line_and_the_run_succeeds():
    r = CliRunner().invoke(app, ["replay", str(LOG), "--by", "team", "--option", "gpt-4.1-mini:batch",
                                 "--can-wait", "feature=chat"])
    assert r.exit_code == 0, r.output
    assert "1,000 requests unpriced (their cells have no total, never $0)" in r.output


def test_requests_logged_on_batch_can_wait(tmp_path):
    log = tmp_path / "batch.csv"
    log.write_text("timestamp,provider,model,tier,requests,input_tokens,output_tokens,team\n"
                   "2026-11-02,openai,gpt-4.1,batch,1000,1000000,100000,a\n")
    res = run([log], ["gpt-4.1:batch", "gpt-4.1"], by="team")
    rows = _by(res)
    # as logged on Batch: 1.0 x $1 + 0.1 x $4; replayed on Batch the same, on Standard twice that
    assert rows["a"]["as logged"] == rows["a"]["openai/gpt-4.1:batch"] == Decimal("1.4")
    assert rows["a"]["openai/gpt-4.1:standard"] == Decimal("2.8")
    assert res.meta["waiting_requests"] == 1000 and res.meta["notes"] == []


def test_a_batch_option_with_nothing_that_can_wait_says_so():
    res = run([LOG], ["gpt-4.1:batch"], by="team")
    assert _by(res)["(all)"]["openai/gpt-4.1:batch"] == Decimal("8.9")  # every request on Standard
    assert "no request can wait" in res.meta["notes"][0]


def test_tags_and_values_that_match_nothing_and_empty_logs_are_errors(tmp_path):
    with pytest.raises(InputError) as err:
        run([LOG], ["gpt-4.1-mini"], by="tteam", can_wait=["feature=nope"])
    text = " ".join(str(p) for p in err.value.problems)
    assert "no row of the log carries the tag 'tteam'" in text and "no row of the log has feature=nope" in text
    empty = tmp_path / "empty.csv"
    empty.write_text("timestamp,model,input_tokens,output_tokens,team\n")
    with pytest.raises(InputError) as err:
        run([empty], ["gpt-4.1-mini"], by="team")
    assert "no usage rows to replay" in str(err.value)


def test_the_library_functions_return_frames():
    import aicost

    df = aicost.replay(LOG, ["gpt-4.1-mini"], by="team")
    assert df.attrs["kind"] == "replay" and list(df.columns) == ["team", "requests", "as logged",
                                                                 "openai/gpt-4.1-mini:standard"]
    assert float(df.iloc[-1]["as logged"]) == pytest.approx(8.9)
    assert aicost.forecast(LOG, by="team", months=1).attrs["kind"] == "forecast"
    assert "version: 1" in aicost.calibrate(LOG).scenario_yaml
