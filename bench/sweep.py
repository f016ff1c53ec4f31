"""Sweep benchmark: 1,000,000 points over every option of a shipped scenario.

Vectorised: `aicost sweep SCENARIO --vary FIELD=START:STOP:1000000:log` run as a user runs it
(a fresh process, wall clock, output to a file). Baseline, in the same run and interleaved with
it: the single-scenario Python API (`aicost.compare_result`) called once per point with that
point's value as a `--set` override, timed on a sample of points spread over the range and
extrapolated to 1,000,000. Goals: under 5 s wall, at least 100 times faster than the loop.

    python bench/sweep.py [--points 1000000] [--loop-points 100] [--rounds 3]
                          [--scenario support-assistant] [--field volume.tasks_per_month]
                          [--start 1000] [--stop 1e9] [--format table|csv|json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import aicost


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--loop-points", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--scenario", default="support-assistant")
    ap.add_argument("--field", default="volume.tasks_per_month")
    ap.add_argument("--start", type=float, default=1000.0)
    ap.add_argument("--stop", type=float, default=1e9)
    ap.add_argument("--format", default="table", choices=["table", "csv", "json"])
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()

    vary = f"{args.field}={args.start!r}:{args.stop!r}:{args.points}:log"
    n_options = len(aicost.compare_result(args.scenario).scenarios[0].options)
    # the loop's points: spread over the same log range, whole numbers for a whole-number field
    xs = np.geomspace(args.start, args.stop, args.loop_points)
    sets = [f"{args.field}={int(round(x))}" for x in xs]
    aicost.compare_result(args.scenario, sets=sets[:1])  # warm the price-book cache for both sides

    sweep_times, loop_times = [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, f"sweep.{args.format}")
        cmd = [sys.executable, "-m", "aicost", "sweep", args.scenario, "--vary", vary, "--format", args.format,
               "--output", out]
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            sweep_times.append(time.perf_counter() - t0)
            size = os.path.getsize(out)
            t0 = time.perf_counter()
            for s in sets:
                aicost.compare_result(args.scenario, sets=[s])
            loop_times.append((time.perf_counter() - t0) / len(sets))

    wall = statistics.median(sweep_times)
    per_point = statistics.median(loop_times)
    loop = per_point * args.points
    res = {"scenario": args.scenario, "options": n_options, "points": args.points, "format": args.format,
           "output_bytes": size, "sweep_wall_s": [round(t, 2) for t in sweep_times],
           "sweep_wall_median_s": round(wall, 2), "loop_per_point_ms": round(per_point * 1000, 3),
           "loop_points_timed": args.loop_points, "loop_extrapolated_s": round(loop, 0),
           "speedup": round(loop / wall, 0), "goal": {"wall_s": 5.0, "speedup": 100}}
    if args.json:
        print(json.dumps(res))
        return
    print(f"{args.scenario}: {n_options} options x {args.points:,} points of {args.field} "
          f"({args.format} output, {size / 1e6:.1f} MB)")
    print(f"aicost sweep (fresh process, wall): median {wall:.2f} s over {args.rounds} rounds "
          f"{[round(t, 2) for t in sweep_times]} (goal < 5 s)")
    print(f"loop over the single-scenario API: {per_point * 1000:.2f} ms a point, timed on {args.loop_points} "
          f"points a round -> {loop:,.0f} s for {args.points:,} (extrapolated)")
    print(f"speed-up: {loop / wall:,.0f}x (goal >= 100x)")


if __name__ == "__main__":
    main()
