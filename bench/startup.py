"""Start-up benchmark: `aicost compare` on the default scenario against a bare import baseline.

The baseline is `python -c "import typer, pydantic, yaml, rich, numpy"`, the libraries any
run of aicost needs. Runs are interleaved (baseline, aicost, baseline, ...) so that machine
noise hits both alike; the figure is the ratio of the two medians. Goal: at most 1.3 (issue 24).

    python bench/startup.py [--runs 21]                    # warm: validated inputs cached
    AICOST_NO_CACHE=1 python bench/startup.py [--runs 21]  # cold: every file parsed and validated
    python bench/startup.py --tree OLD --tree NEW          # checkouts side by side (PYTHONPATH=each)

aicost's cache is a folder of its own (a fresh temporary one unless $AICOST_CACHE_DIR is set):
the shared ~/.cache/aicost keeps 32 entries, and other runs on the machine (a test suite, another
checkout) would evict the price book between two runs here and time a cold run as a warm one.
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

BASELINE = [sys.executable, "-c", "import typer, pydantic, yaml, rich, numpy"]
AICOST = [sys.executable, "-m", "aicost", "compare"]

# For context only: an empty typer app with the same options as `aicost compare` (typer 0.2x
# builds a pydantic adapter per option on every run; aicost's commands convert simple values
# without them, see aicost/cli/quick.py).
TYPER_FLOOR = """
from pathlib import Path
from typing import Annotated, Optional
import typer
app = typer.Typer()
@app.callback()
def root(version: Annotated[bool, typer.Option("--version")] = False): pass
@app.command()
def compare(scenarios: Annotated[Optional[list[str]], typer.Argument()] = None,
            pricing: Annotated[list[Path], typer.Option("--pricing")] = [],
            fmt: Annotated[str, typer.Option("--format")] = "table",
            sets: Annotated[list[str], typer.Option("--set")] = [],
            top: Annotated[Optional[int], typer.Option("--top", min=1)] = None,
            tier: Annotated[list[str], typer.Option("--tier")] = [],
            provider: Annotated[list[str], typer.Option("--provider")] = [],
            as_of: Annotated[Optional[str], typer.Option("--as-of")] = None,
            output: Annotated[Optional[Path], typer.Option("--output")] = None,
            max_price_age: Annotated[Optional[str], typer.Option("--max-price-age")] = None,
            samples: Annotated[Optional[int], typer.Option("--samples", min=1)] = None,
            seed: Annotated[int, typer.Option("--seed")] = 0,
            csv_raw: Annotated[bool, typer.Option("--csv-raw")] = False):
    import pydantic, yaml, rich, numpy
app(["compare"])
"""
FLOOR = [sys.executable, "-c", TYPER_FLOOR]


# Python's defaults for both commands: bytecode is cached (some shells set PYTHONDONTWRITEBYTECODE,
# which would recompile an editable checkout's sources on every run).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], env: dict | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env or ENV)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=21)
    ap.add_argument("--tree", action="append", default=[], metavar="DIR",
                    help="time this checkout (PYTHONPATH=DIR) instead of the installed aicost; repeat to "
                         "interleave several, each against the same baseline runs")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args()
    os.chdir(os.path.expanduser("~"))  # not the checkout: the installed package and its bundled data
    with tempfile.TemporaryDirectory(prefix="aicost-startup-") as own_cache:
        ENV.setdefault("AICOST_CACHE_DIR", own_cache)
        measure(args)


def measure(args: argparse.Namespace) -> None:
    trees = {t: {**ENV, "PYTHONPATH": os.path.abspath(t)} for t in args.tree} or {"installed": ENV}
    for env in trees.values():
        timed(AICOST, env)  # warm the file cache and aicost's price-book cache once
    base, floor = [], []
    tool: dict[str, list[float]] = {t: [] for t in trees}
    for _ in range(args.runs):
        base.append(timed(BASELINE))
        for t, env in trees.items():
            tool[t].append(timed(AICOST, env))
        floor.append(timed(FLOOR))
    mb, mf = statistics.median(base), statistics.median(floor)
    out = {"runs": args.runs, "baseline_median_s": round(mb, 4), "baseline_range_s": [round(min(base), 4),
           round(max(base), 4)], "goal": 1.3, "empty_typer_app_ratio": round(mf / mb, 3), "aicost": {
           t: {"median_s": round(statistics.median(v), 4), "range_s": [round(min(v), 4), round(max(v), 4)],
               "ratio": round(statistics.median(v) / mb, 3)} for t, v in tool.items()}}
    first = next(iter(tool.values()))  # the keys of the single-tree output before --tree
    out.update(aicost_compare_median_s=round(statistics.median(first), 4), ratio=round(statistics.median(first) / mb, 3))
    if args.json:
        print(json.dumps(out))
        return
    print(f"baseline (import typer, pydantic, yaml, rich, numpy): median {mb * 1000:.0f} ms "
          f"({min(base) * 1000:.0f}-{max(base) * 1000:.0f}) over {args.runs} runs")
    for t, v in tool.items():
        m = statistics.median(v)
        print(f"aicost compare ({t}): median {m * 1000:.0f} ms ({min(v) * 1000:.0f}-{max(v) * 1000:.0f}), "
              f"ratio of medians {m / mb:.2f} (goal <= 1.3)")
    print(f"for context, an empty typer app with the same options: {mf / mb:.2f}")


if __name__ == "__main__":
    main()
