"""Benchmark (issue 23): ``aicost replay`` of a 10-million-row log under five options, against
``aicost allocate`` of the same log, in the same run, interleaved, as commands in child processes
(interpreter start and imports included); each the median of --repeat runs, with its own peak
memory (max RSS). Goal: replay under each added option costs at most about as much again as one
allocate pass, so five options at most about 6x allocate (the issue's bound); replay reads the
rows once and prices the usage groups once more per option, so it should be near 1x.

    python bench/replay.py --rows 10000000 --repeat 3
    python bench/replay.py --rows 1000000 --repeat 1

The log is bench/allocate.py's (five models, four tiers, cached input, tags), written once to
--data (default /tmp/aicost-bench) and reused when present.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from allocate import ensure_log
from common import run_child

OPTIONS = ["gpt-5.4-mini", "gpt-5.4-mini:batch", "claude-haiku-4-5", "gpt-5.4:nocache", "gemini-2.5-flash:flex"]


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall time and the child's own peak memory (MB)."""
    run = run_child(cmd)
    return run.wall_s, run.peak_mb


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", type=Path, default=Path("/tmp/aicost-bench"))
    args = ap.parse_args()
    log = ensure_log(args.data, args.rows)
    py = [sys.executable, "-m", "aicost"]
    allocate = py + ["allocate", str(log), "--by", "team,feature", "-f", "json"]
    replay = py + ["replay", str(log), "--by", "team,feature", "-f", "json", "--can-wait", "feature=eval"]
    for o in OPTIONS:
        replay += ["--option", o]
    runs: dict[str, list[tuple[float, float]]] = {"allocate": [], "replay": []}
    for _ in range(args.repeat):  # interleaved: a busier moment slows both alike
        runs["allocate"].append(timed(allocate))
        runs["replay"].append(timed(replay))
    med = {k: sorted(v)[len(v) // 2] for k, v in runs.items()}
    print(f"rows: {args.rows:,}; options: {len(OPTIONS)}; repeats: {args.repeat}")
    for k, (t, mb) in med.items():
        spread = ", ".join(f"{x:.2f}" for x, _ in runs[k])
        print(f"{k:9s} median {t:6.2f} s (runs {spread}), peak {mb:,.0f} MB")
    ratio = med["replay"][0] / med["allocate"][0]
    print(f"replay under {len(OPTIONS)} options / allocate: {ratio:.2f}x "
          f"(goal: each option at most about one more allocate pass, <= {1 + len(OPTIONS)}x)")


if __name__ == "__main__":
    main()
