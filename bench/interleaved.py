"""One aicost command from several checkouts, run in turn (interleaved, the order reversed every
other round), each run a fresh child process as a user runs it, output to /dev/null: per checkout
the median and range of the wall time, and the medians of its CPU time (user, system) and peak
memory (from ``wait4``). CPU time moves less than wall time on a machine that other jobs share.

    python bench/interleaved.py --src /tmp/before --src . --rounds 5 -- \\
        compare nightly-extraction --samples 100000 -f json

(``git worktree add --detach /tmp/before <commit>`` gives the tree before a change.) Each checkout
gets its own validated-input cache folder, warmed by a first round that is not counted, so one
tree's runs never evict the other's entries.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run(src: str, argv: list[str], cache: str) -> tuple[float, float, float, float]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # users have bytecode caching
    env.update(PYTHONPATH=os.path.abspath(src), AICOST_CACHE_DIR=cache)
    t0 = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "aicost", *argv], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=env, cwd=os.path.abspath(src))
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{src}: aicost {' '.join(argv)} failed")
    return wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", action="append", required=True, help="a checkout to run aicost from (repeatable)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("argv", nargs="+", help="the aicost command, after --")
    args = ap.parse_args()

    caches = {s: tempfile.mkdtemp(prefix="aicost-cache-") for s in args.src}
    got: dict[str, list] = {s: [] for s in args.src}
    for r in range(args.rounds + 1):
        for s in args.src if r % 2 == 0 else args.src[::-1]:
            figures = run(s, args.argv, caches[s])
            if r:  # round 0 warms the caches
                got[s].append(figures)
    for folder in caches.values():
        shutil.rmtree(folder, ignore_errors=True)
    rows = []
    for s, runs in got.items():
        wall = [w for w, *_ in runs]
        rows.append({"src": s, "wall_median_s": round(statistics.median(wall), 2), "wall_min_s": round(min(wall), 2),
                     "wall_max_s": round(max(wall), 2), "user_s": round(statistics.median(r[1] for r in runs), 2),
                     "sys_s": round(statistics.median(r[2] for r in runs), 2),
                     "peak_mib": round(statistics.median(r[3] for r in runs)), "walls": [round(w, 2) for w in wall]})
    if args.json:
        print(json.dumps({"argv": "aicost " + " ".join(args.argv), "rounds": args.rounds, "runs": rows}))
        return
    print(f"aicost {' '.join(args.argv)}: {args.rounds} interleaved rounds")
    for row in rows:
        print(f"{row['src']}: wall median {row['wall_median_s']:.2f} s ({row['wall_min_s']:.2f}-{row['wall_max_s']:.2f}),"
              f" CPU user {row['user_s']:.2f} s + sys {row['sys_s']:.2f} s, peak {row['peak_mib']} MiB")


if __name__ == "__main__":
    main()
