"""Other engines doing aicost allocate's work on a usage log, one run per child process, for the
benchmarks' baselines (bench/run_all.py, bench/read_group.py).

    python bench/engines.py ENGINE TASK LOG --out FILE [--stats FILE] [--prices FILE] [--threads 2]

TASK ``allocate`` (ENGINE duckdb or polars): the fair equivalent of
``aicost allocate LOG --by team,feature -f json`` in one query: read the CSV (timestamps parsed
as UTC instants), sum requests and tokens by day, provider, model, tier, team and feature, join
each group to a small price table (provider, model, tier and the dated span its rates hold for,
built from aicost's own price book by :func:`price_table`), sum tokens x rate by month, team and
feature, and write those groups and their total as JSON to ``--out``.

With ENGINE aicost, TASK ``allocate`` is the command itself, ``aicost allocate LOG --by team,feature
-f json --output OUT``, run in this process through aicost's own entry point, with its
``pipeline.read_groups`` (the reading and grouping) timed: ``--stats`` then splits the run into
before, during and after the read+group (see :func:`aicost_allocate`).

TASK ``group`` (ENGINE aicost, duckdb, polars, pyarrow, or pandas-read): the reading and grouping
part alone, the result kept in memory: aicost's ``pipeline.read_groups`` (read, check and sum into
usage groups, before pricing); the same sums by day, provider, model, tier, team and feature in
DuckDB, polars and pyarrow (``pyarrow.csv.read_csv`` then ``Table.group_by``); and, as the floor,
``pandas.read_csv`` of the whole file with nothing grouped.

``--stats`` gets the child's own figures as JSON: seconds to import the engine (for aicost, with
the price book loaded), seconds of work after that, groups and rows. Threads: ``--threads`` for
every engine (DuckDB's ``threads``, POLARS_MAX_THREADS, pyarrow's CPU and I/O pools; aicost's
pool is min(4, cores)).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

KEYS = ["day", "provider", "model", "tier", "team", "feature"]
COUNTS = ["input_tokens", "cached_input_tokens", "output_tokens"]


def price_table(rows: list[tuple[str, str]], tiers=("standard", "batch", "flex", "priority")) -> list[dict]:
    """Rates per million tokens (input, cached input, output) of each (provider, model) and tier,
    each with the span of days it holds for, from aicost's price book (run in the parent)."""
    from datetime import date, timedelta

    from aicost.inputs.pricebook import PriceBook
    from aicost.usage.price import Rates

    rates = Rates(PriceBook.load())
    epoch = date(1970, 1, 1)

    def day(n: int) -> str:
        return str(epoch + timedelta(days=min(max(n, 0), 40000)))

    out = []
    for provider, model in rows:
        entry = rates.entry(provider, model)
        for tier in tiers:
            for lo, hi, r in (rates.blocks(entry, tier, False) or []) if entry is not None else []:
                cached = r[1] if r[1] == r[1] else r[0]  # no cached rate: billed as input
                out.append({"provider": provider, "model": model, "tier": tier, "from": day(lo), "to": day(hi),
                            "input": float(r[0]), "cached_input": float(cached), "output": float(r[4])})
    return out


def duckdb_con(threads: int):
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.execute("SET TimeZone = 'UTC'")
    return con


DUCK_GROUPS = """
SELECT CAST(timestamp AS DATE) AS day, provider, model, tier, team, feature, count(*) AS requests,
       sum(input_tokens) AS input_tokens, sum(cached_input_tokens) AS cached_input_tokens,
       sum(output_tokens) AS output_tokens, sum(billed_cost) AS billed_cost
FROM read_csv(?) GROUP BY ALL
"""


def duckdb_allocate(log: str, prices: list[dict], threads: int) -> list[dict]:
    con = duckdb_con(threads)
    con.execute("CREATE TEMP TABLE prices (provider VARCHAR, model VARCHAR, tier VARCHAR, dfrom DATE, dto DATE, "
                "input DOUBLE, cached_input DOUBLE, output DOUBLE)")
    con.executemany("INSERT INTO prices VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [[p[k] for k in ("provider", "model", "tier", "from", "to", "input", "cached_input", "output")]
                     for p in prices])
    rows = con.execute(f"""
        WITH g AS ({DUCK_GROUPS})
        SELECT strftime(g.day, '%Y-%m') AS month, g.team, g.feature,
               sum((g.input_tokens * p.input + g.cached_input_tokens * p.cached_input
                    + g.output_tokens * p.output) / 1e6) AS cost,
               sum(g.requests) AS requests,
               sum(g.input_tokens + g.cached_input_tokens + g.output_tokens) AS tokens,
               sum(g.billed_cost) AS billed
        FROM g LEFT JOIN prices p
          ON g.provider = p.provider AND g.model = p.model AND g.tier = p.tier AND g.day >= p.dfrom AND g.day < p.dto
        GROUP BY ALL ORDER BY ALL
    """, [log]).fetchall()
    return [dict(zip(["month", "team", "feature", "cost", "requests", "tokens", "billed"], r, strict=True))
            for r in rows]


def polars_groups(log: str):
    import polars as pl

    return (pl.scan_csv(log)
            .with_columns(day=pl.col("timestamp").str.to_datetime("%Y-%m-%dT%H:%M:%S%#z", time_zone="UTC").dt.date())
            .group_by(KEYS)
            .agg(pl.len().alias("requests"), *(pl.col(c).sum() for c in COUNTS), pl.col("billed_cost").sum()))


def polars_allocate(log: str, prices: list[dict]) -> list[dict]:
    import polars as pl

    p = pl.LazyFrame(prices).with_columns(pl.col("from").str.to_date(), pl.col("to").str.to_date())
    cost = (pl.col("input_tokens") * pl.col("input") + pl.col("cached_input_tokens") * pl.col("cached_input")
            + pl.col("output_tokens") * pl.col("output")) / 1e6
    g = polars_groups(log)
    priced = (g.join(p, on=["provider", "model", "tier"], how="left")
              .filter(pl.col("from").is_null() | ((pl.col("day") >= pl.col("from")) & (pl.col("day") < pl.col("to")))))
    out = (priced.group_by(pl.col("day").dt.strftime("%Y-%m").alias("month"), "team", "feature")
           .agg(cost.sum().alias("cost"), pl.col("requests").sum(),
                (pl.col("input_tokens") + pl.col("cached_input_tokens") + pl.col("output_tokens")).sum().alias("tokens"),
                pl.col("billed_cost").sum().alias("billed"))
           .sort("month", "team", "feature", nulls_last=False)
           .collect())
    return out.to_dicts()


def pyarrow_groups(log: str, threads: int):
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv

    pa.set_cpu_count(threads)
    pa.set_io_thread_count(threads)
    wanted = ["timestamp", "provider", "model", "tier", "team", "feature", *COUNTS, "billed_cost"]
    t = csv.read_csv(log, convert_options=csv.ConvertOptions(
        include_columns=wanted, column_types={"timestamp": pa.timestamp("s", tz="UTC")}))
    t = t.append_column("day", pc.cast(t["timestamp"], pa.date32())).drop_columns(["timestamp"])
    return t.group_by(KEYS, use_threads=True).aggregate(
        [([], "count_all"), *((c, "sum") for c in COUNTS), ("billed_cost", "sum")])


def aicost_allocate(log: str, out: Path, t0: float) -> dict:
    """``aicost allocate LOG --by team,feature -f json --output OUT`` through aicost's own entry
    point, with ``pipeline.read_groups`` timed (two clock readings; nothing else changes): seconds
    from the start of this script to the read+group, in it, and after it to the end."""
    from aicost.usage import pipeline

    read_groups, spans = pipeline.read_groups, []

    def timed(*a, **k):
        t = time.perf_counter()
        try:
            return read_groups(*a, **k)
        finally:
            spans.append((t, time.perf_counter()))

    pipeline.read_groups = timed
    from aicost.cli import main as aicost_main

    sys.argv = ["aicost", "allocate", log, "--by", "team,feature", "-f", "json", "--output", str(out)]
    try:
        aicost_main()
    except SystemExit as exc:
        if exc.code:
            raise
    end = time.perf_counter()
    (a, b), = spans
    return {"before_read_s": round(a - t0, 4), "read_group_s": round(b - a, 4), "after_read_s": round(end - b, 4),
            "total": json.loads(out.read_text())["totals"]["total"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("engine", choices=["aicost", "duckdb", "polars", "pyarrow", "pandas-read"])
    ap.add_argument("task", choices=["allocate", "group"])
    ap.add_argument("log")
    ap.add_argument("--out", type=Path, help="allocate: the groups and total as JSON")
    ap.add_argument("--stats", type=Path, help="this run's own figures as JSON")
    ap.add_argument("--prices", type=Path, help="allocate: the price table (JSON, from price_table)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    if args.engine == "polars":
        os.environ["POLARS_MAX_THREADS"] = str(args.threads)  # read when polars is imported
    log = str(args.log)
    stats: dict = {"engine": args.engine, "task": args.task, "threads": args.threads}

    t0 = time.perf_counter()
    if args.task == "allocate" and args.engine == "aicost":
        stats.update(aicost_allocate(log, args.out, t0))
        t1 = t0
    elif args.task == "allocate":
        prices = json.loads(args.prices.read_text())
        if args.engine == "duckdb":
            import duckdb  # noqa: F401

            t1 = time.perf_counter()
            groups = duckdb_allocate(log, prices, args.threads)
        elif args.engine == "polars":
            import polars

            t1 = time.perf_counter()
            groups = polars_allocate(log, prices)
        else:
            raise SystemExit(f"allocate: no {args.engine} equivalent here (aicost's is `aicost allocate`)")
        total = sum(g["cost"] or 0.0 for g in groups)
        text = json.dumps({"groups": groups, "total": total}, default=str)
        args.out.write_text(text)
        stats.update(groups=len(groups), total=total)
    else:
        if args.engine == "aicost":
            from aicost.inputs.pricebook import PriceBook
            from aicost.usage import layouts, pipeline
            from aicost.usage.price import Rates

            book = PriceBook.load()
            t1 = time.perf_counter()
            groups, counts = pipeline.read_groups([Path(log)], layouts.AICOST, ["team", "feature"], Rates(book))
            n, rows = len(groups), counts["rows"]
        elif args.engine == "duckdb":
            con = duckdb_con(args.threads)
            t1 = time.perf_counter()
            con.execute(f"CREATE TEMP TABLE g AS {DUCK_GROUPS}", [log])  # the result kept, in DuckDB
            n, rows = con.execute("SELECT count(*), sum(requests) FROM g").fetchone()
            rows = int(rows)
        elif args.engine == "polars":
            import polars  # noqa: F401

            t1 = time.perf_counter()
            res = polars_groups(log).collect()
            n, rows = res.height, int(res["requests"].sum())
        elif args.engine == "pyarrow":
            import pyarrow.compute
            import pyarrow.csv  # noqa: F401

            t1 = time.perf_counter()
            res = pyarrow_groups(log, args.threads)
            n, rows = res.num_rows, int(res.column("count_all").to_numpy().sum())
        else:
            import pandas as pd

            t1 = time.perf_counter()
            res = pd.read_csv(log)
            n, rows = 0, len(res)
        stats.update(groups=n, rows=rows)
    t2 = time.perf_counter()
    stats.update(import_s=round(t1 - t0, 4), work_s=round(t2 - t1, 4))
    if args.stats:
        args.stats.write_text(json.dumps(stats))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
