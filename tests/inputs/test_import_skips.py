"""`aicost pricing import` says what it left out and why (issue 18, item 5)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from aicost.cli import app

runner = CliRunner()
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "litellm_skip_sample.json"


def test_each_skipped_entry_is_named_with_its_reason():
    r = runner.invoke(app, ["pricing", "import", "litellm", str(SAMPLE), "--provider", "openai"])
    assert r.exit_code == 0, r.output
    for model in ("gpt-4o-mini:", "gpt-realtime:", "tts-1:", "whisper-1:"):  # text, audio and speech are imported
        assert model in r.stdout
    lines = [line for line in r.stderr.splitlines() if line.startswith("aicost: skipped")]
    assert lines == [
        "aicost: skipped openai/gpt-image-1: an image model priced per image token, with no per-image prices "
        "(size keys) and no image tokens per image in the source",
        "aicost: skipped openai/omni-moderation-latest: mode 'moderation': aicost prices text, audio, speech, "
        "images and embeddings only",
    ]
    assert "aicost: 2 entries not imported" in r.stderr


def test_without_a_filter_the_skips_are_counted_per_provider():
    r = runner.invoke(app, ["pricing", "import", "litellm", str(SAMPLE)])
    assert r.exit_code == 0, r.output
    assert sum(1 for line in r.stderr.splitlines() if line.startswith("aicost: skipped ")) == 2
    assert "(--provider openai lists them)" in r.stderr and "aicost: 2 entries not imported" in r.stderr


def test_only_skipped_entries_is_an_error_that_says_why(tmp_path):
    import json

    data = json.loads(SAMPLE.read_text())
    f = tmp_path / "x.json"
    f.write_text(json.dumps({k: data[k] for k in ("_about", "gpt-image-1", "omni-moderation-latest")}))
    r = runner.invoke(app, ["pricing", "import", "litellm", str(f), "--provider", "openai"])
    assert r.exit_code == 2 and "skipped:" in r.stderr, r.output
