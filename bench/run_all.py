"""Every performance goal of issue 24 in one run: each row timed against its baseline, interleaved
round by round, medians and ranges, printed as a Markdown table.

    python bench/run_all.py                          # every row, 3 rounds, a 10M-row allocate log
    python bench/run_all.py --rows 1000000 --rounds 3 --only startup,allocate-duckdb
    python bench/run_all.py --json results.json

Rows (``--only`` takes their names):

  startup          aicost compare, warm (the second run on)   vs python -c "import typer, pydantic, yaml, rich, numpy"
  sweep-volume     aicost sweep support-assistant --vary volume.tasks_per_month=1000:1e9:1000000:log --output F
  sweep-hit-rate   the same with --vary caching.hit_rate=0:1:1000000
  sweep-2d         --vary volume.tasks_per_month=1000:1e9:1000:log --vary caching.hit_rate=0:1:1000
  sweep-memory     peak RSS of the volume sweep at 1M and 5M points
  monte-carlo      aicost compare nightly-extraction --samples 100000 -f json
  gpu              aicost gpu self-hosted-wins                 vs the start-up baseline
  allocate-pandas  aicost allocate LOG --by team,feature -f json   vs python -c "import pandas; pandas.read_csv(LOG)"
  allocate-duckdb  the same                                    vs DuckDB's equivalent query (bench/engines.py)
  allocate-polars  the same                                    vs polars' equivalent query (bench/engines.py)
  genai-prices     the same, per row                           vs genai-prices calc_price per row on a sample

The sweeps, Monte Carlo and GPU rows also run the start-up baseline in each round (median of
three runs), for a ratio that says how far each is from a bare start. Every command is a fresh
child process from this checkout (PYTHONPATH), its stdout to a file or /dev/null; wall time by
``time.perf_counter`` around it, peak memory its own max RSS (``wait4``). In each round every
selected row runs once, its command and its baseline one after the other (the order of the
allocate commands turns each round). A figure is the ratio of the medians; its range is the
least and greatest of the rounds' own ratios.

The allocate log is bench/allocate.py's, written once to --data (default /tmp/aicost-bench) and
reused when present with the same parameters. DuckDB, polars and genai-prices are needed only
for their rows (``pip install duckdb polars genai-prices``); a row whose package is missing is
skipped with a note.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
import startup
from allocate import MODELS, ensure_log
from common import AICOST, PY, ROOT, child_env, run_child, spread

ENGINES = str(Path(__file__).resolve().parent / "engines.py")
SWEEP = ["sweep", "support-assistant"]
VOLUME = "volume.tasks_per_month"


def per_row_child(log: Path, sample: int) -> tuple[float, int]:
    """genai-prices' calc_price per row (bench/allocate.py's per_row) in a child process: this
    process stays small, so the peak memory of the children it starts after is their own (a
    child's max RSS starts from its parent's at fork on Linux)."""
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); from allocate import per_row; "
            "print(json.dumps(per_row(sys.argv[2], int(sys.argv[3]))))")
    got = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), str(log), str(sample)],
                         check=True, capture_output=True, text=True)
    t, priced = json.loads(got.stdout)
    return t, priced


class Row:
    """One row of the table: ``round`` runs its command and its baseline once each; ``result`` is
    the row's figures."""

    name = ""
    what = ""
    versus = ""
    goal = ""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.skip: str | None = None
        self.runs: dict[str, list] = {}

    def add(self, key: str, value) -> None:
        self.runs.setdefault(key, []).append(value)

    def setup(self) -> None:
        pass

    def round(self, i: int) -> None:
        raise NotImplementedError

    def result(self) -> dict:
        raise NotImplementedError


class Context:
    def __init__(self, args):
        self.args = args
        self.out = args.data / "out"
        self.out.mkdir(parents=True, exist_ok=True)
        self.env = child_env()
        self._log: Path | None = None
        self._base: dict[int, float] = {}

    def aicost(self, argv: list[str], stdout: Path | None = None):
        return run_child([*AICOST, *argv], stdout=stdout, env=self.env, cwd=ROOT, timeout=self.args.timeout)

    def child(self, cmd: list[str], stdout: Path | None = None, **env: str):
        return run_child(cmd, stdout=stdout, env=child_env(**env) if env else self.env, cwd=ROOT,
                         timeout=self.args.timeout)

    def baseline(self) -> float:
        """The start-up baseline: the median of three runs."""
        return spread([self.child(startup.BASELINE).wall_s for _ in range(3)])[0]

    @property
    def log(self) -> Path:
        if self._log is None:
            self._log = ensure_log(self.args.data, self.args.rows)
        return self._log


def figures(xs: list[float], digits: int = 3) -> dict:
    m, lo, hi = spread(xs)
    return {"median": round(m, digits), "min": round(lo, digits), "max": round(hi, digits),
            "runs": [round(x, digits) for x in xs]}


def ratio_figures(top: list[float], bottom: list[float], per_round: list[float]) -> dict:
    """The ratio of the medians, with the range of the rounds' own ratios."""
    return {"median": round(spread(top)[0] / spread(bottom)[0], 3), "min": round(min(per_round), 3),
            "max": round(max(per_round), 3), "rounds": [round(x, 3) for x in per_round]}


class Startup(Row):
    name = "startup"
    what = "`aicost compare`, warm (second run on)"
    versus = '`python -c "import typer, pydantic, yaml, rich, numpy"`'
    goal = "ratio ≤ 1.3"

    def setup(self) -> None:
        self.ctx.aicost(["compare"])  # the validated-input cache, as a user's second run finds it

    def round(self, i: int) -> None:
        base, tool = [], []
        for _ in range(self.ctx.args.startup_runs):
            base.append(self.ctx.child(startup.BASELINE).wall_s)
            tool.append(self.ctx.aicost(["compare"]).wall_s)
        self.add("baseline", spread(base)[0])
        self.add("aicost", spread(tool)[0])
        self.add("all_baseline", base)
        self.add("all_aicost", tool)

    def result(self) -> dict:
        a = [x for r in self.runs["all_aicost"] for x in r]
        b = [x for r in self.runs["all_baseline"] for x in r]
        per_round = [x / y for x, y in zip(self.runs["aicost"], self.runs["baseline"], strict=True)]
        ratio = ratio_figures(a, b, per_round)
        return {"aicost_s": figures(a), "baseline_s": figures(b), "ratio": ratio,
                "met": ratio["median"] <= 1.3,
                "note": f"{self.ctx.args.startup_runs} runs of each a round, interleaved; the round's "
                        f"medians are its ratio"}


class Wall(Row):
    """A command whose goal is its wall time (or its ratio to the start-up baseline)."""

    def __init__(self, ctx, name, argv, what, goal_s=None, goal_ratio=None, output=False):
        super().__init__(ctx)
        self.name, self.argv, self.what = name, argv, what
        self.goal_s, self.goal_ratio, self.output = goal_s, goal_ratio, output
        self.versus = "start-up baseline (median of 3 a round)" + ("" if goal_ratio else ", for context")
        self.goal = f"< {goal_s:g} s" if goal_s else f"ratio ≤ {goal_ratio:g}"

    def round(self, i: int) -> None:
        self.add("baseline", self.ctx.baseline())
        out = self.ctx.out / f"{self.name}.out"
        argv = [*self.argv, "--output", str(out)] if self.output else self.argv
        run = self.ctx.aicost(argv)
        self.add("aicost", run.wall_s)
        self.add("peak_mb", run.peak_mb)

    def result(self) -> dict:
        a, b = self.runs["aicost"], self.runs["baseline"]
        ratio = ratio_figures(a, b, [x / y for x, y in zip(a, b, strict=True)])
        met = spread(a)[0] < self.goal_s if self.goal_s else ratio["median"] <= self.goal_ratio
        return {"aicost_s": figures(a), "baseline_s": figures(b), "ratio": ratio, "met": met,
                "peak_mb": figures(self.runs["peak_mb"], 1),
                "note": f"peak memory {spread(self.runs['peak_mb'])[0]:,.0f} MiB"}


class SweepMemory(Row):
    name = "sweep-memory"
    what = "peak RSS of the volume sweep, 5M points"
    versus = "the same at 1M points"
    goal = "flat (5M/1M ≤ 1.2), < 500 MB"

    def round(self, i: int) -> None:
        for n in (1_000_000, 5_000_000):
            run = self.ctx.aicost([*SWEEP, "--vary", f"{VOLUME}=1000:1e9:{n}:log"])
            self.add(f"peak_{n}", run.peak_mb)
            self.add(f"wall_{n}", run.wall_s)

    def result(self) -> dict:
        small, big = self.runs["peak_1000000"], self.runs["peak_5000000"]
        ratio = ratio_figures(big, small, [x / y for x, y in zip(big, small, strict=True)])
        mib = 1e6 / 2**20  # the goal's 500 MB, in MiB
        return {"aicost_mb": figures(big, 1), "baseline_mb": figures(small, 1), "ratio": ratio,
                "met": ratio["median"] <= 1.2 and max(big + small) < 500 * mib,
                "wall_s": {"1M": figures(self.runs["wall_1000000"]), "5M": figures(self.runs["wall_5000000"])},
                "note": f"MiB; wall {spread(self.runs['wall_1000000'])[0]:.1f} s at 1M, "
                        f"{spread(self.runs['wall_5000000'])[0]:.1f} s at 5M"}


class Allocate(Row):
    """``aicost allocate LOG --by team,feature -f json`` against each selected baseline, in one
    loop: the aicost run of a round serves every allocate row of that round."""

    BASELINES: ClassVar[dict[str, tuple]] = {
        "allocate-pandas": ('`python -c "import pandas; pandas.read_csv(LOG)"`', "ratio ≤ 1.3", 1.3, None),
        "allocate-duckdb": ("DuckDB (2 threads), the same work in one query", "ratio ≤ 1.1", 1.1, "duckdb"),
        "allocate-polars": ("polars (2 threads), `scan_csv().group_by().agg()`, the same work", "ratio ≤ 1.1", 1.1,
                            "polars"),
        "genai-prices": ("genai-prices `calc_price` per row on a sample, extrapolated", "≥ 100x faster", 100,
                         "genai_prices"),
    }

    def __init__(self, ctx, names: list[str]):
        super().__init__(ctx)
        self.name = "allocate"
        self.names = names
        self.skipped: dict[str, str] = {}

    def setup(self) -> None:
        for n in self.names:
            pkg = self.BASELINES[n][3]
            if pkg and importlib.util.find_spec(pkg) is None:
                pip = pkg.replace("_", "-")
                self.skipped[n] = f"skipped: {pip} is not installed (pip install {pip})"
                print(f"{n}: {self.skipped[n]}", file=sys.stderr)
        self.active = [n for n in self.names if n not in self.skipped]
        if not self.active:
            return
        log = self.ctx.log
        with open(log, "rb") as fh:  # into the page cache, for the first command as for the rest
            while fh.read(1 << 24):
                pass
        if {"allocate-duckdb", "allocate-polars"} & set(self.active):
            from engines import price_table

            self.prices = self.ctx.out / "prices.json"
            self.prices.write_text(json.dumps(price_table([(p, m) for p, m, _ in MODELS])))
        self.ctx.aicost(["allocate", str(log), "--by", "team,feature", "-f", "json"])  # the price book's cache

    def _aicost(self) -> None:
        out = self.ctx.out / "allocate.json"
        run = self.ctx.aicost(["allocate", str(self.ctx.log), "--by", "team,feature", "-f", "json"], stdout=out)
        self.add("aicost", run.wall_s)
        self.add("peak_mb", run.peak_mb)
        self.total = json.loads(out.read_text())["totals"]["total"]

    def _baseline(self, n: str) -> None:
        log, out, threads = str(self.ctx.log), self.ctx.out / f"{n}.json", str(self.ctx.args.threads)
        if n == "allocate-pandas":
            run = self.ctx.child([PY, "-c", f"import pandas; pandas.read_csv({log!r})"])
        elif n in ("allocate-duckdb", "allocate-polars"):
            engine = n.split("-")[1]
            run = self.ctx.child([PY, ENGINES, engine, "allocate", log, "--out", str(out), "--prices",
                                  str(self.prices), "--threads", threads],
                                 **({"POLARS_MAX_THREADS": threads} if engine == "polars" else {}))
            self.add(f"{n}_total", json.loads(out.read_text())["total"])
        else:
            t, priced = per_row_child(self.ctx.log, self.ctx.args.sample)
            self.add(f"{n}_sample_s", t)
            self.add(f"{n}_priced", priced)
            self.add(n, t / self.ctx.args.sample * self.ctx.args.rows)
            return
        self.add(n, run.wall_s)
        self.add(f"{n}_peak_mb", run.peak_mb)

    def round(self, i: int) -> None:
        if not self.active:
            return
        steps = ["aicost", *self.active]
        k = i % len(steps)  # turn the order each round: no side always runs first
        for s in steps[k:] + steps[:k]:
            if s == "aicost":
                self._aicost()
            else:
                self._baseline(s)
        self.add("aicost_total", self.total)

    def results(self) -> dict[str, dict]:
        res = {}
        for n in self.names:
            versus, goal, bound, _ = self.BASELINES[n]
            row = {"what": "`aicost allocate LOG --by team,feature -f json`", "versus": versus, "goal": goal}
            if n in self.skipped:
                res[n] = {**row, "skipped": self.skipped[n]}
                continue
            a, b = self.runs["aicost"], self.runs[n]
            if n == "genai-prices":
                row["what"] = "`aicost allocate`, per row"
                ratio = ratio_figures(b, a, [y / x for x, y in zip(a, b, strict=True)])
                met = ratio["median"] >= bound
                per = spread(self.runs[f"{n}_sample_s"])[0] / self.ctx.args.sample
                note = (f"calc_price {per * 1e6:.0f} µs a row on {self.ctx.args.sample:,} rows, "
                        f"extrapolated to {self.ctx.args.rows:,}; aicost {spread(a)[0] / self.ctx.args.rows * 1e9:.0f} "
                        f"ns a row; ratio is how many times faster aicost is")
            else:
                ratio = ratio_figures(a, b, [x / y for x, y in zip(a, b, strict=True)])
                met = ratio["median"] <= bound
                note = f"aicost peak {spread(self.runs['peak_mb'])[0]:,.0f} MiB; baseline peak " \
                       f"{spread(self.runs[f'{n}_peak_mb'])[0]:,.0f} MiB"
                if f"{n}_total" in self.runs:
                    diff = max(abs(t - u) for t, u in zip(self.runs[f"{n}_total"], self.runs["aicost_total"],
                                                           strict=True))
                    note += f"; its total {self.runs[f'{n}_total'][0]:,.2f} vs aicost's " \
                            f"{self.runs['aicost_total'][0]:,.2f} (differ by {diff:.2g})"
            res[n] = {**row, "aicost_s": figures(a), "baseline_s": figures(b), "ratio": ratio, "met": met,
                      "note": note}
        return res


ORDER = ["startup", "sweep-volume", "sweep-hit-rate", "sweep-2d", "sweep-memory", "monte-carlo", "gpu",
         "allocate-pandas", "allocate-duckdb", "allocate-polars", "genai-prices"]


def make_rows(ctx: Context, names: list[str]) -> list[Row]:
    rows: list[Row] = []
    walls = {
        "sweep-volume": ([*SWEEP, "--vary", f"{VOLUME}=1000:1e9:1000000:log"],
                         "`aicost sweep support-assistant --vary volume.tasks_per_month=1000:1e9:1000000:log`", 2.0),
        "sweep-hit-rate": ([*SWEEP, "--vary", "caching.hit_rate=0:1:1000000"],
                           "the same, `--vary caching.hit_rate=0:1:1000000`", 2.0),
        "sweep-2d": ([*SWEEP, "--vary", f"{VOLUME}=1000:1e9:1000:log", "--vary", "caching.hit_rate=0:1:1000"],
                     "the same, `--vary volume...=1000:1e9:1000:log --vary caching.hit_rate=0:1:1000`", 3.0),
    }
    for n in names:
        if n == "startup":
            rows.append(Startup(ctx))
        elif n in walls:
            argv, what, goal = walls[n]
            rows.append(Wall(ctx, n, argv, what, goal_s=goal, output=True))
        elif n == "sweep-memory":
            rows.append(SweepMemory(ctx))
        elif n == "monte-carlo":
            rows.append(Wall(ctx, n, ["compare", "nightly-extraction", "--samples", "100000", "-f", "json"],
                             "`aicost compare nightly-extraction --samples 100000 -f json`", goal_s=1.0))
        elif n == "gpu":
            rows.append(Wall(ctx, n, ["gpu", "self-hosted-wins"], "`aicost gpu self-hosted-wins`", goal_ratio=2.0))
    allocs = [n for n in names if n in Allocate.BASELINES]
    if allocs:
        rows.append(Allocate(ctx, allocs))
    return rows


def _range(f: dict, unit: str = "s", fmt: str = "{:.2f}") -> str:
    return f"{fmt.format(f['median'])} {unit} ({fmt.format(f['min'])}–{fmt.format(f['max'])})".replace(" ()", "")


def table(results: dict[str, dict]) -> str:
    lines = [("| row | what is timed | aicost: median (range) | baseline | baseline: median (range) | "
              "ratio of medians (rounds' range) | goal | met |"),
             "|---|---|---|---|---|---|---|---|"]
    for name, r in results.items():
        if "skipped" in r:
            lines.append(f"| {name} | {r['what']} | — | {r['versus']} | — | — | {r['goal']} | {r['skipped']} |")
            continue
        if "aicost_mb" in r:
            a, b = _range(r["aicost_mb"], "MiB", "{:,.0f}"), _range(r["baseline_mb"], "MiB", "{:,.0f}")
        else:
            a, b = _range(r["aicost_s"]), _range(r["baseline_s"])
        q = r["ratio"]
        ratio = f"{q['median']:,.2f}x ({q['min']:,.2f}–{q['max']:,.2f})"
        lines.append(f"| {name} | {r['what']} | **{a}** | {r['versus']} | {b} | **{ratio}** | {r['goal']} | "
                     f"{'yes' if r['met'] else '**no**'} |")
    notes = [f"- {name}: {r['note']}" for name, r in results.items() if r.get("note")]
    return "\n".join([*lines, "", *notes])


def machine() -> dict:
    from importlib import metadata

    versions = {}
    for p in ("numpy", "pandas", "pyarrow", "typer", "pydantic", "duckdb", "polars", "genai-prices"):
        try:
            versions[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            versions[p] = None

    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "commit": git("rev-parse", "HEAD"),
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no")), "python": platform.python_version(),
            "cpus": os.cpu_count(), "platform": platform.platform(), "versions": versions,
            "load_average_start": [round(x, 2) for x in os.getloadavg()]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog="rows: " + ", ".join(ORDER))
    ap.add_argument("--rounds", type=int, default=3, help="rounds (each row once a round); at least 3 for a median")
    ap.add_argument("--only", help="these rows, comma-separated (default: all)")
    ap.add_argument("--rows", type=int, default=10_000_000, help="rows of the allocate log (default 10,000,000)")
    ap.add_argument("--json", type=Path, metavar="FILE", help="save every figure and run as JSON")
    ap.add_argument("--data", type=Path, default=Path("/tmp/aicost-bench"), help="where the log and outputs go")
    ap.add_argument("--startup-runs", type=int, default=11, help="start-up: runs of each command a round")
    ap.add_argument("--sample", type=int, default=20_000, help="genai-prices: rows priced one by one a round")
    ap.add_argument("--threads", type=int, default=2, help="DuckDB's and polars' threads")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds a child may run")
    args = ap.parse_args()
    names = ORDER if not args.only else [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in ORDER]
    if unknown:
        ap.error(f"unknown row(s) {', '.join(unknown)}; rows: {', '.join(ORDER)}")
    names = [n for n in ORDER if n in names]

    info = machine()
    ctx = Context(args)
    rows = make_rows(ctx, names)
    started = time.perf_counter()

    def say(msg: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f} s] {msg}", file=sys.stderr, flush=True)

    for row in rows:
        say(f"setting up {row.name}")
        row.setup()
    for i in range(args.rounds):
        for row in rows:
            say(f"round {i + 1}/{args.rounds}: {row.name}")
            row.round(i)

    results: dict[str, dict] = {}
    for row in rows:
        if isinstance(row, Allocate):
            results.update(row.results())
        else:
            results[row.name] = {"what": row.what, "versus": row.versus, "goal": row.goal, **row.result()}
    results = {n: results[n] for n in ORDER if n in results}
    info["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    info["seconds"] = round(time.perf_counter() - started, 1)

    print(f"aicost benchmarks, {info['date']}, commit {info['commit'][:10]}{' (+ changes)' if info['dirty'] else ''}; "
          f"Python {info['python']}, {info['cpus']} CPUs; {args.rounds} rounds; allocate log {args.rows:,} rows; "
          f"load average {info['load_average_start'][0]} at the start, {info['load_average_end'][0]} at the end; "
          f"{info['seconds']:.0f} s in all")
    print()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps({"machine": info, "args": {k: str(v) for k, v in vars(args).items()},
                                         "rows": results}, indent=2, ensure_ascii=False) + "\n")
        print(f"\nsaved to {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
