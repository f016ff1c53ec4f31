"""Shell completion (issue 17, item 1): bundled scenario names and files, and option ids, which
run to 90 characters."""

from __future__ import annotations

import os
import subprocess
import sys


def complete(*words: str, cwd=None) -> list[str]:
    env = {**os.environ, "_AICOST_COMPLETE": "complete_bash", "COMP_WORDS": " ".join(("aicost", *words)),
           "COMP_CWORD": str(len(words))}
    r = subprocess.run([sys.executable, "-m", "aicost", *words], env=env, capture_output=True, text=True, cwd=cwd,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def test_scenario_names_and_files_complete(tmp_path):
    (tmp_path / "support-mine.yaml").write_text("version: 1\n")
    got = complete("compare", "supp", cwd=tmp_path)
    assert got == ["support-assistant", "support-chat", "support-mine.yaml"]


def test_option_ids_complete_from_the_scenario_on_the_line():
    got = complete("breakeven", "support-assistant", "--vary", "volume.tasks_per_month=1:2", "--between",
                   "openai/gpt-5.4-mini:st")
    assert got == ["openai/gpt-5.4-mini:standard", "openai/gpt-5.4-mini:standard:cached"]


def test_the_root_offers_to_install_completion():
    r = subprocess.run([sys.executable, "-m", "aicost", "--help"], capture_output=True, text=True, timeout=60)
    assert "--install-completion" in r.stdout
