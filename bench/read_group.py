"""Reading and grouping alone: aicost's ``pipeline.read_groups`` against DuckDB, polars and
pyarrow doing the same sums on the same log, and what that says about ``aicost allocate``
against DuckDB's whole query (issue 24's allocate-duckdb row).

Each round, interleaved (the order turns each round), every one in its own child process with
``--threads`` threads (bench/engines.py):

- ``aicost allocate LOG --by team,feature -f json`` through aicost's own entry point with its
  read+group (``pipeline.read_groups``: read, check and sum into usage groups, before pricing)
  timed inside the run, so the same run gives the command's wall time, its read+group and the
  rest (interpreter start, imports, price book, pricing, sums, allocation, JSON);
- DuckDB's equivalent of the whole command (read, group, price, sum by month, team and feature,
  JSON out), wall clock;
- ``group`` runs: DuckDB, polars and pyarrow summing requests, tokens and the billed amount by
  day, provider, model, tier, team and feature (timestamps parsed as UTC instants), and
  pandas.read_csv of the whole file (nothing grouped) as the floor; each child reports its own
  seconds of work after its imports, and of importing.

- both whole commands again on a log of ``--tiny`` rows (default 1,000): what each pays whatever
  the log's size (interpreter start, imports, the price book; DuckDB's connection).

From these: what ``aicost allocate`` would take with each engine's read+group in place of its
own (its wall time less its read+group, plus the engine's read+group and its import), against
1.1x DuckDB's whole query.

    python bench/read_group.py [--rows 10000000] [--rounds 3] [--threads 2] [--json FILE]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from allocate import MODELS, ensure_log
from common import PY, ROOT, child_env, run_child, spread

ENGINES = str(Path(__file__).resolve().parent / "engines.py")
GROUPERS = ["duckdb", "polars", "pyarrow", "pandas-read"]
PACKAGE = {"duckdb": "duckdb", "polars": "polars", "pyarrow": "pyarrow", "pandas-read": "pandas"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", type=Path, default=Path("/tmp/aicost-bench"))
    ap.add_argument("--tiny", type=int, default=1000, help="rows of the small log for the fixed costs")
    ap.add_argument("--json", type=Path, metavar="FILE")
    args = ap.parse_args()
    missing = [e for e in GROUPERS if e in PACKAGE and importlib.util.find_spec(PACKAGE[e]) is None]
    for e in missing:
        print(f"{e}: skipped, {PACKAGE[e]} is not installed", file=sys.stderr)
    groupers = [e for e in GROUPERS if e not in missing]
    whole = ["aicost allocate"] + (["duckdb allocate"] if "duckdb" in groupers else [])

    big = log = ensure_log(args.data, args.rows)
    tiny = ensure_log(args.data, args.tiny)
    out = args.data / "out"
    out.mkdir(parents=True, exist_ok=True)
    prices = out / "prices.json"
    from engines import price_table

    prices.write_text(json.dumps(price_table([(p, m) for p, m, _ in MODELS])))
    threads = str(args.threads)
    env = child_env(POLARS_MAX_THREADS=threads)
    with open(log, "rb") as fh:  # into the page cache
        while fh.read(1 << 24):
            pass

    def step(name: str) -> dict:
        nonlocal log
        if name.endswith(" tiny"):
            log = tiny
            try:
                return step(name[: -len(" tiny")])
            finally:
                log = big
        if name == "aicost allocate":
            stats = out / "aicost-allocate.json"
            r = run_child([PY, ENGINES, "aicost", "allocate", str(log), "--out", str(out / "allocate.json"),
                           "--stats", str(stats)], env=env, cwd=ROOT)
            return {"wall_s": r.wall_s, "peak_mb": r.peak_mb, **json.loads(stats.read_text())}
        if name == "duckdb allocate":
            r = run_child([PY, ENGINES, "duckdb", "allocate", str(log), "--out", str(out / "duckdb.json"),
                           "--prices", str(prices), "--threads", threads], env=env, cwd=ROOT)
            return {"wall_s": r.wall_s, "peak_mb": r.peak_mb,
                    "total": json.loads((out / "duckdb.json").read_text())["total"]}
        stats = out / f"group-{name}.json"
        r = run_child([PY, ENGINES, name, "group", str(log), "--stats", str(stats), "--threads", threads],
                      env=env, cwd=ROOT)
        return {"wall_s": r.wall_s, "peak_mb": r.peak_mb, **json.loads(stats.read_text())}

    steps = whole + groupers + [f"{w} tiny" for w in whole]
    runs: dict[str, list[dict]] = {s: [] for s in steps}
    step("aicost allocate")  # the price book's cache, as a user's second run finds it
    for i in range(args.rounds):
        k = (i * 4) % len(steps)
        for s in steps[k:] + steps[:k]:
            runs[s].append(step(s))
            print(f"round {i + 1}: {s}: {runs[s][-1]['wall_s']:.2f} s", file=sys.stderr, flush=True)

    def col(s: str, key: str) -> list[float]:
        return [r[key] for r in runs[s]]

    def fmt(xs: list[float]) -> str:
        m, lo, hi = spread(xs)
        return f"{m:.2f} s ({lo:.2f}–{hi:.2f})"

    print(f"Read and group, {args.rows:,} rows ({log.stat().st_size / 2**20:,.0f} MiB CSV), {args.threads} threads, "
          f"{args.rounds} rounds, medians (range)\n")
    print("| engine | read+group (in the child, after imports) | x aicost's (rounds' range) | import | child wall | "
          "peak RSS | groups |")
    print("|---|---|---|---|---|---|---|")
    ra = col("aicost allocate", "read_group_s")
    print(f"| aicost (`pipeline.read_groups`, timed inside `aicost allocate`) | {fmt(ra)} | 1.00x | "
          f"{spread(col('aicost allocate', 'before_read_s'))[0]:.2f} s (the command's imports, price book, options) | "
          f"— | — | — |")
    for e in groupers:
        w = col(e, "work_s")
        rr = [x / y for x, y in zip(w, ra, strict=True)]
        print(f"| {e} | {fmt(w)} | {spread(w)[0] / spread(ra)[0]:.2f}x ({min(rr):.2f}–{max(rr):.2f}) | "
              f"{spread(col(e, 'import_s'))[0]:.2f} s | {fmt(col(e, 'wall_s'))} | {spread(col(e, 'peak_mb'))[0]:,.0f} MiB "
              f"| {runs[e][0]['groups']:,} |")
    a = col("aicost allocate", "wall_s")
    result = {"rows": args.rows, "threads": args.threads, "rounds": args.rounds, "runs": runs}
    print(f"\naicost allocate (whole command): {fmt(a)}, peak {spread(col('aicost allocate', 'peak_mb'))[0]:,.0f} MiB")
    rest = [x - y for x, y in zip(a, ra, strict=True)]
    print(f"  of which read+group: {fmt(ra)}; before it (interpreter start, imports, price book): "
          f"{fmt([w - r['work_s'] + r['before_read_s'] for w, r in zip(a, runs['aicost allocate'], strict=True)])}; "
          f"after it (pricing, sums, allocation, JSON): {fmt(col('aicost allocate', 'after_read_s'))}; "
          f"all but the read+group: {fmt(rest)}")
    print(f"\nOn a {args.tiny:,}-row log (what each pays whatever the size): aicost allocate "
          f"{fmt(col('aicost allocate tiny', 'wall_s'))}"
          + (f", DuckDB's query {fmt(col('duckdb allocate tiny', 'wall_s'))}" if "duckdb allocate tiny" in runs else ""))
    if "duckdb allocate" in runs:
        d = col("duckdb allocate", "wall_s")
        print(f"DuckDB's whole query (child): {fmt(d)}, peak {spread(col('duckdb allocate', 'peak_mb'))[0]:,.0f} MiB; "
              f"its total {runs['duckdb allocate'][0]['total']:,.6f}, aicost's {runs['aicost allocate'][0]['total']:,.6f}")
        print(f"aicost allocate / DuckDB: {spread(a)[0] / spread(d)[0]:.2f}x "
              f"(rounds {min(x / y for x, y in zip(a, d, strict=True)):.2f}–"
              f"{max(x / y for x, y in zip(a, d, strict=True)):.2f}); goal <= 1.1x = {1.1 * spread(d)[0]:.2f} s")
        print("\nWith another engine's read+group in place of aicost's (all but aicost's read+group, plus the "
              "engine's read+group and its import; pyarrow and pandas are imported by aicost already):\n")
        print("| engine | projected aicost allocate | / DuckDB's whole query (rounds' range) | meets <= 1.1x |")
        print("|---|---|---|---|")
        q = [x / y for x, y in zip(a, d, strict=True)]
        print(f"| aicost (as now) | {fmt(a)} | {spread(a)[0] / spread(d)[0]:.2f}x ({min(q):.2f}–{max(q):.2f}) | "
              f"{'yes' if spread(a)[0] / spread(d)[0] <= 1.1 else 'no'} |")
        projected = {}
        for e in groupers:
            imp = col(e, "import_s") if e in ("duckdb", "polars") else [0.0] * len(a)
            p = [r + w + i for r, w, i in zip(rest, col(e, "work_s"), imp, strict=True)]
            q = [x / y for x, y in zip(p, d, strict=True)]
            m = spread(p)[0] / spread(d)[0]
            projected[e] = {"projected_s": p, "ratio": m}
            print(f"| {e} | {fmt(p)} | {m:.2f}x ({min(q):.2f}–{max(q):.2f}) | {'yes' if m <= 1.1 else 'no'} |")
        result["projected"] = projected
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
