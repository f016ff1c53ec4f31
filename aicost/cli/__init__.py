"""The ``aicost`` command: parse options, call the library, render, map errors to exit codes.

Exit codes: 0 ok · 1 a budget is exceeded · 2 bad input or usage · 3 internal error.
"""


import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer

from aicost import __version__
from aicost.base.errors import AicostError, InputError

app = typer.Typer(
    name="aicost",
    help="What each successful outcome of an AI workload really costs, under every way of running it.\n\n"
         "Example:\n\n\b\n  aicost compare scenarios/support-assistant.yaml --top 5",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_OK, EXIT_BUDGET, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def _stderr(text: str) -> None:
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


def guarded(fn: Callable[[], int | None], json_errors: bool = False) -> None:
    """Run a command body; report problems once, on stderr, and exit with the right code."""
    try:
        code = fn() or EXIT_OK
    except InputError as exc:
        for p in exc.problems:
            _stderr(str(p))
        n = len(exc.problems)
        _stderr(f"aicost: {n} problem{'s' if n != 1 else ''} found; nothing was computed or written")
        if json_errors:
            from aicost.report.json import dumps

            sys.stdout.write(dumps({"version": "1", "errors": [p.as_dict() for p in exc.problems]}))
        raise typer.Exit(EXIT_INPUT) from None
    except AicostError as exc:
        _stderr(f"aicost: {exc}")
        raise typer.Exit(exc.exit_code) from None
    except (typer.Exit, KeyboardInterrupt):
        raise
    except Exception as exc:  # an internal error: say so plainly, traceback only on request
        if os.environ.get("AICOST_DEBUG"):
            raise
        _stderr(f"aicost: internal error: {type(exc).__name__}: {exc}\n"
                "Please report it; set AICOST_DEBUG=1 to see the traceback.")
        raise typer.Exit(EXIT_INTERNAL) from None
    raise typer.Exit(code)


def emit(text: str, output: Path | None) -> None:
    """Results to stdout, or atomically to a file."""
    if output is None:
        sys.stdout.write(text)
        return
    from aicost.base.files import write_atomic

    write_atomic(output, text)
    _stderr(f"aicost: wrote {output}")


def _color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _width() -> int:
    try:
        return max(100, int(os.environ.get("COLUMNS", "")))
    except ValueError:
        return 160 if not sys.stdout.isatty() else max(100, os.get_terminal_size().columns)


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of: expected a date as YYYY-MM-DD, got {text!r}") from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"aicost {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """What each successful outcome of an AI workload really costs, under every way of running it.

    Example:

    \b
      aicost compare scenarios/support-assistant.yaml --top 5
    """


# ---- shared options ---------------------------------------------------------------------
PricingOpt = Annotated[list[Path], typer.Option("--pricing", metavar="DIR", help="Extra pricing directory or file, layered over "
                                                "the bundled tables (repeatable; later wins).")]
SetOpt = Annotated[list[str], typer.Option("--set", "-s", metavar="FIELD=VALUE", help="Override a scenario field: FIELD=VALUE, or "
                                           "relative: FIELD=*3, FIELD=+10%, FIELD=-=500 (repeatable).")]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help="Price with the rates in force on this date "
                                                "(YYYY-MM-DD; default today).")]
MaxAgeOpt = Annotated[Optional[str], typer.Option("--max-price-age", metavar="DAYS", help="Warn when a price in "
                                                  "use was checked more than DAYS before the pricing date (default "
                                                  "90, or $AICOST_MAX_PRICE_AGE; 'off' to disable).")]


def _max_age(text: str | None) -> int | None:
    text = text if text is not None else os.environ.get("AICOST_MAX_PRICE_AGE", "90")
    if text.strip().lower() in ("off", "none", "never"):
        return None
    try:
        days = int(text.strip().lower().removesuffix("d"))
        if days < 0:
            raise ValueError
        return days
    except ValueError:
        raise InputError(f"--max-price-age: expected a number of days such as 90 or 90d, got {text!r}") from None


class progress_bar:
    """A progress bar on stderr for long work (only on a terminal, and only when there is work)."""

    def __init__(self, total: int | None, label: str):
        self.total, self.label, self.bar = total, label, None

    def __enter__(self):
        if self.total and self.total >= 20000 and sys.stderr.isatty():
            from rich.progress import Progress

            self.bar = Progress(transient=True, console=__import__("rich.console").console.Console(stderr=True))
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=self.total)
        return self.advance

    def advance(self, done: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, completed=done % self.total or self.total)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False


def warn(messages) -> None:
    for m in messages:
        _stderr(f"aicost: warning: {m}")


OutputOpt = Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Write to this file (atomically) "
                                                   "instead of stdout.")]


@app.command()
def compare(
    scenarios: Annotated[Optional[list[str]], typer.Argument(
        metavar="SCENARIO", help="Scenario files, or names of bundled scenarios (default: support-assistant).",
        show_default=False)] = None,
    pricing: PricingOpt = [],
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="table, json, csv or markdown.")] = "table",
    sets: SetOpt = [],
    top: Annotated[Optional[int], typer.Option("--top", min=1, metavar="N", help="Show only the N best options per scenario.")] = None,
    tier: Annotated[list[str], typer.Option("--tier", metavar="TIER", help="Only this tier: standard, batch, flex, priority "
                                            "(repeatable).")] = [],
    provider: Annotated[list[str], typer.Option("--provider", metavar="PROVIDER", help="Only this provider, e.g. openai, azure "
                                                "(repeatable).")] = [],
    as_of: AsOfOpt = None,
    max_price_age: MaxAgeOpt = None,
    samples: Annotated[Optional[int], typer.Option("--samples", min=1, metavar="N", help="Sample the scenario's "
                                                   "ranged inputs N times: P10/P50/P90 and the chance each option "
                                                   "is the cheapest.")] = None,
    seed: Annotated[int, typer.Option("--seed", metavar="S", help="Random seed for --samples (same seed, "
                                      "same output).")] = 0,
    output: OutputOpt = None,
    csv_raw: Annotated[bool, typer.Option("--csv-raw", help="CSV without the spreadsheet formula guard.")] = False,
) -> None:
    """Rank every way of running a workload by cost per successful outcome.

    Each model on each tier it offers (Standard, Batch, Flex, Priority), with and without
    prompt caching; options that do not fit the workload stay listed with the reason.

    Example:

    \b
      aicost compare scenarios/support-assistant.yaml --top 5
      aicost compare nightly-extraction --set volume.tasks_per_month=*3 --format json
    """
    from aicost.report import Format

    def body():
        if fmt not in Format.__members__:
            raise InputError(f"--format: expected one of {', '.join(Format.__members__)}, got {fmt!r}")
        bad = [t for t in tier if t not in ("standard", "batch", "flex", "priority")]
        if bad:
            raise InputError(f"--tier: unknown tier {bad[0]!r} (expected standard, batch, flex or priority)")
        from aicost.analyses.compare import run
        from aicost.report import render

        with progress_bar(samples, "sampling") as advance:
            result = run(scenarios or None, pricing=pricing, sets=sets, as_of=_as_of(as_of), tiers=tier or None,
                         providers=provider or None, top=top, max_price_age=_max_age(max_price_age),
                         samples=samples, seed=seed, progress=advance)
        warn(w for s in result.scenarios for w in s.warnings)
        emit(render(result, fmt, width=_width(), color=_color() and output is None, raw=csv_raw), output)

    guarded(body, json_errors=(fmt == "json"))


@app.command()
def gpu(
    scenario: Annotated[str, typer.Argument(metavar="SCENARIO", help="A scenario file or bundled name with a "
                                            "self_hosted: section.")],
    pricing: PricingOpt = [],
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="table, json, csv or markdown.")] = "table",
    sets: SetOpt = [],
    as_of: AsOfOpt = None,
    max_price_age: MaxAgeOpt = None,
    output: OutputOpt = None,
    no_breakeven: Annotated[bool, typer.Option("--no-breakeven", help="Skip the break-even volumes.")] = False,
) -> None:
    """Serving open models on rented A100/H100s: fleet, utilisation, cost per 1M output tokens,
    cost per success, and the monthly volume from which each beats the cheapest hosted option
    (and that option's Batch and Flex tiers, where the latency need allows them).

    Example:

    \b
      aicost gpu self-hosted-wins
      aicost gpu self-hosted-loses --format json
    """
    def body():
        _check_format(fmt)
        from aicost.inputs import scenario as scenario_mod
        from aicost.analyses.gpu import gpu_report, rows, to_dict
        from aicost.inputs.pricebook import PriceBook

        book = PriceBook.load(pricing)
        ls = scenario_mod.load(scenario, book, sets)
        report = gpu_report(ls, book, _as_of(as_of), _max_age(max_price_age), breakeven=not no_breakeven)
        warn(report["scenario"].warnings)
        if fmt == "json":
            from aicost.report.json import dumps
            from aicost.results.compare import RESULT_VERSION

            emit(dumps({"version": RESULT_VERSION, "kind": "gpu", "currency": book.currency,
                        "scenarios": [to_dict(report, book.currency)]}), output)
        elif fmt in ("csv", "markdown"):
            from aicost.report.rows import render as render_rows

            emit(render_rows(rows(report), fmt, raw=False), output)
        else:
            from aicost.report.gpu import render_gpu

            emit(render_gpu(report, book.currency), output)

    guarded(body, json_errors=(fmt == "json"))


METRIC_LABELS = {"cost_per_success": "cost per successful outcome", "monthly_cost": "monthly cost", "roi": "ROI"}


@app.command()
def sensitivity(
    scenario: Annotated[str, typer.Argument(metavar="SCENARIO", help="A scenario file or bundled name with "
                                            "ranged inputs.")],
    option: Annotated[Optional[str], typer.Option("--option", metavar="ID", help="The option to study (default: "
                                                  "the cheapest per success at the likely values).")] = None,
    metric: Annotated[str, typer.Option("--metric", metavar="METRIC", help="cost_per_success, monthly_cost or "
                                        "roi.")] = "cost_per_success",
    pricing: PricingOpt = [],
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="table, json, csv or markdown.")] = "table",
    sets: SetOpt = [],
    as_of: AsOfOpt = None,
    chart: Annotated[Optional[Path], typer.Option("--chart", metavar="FILE", help="Also draw a tornado chart "
                                                  "(.png or .svg; needs pip install 'aicost[plot]').")] = None,
    output: OutputOpt = None,
) -> None:
    """Which uncertain inputs move the result most: each ranged input at its low and its high,
    the others at their likely values (a tornado table), largest swing first.

    Example:

    \b
      aicost sensitivity nightly-extraction
      aicost sensitivity nightly-extraction --metric monthly_cost --chart tornado.png
    """
    def body():
        _check_format(fmt)
        if metric not in METRIC_LABELS:
            raise InputError(f"--metric: expected one of {', '.join(METRIC_LABELS)}, got {metric!r}")
        if chart is not None:
            from aicost.report.charts import check_path

            check_path(chart)
        from aicost.analyses.sensitivity import report
        from aicost.inputs.pricebook import PriceBook
        from aicost.report.rows import render as render_rows

        book = PriceBook.load(pricing)
        rep = report(scenario, book, sets, option, metric, _as_of(as_of))
        cols = ("field", "dist", "low", "likely", "high", "metric_at_low", "metric_at_likely", "metric_at_high",
                "swing")
        if fmt == "table":
            _stderr(f"aicost: {rep['option']} · {METRIC_LABELS[metric]} at the likely values: {rep['base']:.6g}")
        emit(render_rows(rep["rows"], fmt, cols, kind="sensitivity", right=set(cols) - {"field", "dist"},
                         extra={"scenario": rep["scenario"], "option": rep["option"], "metric": metric}), output)
        if chart is not None:
            from aicost.report.charts import tornado

            unit = "" if metric == "roi" else f" ({book.currency})"
            tornado(rep["rows"], f"{rep['scenario']}: {rep['option']}", METRIC_LABELS[metric] + unit, chart)
            _stderr(f"aicost: wrote {chart}")

    guarded(body, json_errors=(fmt == "json"))


def _unit(metric: str, currency: str) -> str:
    return "ROI" if metric == "roi" else f"{metric.replace('_', ' ')} ({currency})"


@app.command()
def sweep(
    scenario: Annotated[str, typer.Argument(metavar="SCENARIO", help="A scenario file or bundled name.")],
    vary: Annotated[list[str], typer.Option("--vary", metavar="FIELD=START:STOP[:STEPS][:log]",
                                            help="The field to vary and its range (repeat once for a grid).")],
    metric: Annotated[str, typer.Option("--metric", metavar="METRIC", help="cost_per_success (default), "
                                        "cost_per_resolved_task, monthly_cost, roi, net_monthly or "
                                        "cost_per_attempt.")] = "cost_per_success",
    top: Annotated[int, typer.Option("--top", min=1, metavar="N", help="Options shown besides the winners.")] = 8,
    pricing: PricingOpt = [],
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="table, csv or json.")] = "table",
    sets: SetOpt = [],
    as_of: AsOfOpt = None,
    chart: Annotated[Optional[Path], typer.Option("--chart", metavar="FILE", help="Draw the sweep (.png or "
                                                  ".svg; needs pip install 'aicost[plot]').")] = None,
    output: OutputOpt = None,
    csv_raw: Annotated[bool, typer.Option("--csv-raw", help="CSV without the spreadsheet formula guard.")] = False,
) -> None:
    """Vary one field (or two, a grid) over a range: every option's cost per success (or another
    metric) at every point, and the winner, with the points where it changes marked.

    Example:

    \b
      aicost sweep support-assistant --vary volume.tasks_per_month=1000:10000000:61:log
      aicost sweep research-agent --vary models.gpt-5.4.p_success=0.3:0.9 --vary caching.hit_rate=0:1:6
    """
    def body():
        _check_format(fmt, ("table", "csv", "json"))
        if chart is not None:
            from aicost.report.charts import check_path

            check_path(chart)
        from aicost.inputs.pricebook import PriceBook
        from aicost.report import whatif as view
        from aicost.analyses.whatif import sweep_report

        book = PriceBook.load(pricing)
        n_points = 1
        for v in vary:
            parts = v.partition("=")[2].split(":")
            n_points *= int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 11
        with progress_bar(n_points if n_points >= 200000 else None, "sweeping") as advance:
            rep = sweep_report(scenario, book, vary, sets, metric, top, _as_of(as_of), progress=advance)
        if fmt == "csv":
            text = view.sweep_csv(rep, raw=csv_raw)
        elif fmt == "json":
            text = view.sweep_json(rep)
        else:
            text = view.sweep_table(rep) + (view.terminal_chart(rep) if chart is None else "")
        emit(text, output)
        if chart is not None:
            _sweep_chart(rep, chart)

    guarded(body, json_errors=(fmt == "json"))


def _sweep_chart(rep: dict, path: Path):
    from aicost.report.charts import lines
    from aicost.report.whatif import fmt_x as view_x

    if len(rep["fields"]) != 1:
        raise InputError("--chart draws one-field sweeps")
    import numpy as np

    x, w = rep["x"][0], rep["winner"]
    changes = np.nonzero((w[1:] != w[:-1]) & (w[1:] >= 0) & (w[:-1] >= 0))[0] + 1
    # a long sweep is drawn through 4,000 of its points plus both sides of every change of winner
    keep = np.unique(np.concatenate([np.linspace(0, x.size - 1, min(x.size, 4000)).round().astype(int),
                                     changes, changes - 1]))
    series = [(rep["ids"][i], rep["values"][k][keep]) for k, i in enumerate(rep["shown"])]
    marks = [(x[j], rep["winner_value"][j], f"winner changes at {view_x(x[j])}") for j in changes.tolist()]
    x = x[keep]
    f = rep["fields"][0]
    fig = lines(x, series, f["field"], _unit(rep["metric"], rep["currency"]), f["log"], marks, rep["scenario"],
                path)
    _stderr(f"aicost: wrote {path}")
    return fig


@app.command()
def breakeven(
    scenario: Annotated[str, typer.Argument(metavar="SCENARIO", help="A scenario file or bundled name.")],
    vary: Annotated[str, typer.Option("--vary", metavar="FIELD[=START:STOP[:log]]", help="The field to move, "
                                      "and the range to search (default: around its value, or 0..1 for a "
                                      "probability).")],
    between: Annotated[Optional[list[str]], typer.Option("--between", metavar="OPTION", help="Two option ids "
                                                         "(give --between twice); default: the current winner "
                                                         "against every other option.")] = None,
    metric: Annotated[str, typer.Option("--metric", metavar="METRIC", help="cost_per_success (default), "
                                        "cost_per_resolved_task, monthly_cost or cost_per_attempt.")] =
    "cost_per_success",
    pricing: PricingOpt = [],
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="table or json.")] = "table",
    sets: SetOpt = [],
    as_of: AsOfOpt = None,
    chart: Annotated[Optional[Path], typer.Option("--chart", metavar="FILE", help="Draw the options and the "
                                                  "crossings (.png or .svg).")] = None,
    output: OutputOpt = None,
) -> None:
    """The value of a field at which two options cost the same per success (or where the current
    winner is overtaken), found by root finding on the engine to a relative 1e-9.

    Example:

    \b
      aicost breakeven triage-cascade --vary models.gpt-5-mini.p_success=0.5:0.99
      aicost breakeven self-hosted-wins --vary volume.tasks_per_month=1e6:1e9:log \\
          --between openai/gpt-5-nano:batch --between gpu/llama-3.1-8b:h100-sxm:runpod/h100-sxm-80gb-community-cloud:on-demand:autoscaled
    """
    def body():
        _check_format(fmt, ("table", "json"))
        if metric not in ("cost_per_success", "cost_per_resolved_task", "monthly_cost", "cost_per_attempt"):
            raise InputError(f"--metric: expected cost_per_success, cost_per_resolved_task, monthly_cost or "
                             f"cost_per_attempt, got {metric!r}")
        if chart is not None:
            from aicost.report.charts import check_path

            check_path(chart)
        from aicost.inputs.pricebook import PriceBook
        from aicost.report import whatif as view
        from aicost.analyses.whatif import breakeven_report

        book = PriceBook.load(pricing)
        rep = breakeven_report(scenario, book, vary, between, sets, metric, _as_of(as_of))
        emit(view.breakeven_json(rep) if fmt == "json" else view.breakeven_table(rep), output)
        if chart is not None:
            _breakeven_chart(rep, chart)

    guarded(body, json_errors=(fmt == "json"))


def _breakeven_chart(rep: dict, path: Path):
    import copy

    import numpy as np

    from aicost.engine.roots import grid
    from aicost.report.charts import lines
    from aicost.engine.evaluate import evaluate
    from aicost.inputs.overrides import set_path
    from aicost.report.whatif import fmt_x as view_x

    ids = rep["ids"]
    involved = []
    for p in rep["pairs"]:
        for oid in (p["a"], p["b"]):
            if oid not in involved:
                involved.append(oid)
    involved = involved[:8]
    x = grid(rep["start"], rep["stop"], 200, rep["log"])
    v = copy.deepcopy(rep["values"])
    set_path(v, rep["vary"].path, x)
    m = evaluate(rep["plan"].subset([ids.index(o) for o in involved]), v, meters=False)
    series = [(oid, m[rep["metric"]][k]) for k, oid in enumerate(involved)]
    marks = []
    for p in rep["pairs"]:
        for c in p["crossings"]:
            vv = copy.deepcopy(rep["values"])
            set_path(vv, rep["vary"].path, np.asarray([c["value"]]))
            y = evaluate(rep["plan"].subset([ids.index(p["a"])]), vv, meters=False)[rep["metric"]][0, 0]
            marks.append((c["value"], y, f"equal at {view_x(c['value'])}"))
    fig = lines(x, series, rep["field"], _unit(rep["metric"], rep["currency"]), rep["log"], marks, rep["scenario"],
                path)
    _stderr(f"aicost: wrote {path}")
    return fig


@app.command()
def check(
    paths: Annotated[Optional[list[str]], typer.Argument(metavar="PATH", help="Scenario files, directories "
                                                         "or globs (default: ./scenarios).")] = None,
    pricing: PricingOpt = [],
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="On stdout: table, json, markdown, "
                                     "github (workflow-command annotations) or junit.")] = "table",
    outputs: Annotated[list[str], typer.Option("--output", "-o", metavar="[FORMAT=]FILE", help="Also write a "
                                               "report to a file, e.g. junit=report.xml (repeatable; a bare FILE "
                                               "takes --format).")] = [],
    summary: Annotated[Optional[str], typer.Option("--summary", metavar="FORMAT", help="Append this report to "
                                                   "$GITHUB_STEP_SUMMARY (default markdown when it is set; 'none' "
                                                   "turns it off).")] = None,
    fail_on_warn: Annotated[bool, typer.Option("--fail-on-warn", help="Exit 1 on a warning too.")] = False,
    no_fail: Annotated[bool, typer.Option("--no-fail", help="Exit 0 on breaches and warnings (report only); bad input is still exit 2.")] = False,
    sets: SetOpt = [],
    as_of: AsOfOpt = None,
    samples: Annotated[int, typer.Option("--samples", min=100, metavar="N", help="Samples for budgets that state a "
                                         "percentile (scenarios with ranges).")] = 10_000,
    max_price_age: MaxAgeOpt = None,
    compare_to: Annotated[Optional[Path], typer.Option("--compare-to", metavar="BASE.json", help="A saved "
                                                       "'aicost check --format json' (from the main branch): report "
                                                       "each scenario's change and hold it to max_increase.")] = None,
) -> None:
    """Hold every scenario with a budget: block to its limits (a CI gate). Exit 0 all within
    budget, 1 a budget exceeded, 2 bad input or usage, 3 internal error.

    Example:

    \b
      aicost check scenarios/
      aicost check 'teams/**/*.yaml' --format github --output junit=aicost.xml --fail-on-warn
    """
    def body():
        from aicost.report import check as view

        formats = tuple(view.RENDER)
        _check_format(fmt, formats)
        files = []
        for o in outputs:
            kind, sep, target = o.partition("=")
            if not sep or kind not in formats:
                kind, target = fmt, o
            files.append((kind, Path(target)))
        summary_fmt = summary or ("markdown" if os.environ.get("GITHUB_STEP_SUMMARY") else "none")
        if summary_fmt not in formats + ("none",):
            raise InputError(f"--summary: expected one of {', '.join(formats)} or none, got {summary_fmt!r}")
        from aicost.analyses.check import run_checks
        from aicost.inputs.pricebook import PriceBook

        targets = paths or ["scenarios"]
        if not paths and not Path("scenarios").is_dir():
            raise InputError("give the scenario files or directories to check (there is no ./scenarios here)")
        book = PriceBook.load(pricing)
        report = run_checks(targets, book, sets, _as_of(as_of), samples, max_price_age=_max_age(max_price_age),
                            baseline=compare_to)
        code = report.exit_code(fail_on_warn, no_fail)
        for kind, target in files:  # files first, each written whole (atomically)
            emit(view.RENDER[kind](report, code), target)
        if summary_fmt != "none" and os.environ.get("GITHUB_STEP_SUMMARY"):
            with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as fh:
                fh.write(view.RENDER[summary_fmt](report, code))
        sys.stdout.write(view.RENDER[fmt](report, code))
        if fmt not in ("table", "github"):  # those two end with the summary line themselves
            _stderr(view.summary_line(report, code))
        return code

    guarded(body)


CsvRawOpt = Annotated[bool, typer.Option("--csv-raw", help="CSV without the spreadsheet formula guard (for "
                                         "machines: text cells starting with = + - @ keep no leading ').")]


def _month(text: str | None, what: str = "--period") -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text + "-01" if len(text) == 7 else text).replace(day=1)
    except ValueError:
        raise InputError(f"{what}: expected a month as YYYY-MM, got {text!r}") from None


@app.command()
def export(
    scenarios: Annotated[Optional[list[str]], typer.Argument(
        metavar="SCENARIO", help="Scenario files, or names of bundled scenarios (default: support-assistant).",
        show_default=False)] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="csv (a plain wide table) or "
                                     "focus (FinOps FOCUS 1.2 columns).")] = "csv",
    options: Annotated[str, typer.Option("--options", metavar="WHICH", help="chosen (the budget's option, else the "
                                         "best), all (every eligible option) or an option id.")] = "chosen",
    period: Annotated[Optional[str], typer.Option("--period", metavar="YYYY-MM", help="Billing month of the rows "
                                                  "(default: the month of the prices' date).")] = None,
    account: Annotated[str, typer.Option("--account", metavar="ID", help="BillingAccountId for the rows.")]
    = "aicost-forecast",
    focus_version: Annotated[str, typer.Option("--focus-version", metavar="V", help="1.2, or 1.3 to add "
                                               "ServiceProviderName and HostProviderName.")] = "1.2",
    pricing: PricingOpt = [],
    sets: SetOpt = [],
    as_of: AsOfOpt = None,
    output: OutputOpt = None,
    csv_raw: CsvRawOpt = False,
) -> None:
    """Monthly forecast rows for finance: one row per scenario, option and meter (input,
    cached input, cache writes, output, tool fees, GPU hours, review, human fallback, fixed),
    RFC 4180 UTF-8 CSV; the rows of an option sum to its monthly cost in the report.

    Example:

    \b
      aicost export support-assistant nightly-extraction --format focus --output forecast.csv
      aicost export triage-cascade --options all --period 2026-12
    """
    def body():
        _check_format(fmt, ("csv", "focus"))
        from aicost.analyses import export as exp

        result = exp.build(scenarios or None, pricing, sets, _as_of(as_of), options, _month(period), account,
                           focus_version)
        warn(result.skipped)
        emit(exp.render(result, fmt, raw=csv_raw), output)
        _stderr(f"aicost: {len(result.rows)} rows, {len(result.totals)} option(s), "
                f"{sum(result.totals.values()):,.2f} {result.currency} a month")

    guarded(body)


@app.command()
def allocate(
    usage: Annotated[list[Path], typer.Argument(metavar="USAGE", help="Usage logs: CSV, JSON Lines or Parquet files, "
                                                "or directories of them (partitions).", show_default=False)],
    by: Annotated[str, typer.Option("--by", metavar="TAGS", help="Tags to allocate to, comma-separated, "
                                    "e.g. team,feature.")] = "team",
    source: Annotated[str, typer.Option("--from", metavar="LAYOUT", help="Column layout: aicost (see docs/usage.md), "
                                        "openai, anthropic, litellm, or a mapping file (.yaml).")] = "aicost",
    shared: Annotated[Optional[Path], typer.Option("--shared", metavar="FILE", help="Shared costs to split over the "
                                                   "groups (a gateway, evals, a vector database, reserved GPUs).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="table, csv, json or focus.")] = "table",
    on_error: Annotated[str, typer.Option("--on-error", metavar="stop|skip", help="stop (exit 2, nothing written) or "
                                          "skip bad rows, counting them; with skip, unknown models go to the "
                                          "unpriced bucket.")] = "stop",
    engine: Annotated[str, typer.Option("--engine", metavar="local|dask", help="local (streamed in chunks) or dask "
                                        "(each partition file on a Dask worker; needs aicost[dask]).")] = "local",
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", metavar="ADDRESS", help="With --engine dask: a "
                                                     "running scheduler, e.g. tcp://10.0.0.5:8786 (default: a local "
                                                     "cluster).")] = None,
    focus_version: Annotated[str, typer.Option("--focus-version", metavar="V", help="1.2, or 1.3.")] = "1.2",
    account: Annotated[str, typer.Option("--account", metavar="ID", help="BillingAccountId for FOCUS rows.")]
    = "aicost-showback",
    pricing: PricingOpt = [],
    output: OutputOpt = None,
    csv_raw: CsvRawOpt = False,
) -> None:
    """Showback from real usage: price every row at the rates in force on its day, allocate
    the cost to teams, features or tenants from the tags, and split shared costs by a stated
    rule. Untagged cost goes to (unallocated); rows with no price to an unpriced bucket, never $0.

    Example:

    \b
      aicost allocate usage.csv --by team,feature --shared shared.yaml
      aicost allocate spend_logs.csv --from litellm --by team --format focus -o showback.csv
      aicost allocate logs/ --engine dask --format json
    """
    def body():
        _check_format(fmt, ("table", "csv", "json", "focus"))
        if on_error not in ("stop", "skip"):
            raise InputError(f"--on-error: expected stop or skip, got {on_error!r}")
        if engine not in ("local", "dask"):
            raise InputError(f"--engine: expected local or dask, got {engine!r}")
        if focus_version not in ("1.2", "1.3"):
            raise InputError(f"--focus-version: expected 1.2 or 1.3, got {focus_version!r}")
        keys = [k.strip() for k in by.split(",") if k.strip()]
        if not keys:
            raise InputError("--by: give at least one tag, e.g. --by team")
        from aicost.inputs.pricebook import PriceBook
        from aicost.usage import layouts, showback
        from aicost.usage.read import files_of

        layout = layouts.get(source)
        items = showback.load_shared(shared, keys) if shared is not None else []
        book = PriceBook.load(pricing)
        files = [f for p in usage for f in files_of(p)]
        total = sum(f.stat().st_size for f in files)
        with progress_bar(total if engine == "local" and total > (64 << 20) else None, "pricing usage") as advance:
            alloc = showback.run(files, layout, keys, book, items, on_error, engine, scheduler, progress=advance)
        from aicost.report import allocation as view

        if fmt == "json":
            text = view.render_json(alloc)
        elif fmt == "csv":
            text = view.render_csv(alloc, raw=csv_raw)
        elif fmt == "focus":
            text = view.render_focus(alloc, book, raw=csv_raw, account=account, version=focus_version)
        else:
            text = view.render_table(alloc)
        emit(text, output)
        t = alloc.totals
        if t["rows_skipped"]:
            _stderr(f"aicost: skipped {t['rows_skipped']:,} bad rows (--on-error skip)")
        if t["unpriced_rows"]:
            _stderr(f"aicost: warning: {t['unpriced_rows']:,} rows have no price (in the unpriced bucket, no cost "
                    f"counted{'; not in FOCUS rows' if fmt == 'focus' else ''})")

    guarded(body, json_errors=(fmt == "json"))


# ---- aicost pricing ------------------------------------------------------------------------
pricing_app = typer.Typer(help="Browse, check, compare and import the price tables.\n\nExample:\n\n\b\n"
                                "  aicost pricing list --provider openai --tier flex", no_args_is_help=True)
app.add_typer(pricing_app, name="pricing")

FormatOpt = Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="table, json, csv or markdown.")]
LIST_COLUMNS = ("provider", "model", "tier", "input", "cached_input", "cache_write", "cache_write_1h", "output",
                "long_context_above", "long_input", "long_output", "min_cache_tokens", "checked")
RATE_COLUMNS = {"input", "cached_input", "cache_write", "cache_write_1h", "output", "long_context_above",
                "long_input", "long_output", "min_cache_tokens", "old", "new", "change_pct"}


def _check_format(fmt: str, allowed=("table", "json", "csv", "markdown")) -> None:
    if fmt not in allowed:
        raise InputError(f"--format: expected one of {', '.join(allowed)}, got {fmt!r}")


@pricing_app.command("list")
def pricing_list(
    provider: Annotated[list[str], typer.Option("--provider", metavar="PROVIDER", help="Only this provider "
                                                "(repeatable).")] = [],
    tier: Annotated[list[str], typer.Option("--tier", metavar="TIER", help="Only this tier (repeatable).")] = [],
    feature: Annotated[list[str], typer.Option("--feature", metavar="FEATURE", help="Only models with this "
                                               "feature: caching, cache-writes, long-context, batch, flex, "
                                               "priority, deprecated (repeatable: all must hold).")] = [],
    model: Annotated[list[str], typer.Option("--model", metavar="MODEL", help="Only this model (repeatable).")] = [],
    pricing: PricingOpt = [],
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
    all_columns: Annotated[bool, typer.Option("--all", help="Every column: reasoning rate, context window, "
                                              "deprecation, source.")] = False,
) -> None:
    """List models with their tiers and rates (USD per 1M tokens).

    Example:

    \b
      aicost pricing list --provider anthropic --feature long-context
      aicost pricing list --tier flex --format csv --output flex-prices.csv
    """
    def body():
        _check_format(fmt)
        from aicost.analyses.pricing import list_rows
        from aicost.inputs.pricebook import PriceBook
        from aicost.report.rows import render as render_rows

        book = PriceBook.load(pricing)
        day = _as_of(as_of) or date.today()
        rows = list_rows(book, day, provider, tier, feature, model)
        cols = None if all_columns or fmt in ("json", "csv") else LIST_COLUMNS
        emit(render_rows(rows, fmt, cols, kind="prices", right=RATE_COLUMNS,
                         extra={"as_of": day.isoformat(), "currency": book.currency}), output)

    guarded(body, json_errors=(fmt == "json"))


@pricing_app.command("show")
def pricing_show(
    model: Annotated[str, typer.Argument(metavar="MODEL", help="A model name, alias or provider/model.")],
    pricing: PricingOpt = [],
    as_of: AsOfOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="table or json.")] = "table",
) -> None:
    """Show one model in full: every tier's rates with their sources and check dates.

    Example:

    \b
      aicost pricing show claude-sonnet-4-5
      aicost pricing show o3 --as-of 2025-05-01 --format json
    """
    def body():
        _check_format(fmt, ("table", "json"))
        from aicost.analyses.pricing import show
        from aicost.inputs.pricebook import PriceBook
        from aicost.report.pricing import render_show
        from aicost.report.rows import plain

        book = PriceBook.load(pricing)
        items = show(book, model, _as_of(as_of) or date.today())
        if fmt == "json":
            from aicost.report.json import dumps

            emit(dumps({"version": "1", "kind": "model", "currency": book.currency, "models": plain(items)}), None)
        else:
            emit(render_show(items, book.currency), None)

    guarded(body, json_errors=(fmt == "json"))


@pricing_app.command("validate")
def pricing_validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(metavar="PATH", help="Pricing directories or files "
                                                          "(default: the bundled tables).", show_default=False)] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="FORMAT", help="table or json.")] = "table",
    with_bundled: Annotated[bool, typer.Option("--with-bundled", help="Layer PATHs over the bundled tables "
                                               "(for override files that discount bundled models).")] = False,
) -> None:
    """Check pricing files: every problem as file:line: field: message; exit 2 if any.

    Paths are checked on their own, without the bundled tables (use --with-bundled to layer).

    Example:

    \b
      aicost pricing validate my-prices/
    """
    def body():
        _check_format(fmt, ("table", "json"))
        from aicost.inputs.pricebook import PriceBook

        book = PriceBook.load(paths or [], bundled=with_bundled or not paths)
        g = book.gpus  # read and check the GPU tables too
        n_prices = sum(len(e.spec.tiers) for e in book.models.values())
        files = sorted(book.files + g.files)
        summary = {"version": "1", "kind": "validation", "ok": True, "files": files,
                   "models": len(book.models), "tier_prices": n_prices, "gpu_types": len(g.gpus),
                   "gpu_offers": len(g.offers), "open_models": len(g.models), "serving_profiles": len(g.profiles)}
        if fmt == "json":
            from aicost.report.json import dumps

            emit(dumps(summary), None)
        else:
            emit(f"ok: {len(files)} files, {len(book.models)} models, {n_prices} tier prices; {len(g.gpus)} GPU "
                 f"types, {len(g.offers)} offers, {len(g.models)} open models, {len(g.profiles)} profiles\n", None)

    guarded(body, json_errors=(fmt == "json"))


@pricing_app.command("diff")
def pricing_diff(
    old: Annotated[str, typer.Argument(metavar="OLD", help="A pricing directory or file, or a date (YYYY-MM-DD) "
                                       "for the bundled tables as of that day.")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="The same, to compare against OLD.")],
    pricing: PricingOpt = [],
    fmt: FormatOpt = "table",
    output: OutputOpt = None,
) -> None:
    """What changed between two price tables, or between two dates of the same tables.

    Example:

    \b
      aicost pricing diff 2025-06-09 2025-06-10
      aicost pricing diff old-pricing/ pricing/ --format markdown
    """
    def body():
        _check_format(fmt)
        from aicost.analyses.pricing import diff, flat_rates
        from aicost.report.rows import render as render_rows

        rows = diff(_rates_at(old, pricing), _rates_at(new, pricing))
        emit(render_rows(rows, fmt, ("change", "provider", "model", "tier", "context", "rate", "old", "new",
                                     "change_pct"), kind="price-diff", right=RATE_COLUMNS,
                         extra={"old": old, "new": new}), output)
        if not rows:
            _stderr("aicost: no differences")

    guarded(body, json_errors=(fmt == "json"))


def _rates_at(spec: str, pricing: list[Path]):
    from aicost.analyses.pricing import flat_rates
    from aicost.inputs.pricebook import PriceBook

    try:
        day = date.fromisoformat(spec)
    except ValueError:
        return flat_rates(PriceBook.load([spec], bundled=False), date.today())
    return flat_rates(PriceBook.load(pricing), day)


@pricing_app.command("schema")
def pricing_schema(
    which: Annotated[str, typer.Argument(metavar="KIND", help="pricing, gpus or scenario.")] = "pricing",
    output: OutputOpt = None,
) -> None:
    """Print the JSON Schema of pricing tables or scenario files (for editors and CI).

    Example:

    \b
      aicost pricing schema scenario --output scenario.schema.json
    """
    def body():
        from aicost.inputs.schema import dumps, schemas

        all_ = schemas()
        if which not in all_:
            raise InputError(f"expected one of {', '.join(all_)}, got {which!r}")
        emit(dumps(all_[which]), output)

    guarded(body)


@pricing_app.command("import")
def pricing_import(
    source: Annotated[str, typer.Argument(metavar="FORMAT", help="litellm or genai-prices.")],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="LiteLLM's model_prices_and_context_window.json, or "
                                         "genai-prices' data.json or a provider .yml (a local copy).")],
    provider: Annotated[list[str], typer.Option("--provider", metavar="PROVIDER", help="Only this provider "
                                                "(repeatable).")] = [],
    model: Annotated[list[str], typer.Option("--model", metavar="MODEL", help="Only this model (repeatable).")] = [],
    checked: Annotated[Optional[str], typer.Option("--checked", metavar="DATE", help="Check date to record "
                                                   "(default today; genai-prices' own prices_checked wins).")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="DIR", help="Write one PROVIDER.yaml "
                                                   "per provider here (default: stdout, one provider).")] = None,
) -> None:
    """Convert LiteLLM or genai-prices price data into aicost pricing tables.

    Every price keeps its source (the file and entry) and a check date. The tables are
    validated before anything is written.

    Example:

    \b
      aicost pricing import litellm model_prices_and_context_window.json --provider openai -o my-prices/
      aicost pricing import genai-prices data.json --provider anthropic
    """
    def body():
        from aicost.inputs.importers import convert

        texts = convert(source, file, provider, model, _as_of(checked))
        if output is None:
            if len(texts) != 1:
                raise InputError(f"{len(texts)} providers found ({', '.join(texts)}): give --output DIR, or "
                                 "--provider to pick one")
            emit(next(iter(texts.values())), None)
            return
        from aicost.base.files import write_atomic

        if not output.is_dir():
            raise InputError(f"--output: {output} is not a directory")
        for prov, text in texts.items():
            write_atomic(output / f"{prov}.yaml", text)
        _stderr(f"aicost: wrote {len(texts)} file(s) to {output}: {', '.join(f'{p}.yaml' for p in texts)}")

    guarded(body)


def main() -> None:
    """The console script. A top-level command runs on its own, without building every other
    command's options first (click's "lazy subcommands" idea; typer builds them all eagerly)."""
    argv = sys.argv[1:]
    single = {"compare": compare, "gpu": gpu, "sensitivity": sensitivity, "sweep": sweep, "breakeven": breakeven,
              "check": check}
    if argv and argv[0] in single:
        one = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,
                          context_settings={"help_option_names": ["-h", "--help"]})
        one.command(name=argv[0])(single[argv[0]])
        one(argv[1:], prog_name=f"aicost {argv[0]}")
    else:
        app()


if __name__ == "__main__":  # pragma: no cover
    main()
