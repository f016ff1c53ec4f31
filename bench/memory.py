"""Peak memory benchmark (issue 16): Monte Carlo samples and sweep points, streamed in chunks.

Each run is a fresh child process, as a user runs it, output to /dev/null; the figures are its wall
time and its own peak resident memory (max RSS, from ``wait4``, so one run's peak never hides
another's):

    aicost compare nightly-extraction --samples N -f json
    aicost sweep support-assistant --vary volume.tasks_per_month=1000:1e9:N:log

for N = 100,000 (the baseline, in the same run), 1,000,000 and 10,000,000. Goal: under 1 GB at
10M, and memory flat in N (the 10M / 1M ratio near 1x). ``--src DIR`` runs another checkout
(a worktree of an older commit, say) for before-and-after figures.

    python bench/memory.py [--sizes 100000,1000000,10000000] [--only compare|sweep] [--src DIR]
                           [--timeout 1800] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import AICOST, child_env, run_child

COMMANDS = {
    "compare": lambda n: ["compare", "nightly-extraction", "--samples", str(n), "-f", "json"],
    "sweep": lambda n: ["sweep", "support-assistant", "--vary", f"volume.tasks_per_month=1000:1e9:{n}:log"],
}


def measure(args: list[str], src: str | None, timeout: float) -> dict:
    """Wall time, peak RSS (the child's own, from ``os.wait4``) and exit code of ``python -m aicost ARGS``,
    run from ``src`` (default: this checkout)."""
    # from another checkout, start in it: ``python -m`` puts the working folder first on the path
    run = run_child([*AICOST, *args], env=child_env(src), cwd=os.path.abspath(src) if src else None,
                    timeout=timeout, check=False)
    if run.exit is None:
        return {"exit": None, "wall_s": None, "peak_mb": round(run.peak_mb, 1), "error": f"over {timeout:.0f} s"}
    return {"exit": run.exit, "wall_s": round(run.wall_s, 2), "peak_mb": round(run.peak_mb, 1),
            "error": None if run.ok else f"exit {run.exit}"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000,10000000", help="samples / points, comma-separated")
    ap.add_argument("--only", choices=sorted(COMMANDS), action="append", help="one command (repeatable)")
    ap.add_argument("--src", help="run aicost from this checkout instead of the installed one")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per run")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()

    sizes = [int(float(s)) for s in args.sizes.split(",")]
    measure(COMMANDS["compare"](100), args.src, args.timeout)  # warm the validated-input cache, as users find it
    rows = []
    for name in args.only or list(COMMANDS):
        for n in sizes:
            argv = COMMANDS[name](n)
            got = measure(argv, args.src, args.timeout)
            rows.append({"command": name, "n": n, "argv": "aicost " + " ".join(argv), **got})
            if not args.json:
                print(f"{name:8} {n:>12,}  {got['wall_s'] if got['wall_s'] is not None else '—':>8} s  "
                      f"{got['peak_mb'] if got['peak_mb'] is not None else '—':>8} MiB peak"
                      + (f"  ({got['error']})" if got["error"] else ""), flush=True)
    ratios = {}
    for name in args.only or list(COMMANDS):
        by = {r["n"]: r for r in rows if r["command"] == name and r["peak_mb"] and r["exit"] == 0}
        if 1_000_000 in by and 10_000_000 in by:
            ratios[name] = round(by[10_000_000]["peak_mb"] / by[1_000_000]["peak_mb"], 2)
    if args.json:
        print(json.dumps({"runs": rows, "peak_10M_over_1M": ratios, "goal": {"peak_mb_at_10M": 1000}}))
        return
    for name, r in ratios.items():
        print(f"{name}: peak memory at 10M / at 1M = {r}x (flat: ~1x)")


if __name__ == "__main__":
    main()
