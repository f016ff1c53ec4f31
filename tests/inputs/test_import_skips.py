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
    assert "gpt-4o-mini:" in r.stdout  # the one text model is imported
    lines = [line for line in r.stderr.splitlines() if line.startswith("aicost: skipped")]
    assert lines == [
        "aicost: skipped openai/gpt-image-1: mode 'image_generation' (priced per image, per image token): aicost "
        "prices text generation (chat and responses) only",
        "aicost: skipped openai/gpt-realtime: mode 'realtime' (priced per image, per image token, per audio token): "
        "aicost prices text generation (chat and responses) only",
        "aicost: skipped openai/tts-1: mode 'audio_speech' (priced per character): aicost prices text generation "
        "(chat and responses) only",
        "aicost: skipped openai/whisper-1: mode 'audio_transcription' (priced per second): aicost prices text "
        "generation (chat and responses) only",
    ]
    assert "aicost: 4 entries not imported" in r.stderr


def test_without_a_filter_the_skips_are_counted_per_provider():
    r = runner.invoke(app, ["pricing", "import", "litellm", str(SAMPLE)])
    assert r.exit_code == 0, r.output
    assert "aicost: skipped 4 openai entries: mode 'audio_speech'" not in r.stderr  # one line per kind of reason
    assert sum(1 for line in r.stderr.splitlines() if line.startswith("aicost: skipped ")) == 4
    assert "(--provider openai lists them)" in r.stderr and "aicost: 4 entries not imported" in r.stderr


def test_only_skipped_entries_is_an_error_that_says_why(tmp_path):
    f = tmp_path / "x.json"
    f.write_text(SAMPLE.read_text().replace('"gpt-4o-mini"', '"gpt-4o-mini-x"').replace('"mode": "chat"',
                                                                                        '"mode": "embedding"'))
    r = runner.invoke(app, ["pricing", "import", "litellm", str(f), "--provider", "openai"])
    assert r.exit_code == 2 and "no matching chat models" in r.stderr and "skipped:" in r.stderr
