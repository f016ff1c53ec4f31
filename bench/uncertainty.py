"""Monte Carlo benchmark: 100,000 samples of every option of a shipped scenario.

Vectorised: `compare --samples 100000` through the one engine, in chunks. Baseline, in the same
run: the single-scenario Python API called once per sample, with that sample's values as
`--set` overrides (timed on a few hundred samples and extrapolated to 100,000). Goals: under
2 s wall, at least 50 times faster than the loop.

    python bench/uncertainty.py [--samples 100000] [--loop-samples 200] [--scenario nightly-extraction]
"""

from __future__ import annotations

import argparse
import json
import time

import aicost
from aicost.inputs import scenario as scenario_mod
from aicost.analyses.compare import compare_loaded
from aicost.inputs.pricebook import PriceBook
from aicost.inputs.ranges import sample
from aicost.inputs.yamlio import dotted


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--samples", type=int, default=100_000)
    ap.add_argument("--loop-samples", type=int, default=200)
    ap.add_argument("--scenario", default="nightly-extraction")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    book = PriceBook.load()
    ls = scenario_mod.load(args.scenario, book)
    n_options = len(compare_loaded(ls, book).options)

    t0 = time.perf_counter()
    res = compare_loaded(ls, book, samples=args.samples, seed=0)
    vectorised = time.perf_counter() - t0
    assert res.uncertainty["samples"] == args.samples

    draws = sample(ls.ranges, args.loop_samples, seed=0)
    t0 = time.perf_counter()
    for k in range(args.loop_samples):
        sets = [f"{dotted(path)}={float(x[k])!r}" for path, x in draws.items()]
        aicost.compare_result(args.scenario, sets=sets)
    per_sample = (time.perf_counter() - t0) / args.loop_samples
    loop = per_sample * args.samples

    out = {"scenario": args.scenario, "options": n_options, "ranges": len(ls.ranges), "samples": args.samples,
           "vectorised_s": round(vectorised, 3), "loop_per_sample_ms": round(per_sample * 1000, 3),
           "loop_extrapolated_s": round(loop, 1), "speedup": round(loop / vectorised, 1),
           "goal": {"wall_s": 2.0, "speedup": 50}}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"{args.scenario}: {n_options} options, {len(ls.ranges)} ranged inputs, {args.samples:,} samples")
        print(f"vectorised (compare --samples): {vectorised:.2f} s wall (goal < 2 s)")
        print(f"loop over the single-scenario API: {per_sample * 1000:.2f} ms a sample, timed on "
              f"{args.loop_samples} samples -> {loop:,.0f} s for {args.samples:,} (extrapolated)")
        print(f"speed-up: {loop / vectorised:,.0f}x (goal >= 50x)")


if __name__ == "__main__":
    main()
