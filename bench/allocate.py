"""Benchmark: aicost allocate on a generated usage log, against two baselines in the same run.

  (a) the floor: reading the same CSV with pandas alone (``pd.read_csv``), nothing priced,
      measured two ways, each against aicost measured the same way:
        - as a library call in this process (imports done before the clock starts):
          ``pd.read_csv(LOG)`` versus ``aicost.usage.pipeline.run([LOG], ...)``;
        - as a command in a child process (interpreter start and imports included):
          ``python -c "import pandas; pandas.read_csv(LOG)"`` versus
          ``python -m aicost allocate LOG --by team,feature -f json`` (whose peak memory, max RSS,
          is measured on its own);
  (b) a per-row calculator: genai-prices' ``calc_price`` called once per row on a sample,
      extrapolated to the whole log (skipped, with a note, when genai-prices is not installed).

Each timing is the median of --repeat runs (this machine is a shared VM: single runs vary by
10-20%).

    python bench/allocate.py --rows 10000000          # the issue's goal: 10M rows
    python bench/allocate.py --rows 1000000 --sample 20000 --repeat 1

With --distinct-tags N (issue 16), only the showback of a log whose team tag takes N distinct
values is measured: ``aicost allocate LOG --by team -f FORMAT`` (each of --formats) in a child
process, its wall time and its own peak memory (max RSS, from wait4), against the same command
on the realistic log of the same length (six teams) in the same run:

    python bench/allocate.py --rows 10000000 --distinct-tags 1000000 --formats json,csv,table

The logs are written once to --data (default /tmp/aicost-bench) and reused when present.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import run_child

MODELS = [("openai", "gpt-5-mini", 0.45), ("openai", "gpt-5", 0.15), ("anthropic", "claude-sonnet-4-5", 0.2),
          ("anthropic", "claude-haiku-4-5", 0.1), ("google", "gemini-2.5-flash", 0.1)]
TEAMS = ["search", "support", "growth", "platform", "legal", "ml-infra", ""]
FEATURES = ["chat", "rerank", "summaries", "extraction", "agent", "eval", ""]
TENANTS = [f"tenant-{i:03d}" for i in range(200)]


def generate(path: Path, rows: int, seed: int = 1, distinct_teams: int = 0) -> None:
    """A realistic per-request log in aicost's layout: ISO 8601 UTC times over a month, five
    models, four tiers, cached input, tags with some rows untagged, a billed amount. With
    ``distinct_teams``, the team tag takes that many distinct values (``team-0000000``...,
    drawn evenly; 5% of rows untagged) instead of the six teams."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    names = np.array([f"team-{i:07d}" for i in range(distinct_teams)] + [""]) if distinct_teams else None
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    step = 1_000_000
    start = np.datetime64("2026-10-01T00:00:00")
    with open(tmp, "w", encoding="utf-8", newline="") as fh:
        for i in range(0, rows, step):
            n = min(step, rows - i)
            m = rng.choice(len(MODELS), n, p=[w for *_, w in MODELS])
            secs = np.sort(rng.integers(0, 31 * 86400, n))
            ts = np.datetime_as_string(start + secs.astype("timedelta64[s]"), unit="s")
            df = pd.DataFrame({
                "timestamp": np.char.add(ts.astype(str), "Z"),
                "provider": np.array([p for p, _, _ in MODELS])[m],
                "model": np.array([x for _, x, _ in MODELS])[m],
                "tier": rng.choice(["standard", "batch", "flex", "priority"], n, p=[.7, .2, .05, .05]),
                "input_tokens": rng.integers(200, 8000, n),
                "cached_input_tokens": rng.integers(0, 4000, n) * (rng.random(n) < .5),
                "output_tokens": rng.integers(10, 1500, n),
                "team": rng.choice(TEAMS, n) if names is None else
                names[np.where(rng.random(n) < .05, distinct_teams, rng.integers(0, max(distinct_teams, 1), n))],
                "feature": rng.choice(FEATURES, n), "tenant": rng.choice(TENANTS, n),
                "billed_cost": np.round(rng.random(n) / 50, 6),
            })
            flex_or_prio = np.isin(df["tier"], ["flex", "priority"]) & (df["provider"] != "openai")
            df.loc[flex_or_prio, "tier"] = "standard"  # only OpenAI offers Flex; keep the log priceable
            df.to_csv(fh, index=False, header=(i == 0))
    os.replace(tmp, path)


COLUMNS = ("timestamp,provider,model,tier,input_tokens,cached_input_tokens,output_tokens,team,feature,tenant,"
           "billed_cost")


def log_path(data: Path, rows: int, distinct_teams: int = 0) -> Path:
    return data / (f"usage-{rows}-teams{distinct_teams}.csv" if distinct_teams else f"usage-{rows}.csv")


def ensure_log(data: Path, rows: int, distinct_teams: int = 0, seed: int = 1) -> Path:
    """The log of ``rows`` rows under ``data``, written by :func:`generate` unless it is there with
    the same parameters (recorded beside it in ``LOG.json``; a log with no record, written by an
    older script, is taken when its header is this layout's: the name holds the row count and
    the tag count, and the seed has always been 1)."""
    path = log_path(data, rows, distinct_teams)
    params = {"rows": rows, "distinct_teams": distinct_teams, "seed": seed, "columns": COLUMNS}
    record = path.with_name(path.name + ".json")
    if path.exists():
        if record.exists():
            if json.loads(record.read_text()) == params:
                return path
        elif seed == 1:
            with open(path, encoding="utf-8") as fh:
                if fh.readline().strip() == COLUMNS:
                    return path
    print(f"generating {rows:,} rows -> {path}", file=sys.stderr, flush=True)
    generate(path, rows, seed=seed, distinct_teams=distinct_teams)
    record.write_text(json.dumps(params))
    return path


def floor(path: Path) -> float:
    import pandas as pd

    t = time.perf_counter()
    df = pd.read_csv(path)
    elapsed = time.perf_counter() - t
    assert len(df) > 0
    return elapsed


def floor_command(path: Path) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import pandas; assert len(pandas.read_csv({str(path)!r}))"], check=True)
    return time.perf_counter() - t


def ours_library(path: Path) -> tuple[float, dict]:
    from aicost.inputs.pricebook import PriceBook
    from aicost.usage import layouts, pipeline

    book = PriceBook.load()
    t = time.perf_counter()
    a = pipeline.run([path], layouts.AICOST, ["team", "feature"], book, [], "stop")
    return time.perf_counter() - t, a.totals


def median(f, n: int):
    runs = [f() for _ in range(n)]
    key = (lambda r: r[0]) if isinstance(runs[0], tuple) else (lambda r: r)
    return sorted(runs, key=key)[len(runs) // 2]


def ours(path: Path) -> tuple[float, float, dict]:
    cmd = [sys.executable, "-m", "aicost", "allocate", str(path), "--by", "team,feature", "-f", "json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    elapsed = time.perf_counter() - t
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak_kb < before:
        peak_kb = before
    return elapsed, peak_kb / 1024, json.loads(out.stdout)["totals"]


def showback(path: Path, fmt: str, out: Path) -> tuple[float, float, int]:
    """``aicost allocate LOG --by team -f FMT`` in a child process, its output to ``out``: wall
    time, the child's own peak memory (MB, max RSS from wait4) and the output's size."""
    cmd = [sys.executable, "-m", "aicost", "allocate", str(path), "--by", "team", "-f", fmt]
    run = run_child(cmd, stdout=out)
    return run.wall_s, run.peak_mb, out.stat().st_size


def many_tags(args) -> None:
    """The showback of a log with ``--distinct-tags`` team values against the realistic log."""
    many = ensure_log(args.data, args.rows, args.distinct_tags)
    few = ensure_log(args.data, args.rows)
    out = args.data / "showback.out"
    n = args.repeat
    print(f"aicost allocate LOG --by team -f FORMAT, {args.rows:,} rows; medians of {n} run(s) "
          f"(wall time, peak RSS of the command)")
    for fmt in args.formats.split(","):
        res = {}
        for name, path in (("distinct", many), ("few", few)):
            runs = [showback(path, fmt, out) for _ in range(n)]
            res[name] = [sorted(r[i] for r in runs)[n // 2] for i in range(3)]
        (t, mb, size), (t0, mb0, _) = res["distinct"], res["few"]
        print(f"  -f {fmt:5s}  {args.distinct_tags:,} distinct teams: {t:6.2f} s {mb:7,.0f} MB "
              f"({size / 2**20:,.0f} MB out)   six teams: {t0:5.2f} s {mb0:5,.0f} MB   "
              f"ratio {t / t0:.1f} x time, {mb / mb0:.1f} x memory (goal: memory < 2048 MB)")
    out.unlink(missing_ok=True)


def per_row(path: Path, sample: int) -> tuple[float, int] | None:
    """genai-prices' calc_price, one call per row, on the first ``sample`` rows."""
    try:
        from genai_prices import Usage, calc_price
    except ImportError:
        return None
    import csv
    from datetime import datetime

    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        for i, r in enumerate(csv.DictReader(fh)):
            if i >= sample:
                break
            rows.append(r)
    t = time.perf_counter()
    priced = 0
    for r in rows:
        usage = Usage(input_tokens=int(r["input_tokens"]) + int(r["cached_input_tokens"]),
                      cache_read_tokens=int(r["cached_input_tokens"]), output_tokens=int(r["output_tokens"]))
        try:
            calc_price(usage, r["model"], provider_id=r["provider"],
                       genai_request_timestamp=datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00")))
            priced += 1
        except LookupError:
            pass
    return time.perf_counter() - t, priced


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--sample", type=int, default=20_000, help="rows priced one by one for baseline (b)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing (the median is reported)")
    ap.add_argument("--data", type=Path, default=Path("/tmp/aicost-bench"))
    ap.add_argument("--distinct-tags", type=int, default=0, metavar="N",
                    help="measure only the showback of a log whose team tag has N distinct values (issue 16)")
    ap.add_argument("--formats", default="json", help="with --distinct-tags: output formats, comma-separated")
    args = ap.parse_args()
    if args.distinct_tags:
        many_tags(args)
        return
    path = ensure_log(args.data, args.rows)
    size_mb = path.stat().st_size / 2**20
    n = args.repeat
    t_cmd, peak_mb, totals = median(lambda: ours(path), n)
    t_floor_cmd = median(lambda: floor_command(path), n)
    t_lib, lib_totals = median(lambda: ours_library(path), n)
    t_floor = median(lambda: floor(path), n)
    assert abs(lib_totals["total"] - totals["total"]) < 0.01
    b = per_row(path, args.sample)
    print(f"log: {args.rows:,} rows, {size_mb:,.0f} MB CSV ({path}); medians of {n} run(s)")
    print(f"(a) library call:  pandas.read_csv {t_floor:6.2f} s   aicost pipeline.run {t_lib:6.2f} s"
          f"   = {t_lib / t_floor:.2f} x the floor (goal <= 2)")
    print(f"    command:       python -c read_csv {t_floor_cmd:5.2f} s   aicost allocate {t_cmd:6.2f} s"
          f"   = {t_cmd / t_floor_cmd:.2f} x the floor (goal <= 2); against the in-process floor "
          f"{t_cmd / t_floor:.2f} x")
    print(f"    peak memory of aicost allocate: {peak_mb:,.0f} MB (goal < 2048)")
    print(f"    priced {totals['rows_priced']:,} rows, total {totals['total']:,.2f}; unpriced {totals['unpriced_rows']:,}")
    if b is None:
        print("(b) genai-prices is not installed (pip install genai-prices): per-row baseline skipped")
    else:
        t_b, priced = b
        full = t_b / args.sample * args.rows
        print(f"(b) genai-prices calc_price per row: {t_b:8.2f} s for {args.sample:,} rows ({priced:,} priced) "
              f"-> {full:,.0f} s for {args.rows:,} = {full / t_cmd:,.0f} x aicost allocate (goal >= 100)")


if __name__ == "__main__":
    main()
