"""What every command shares: options, choices, the error guard, output and progress."""

from __future__ import annotations

import os
import sys
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Callable, Iterable, Optional

import typer

from aicost.base.constants import (DEFAULT_MAX_PRICE_AGE, EXIT_CLOSED_PIPE, EXIT_INPUT, EXIT_INTERNAL, EXIT_OK,
                                   RANKINGS, TIERS)
from aicost.base.errors import inert, ARGUMENT, AicostError, InputError, Problem, visible

TYPER = dict(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None,  # (the root app adds it)
             context_settings={"help_option_names": ["-h", "--help"]})


# ---- choices (str Enums: typer checks them and lists them in --help) -------------------------
def format_choices(kind: str) -> Any:
    """The --format choices of a kind of result: the formats the report registry renders it in."""
    from aicost.report import formats

    return Enum(f"{kind.title()}Format", {f: f for f in formats(kind)}, type=str)


Fmt = format_choices("compare")  # table, json, csv, markdown (also the row-shaped results)
TableJson = format_choices("breakeven")
SweepFmt = format_choices("sweep")


Tier = Enum("Tier", {t: t for t in TIERS}, type=str)  # type: ignore[misc]
RankBy = Enum("RankBy", {k: k for k in RANKINGS}, type=str)  # type: ignore[misc]
RankByOpt = Annotated[Optional[RankBy], typer.Option(  # type: ignore[valid-type]
    "--rank-by", metavar="METRIC", help="Rank by total_cost_per_success (default: everything the month costs over "
    "its successful outcomes), cost_per_success, cost_per_resolved_task, monthly_cost, net_monthly or roi "
    "(default: the scenario's options.rank_by).")]


class Metric(str, Enum):
    total_cost_per_success = "total_cost_per_success"
    cost_per_success = "cost_per_success"
    cost_per_resolved_task = "cost_per_resolved_task"
    monthly_cost = "monthly_cost"
    roi = "roi"
    net_monthly = "net_monthly"
    cost_per_attempt = "cost_per_attempt"


def value(x: Any) -> Any:
    """An Enum choice as its plain value (lists too)."""
    if isinstance(x, list):
        return [value(v) for v in x]
    return x.value if isinstance(x, Enum) else x


# ---- shared options --------------------------------------------------------------------------
PricingOpt = Annotated[list[Path], typer.Option("--pricing", metavar="DIR", help="Extra pricing directory or file, "
                                                "layered over the bundled tables (repeatable; later wins).")]
SetOpt = Annotated[list[str], typer.Option("--set", "-s", metavar="FIELD=VALUE", help="Override a scenario field: "
                                           "FIELD=VALUE, or relative: FIELD=*3, FIELD=+10%, FIELD=-=500 (repeatable).")]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", metavar="DATE", help="Price with the rates in force on "
                                                "this date (YYYY-MM-DD; default $AICOST_AS_OF, else today).")]
MaxAgeOpt = Annotated[Optional[str], typer.Option("--max-price-age", metavar="DAYS", help="Warn when a price in "
                                                  "use was checked more than DAYS before the pricing date (default "
                                                  "90, or $AICOST_MAX_PRICE_AGE; 'off' to disable).")]
AllOpt = Annotated[bool, typer.Option("--all", help="List every option in the table, the ineligible ones with "
                                      "their reasons (default: the best few and a count).")]
OutputOpt = Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Write to this file "
                                                   "(atomically) instead of stdout.")]
CsvRawOpt = Annotated[bool, typer.Option("--csv-raw", help="CSV without the spreadsheet formula guard (for "
                                         "machines: text cells starting with = + - @ keep no leading ').")]
def chart_opt(text: str) -> Any:
    return Annotated[Optional[Path], typer.Option("--chart", metavar="FILE", help=text)]


def complete_scenario(incomplete: str) -> list[str]:
    """Shell completion: bundled scenario names and YAML files below the working folder."""
    import glob

    from aicost.base.paths import bundled_scenarios

    names = [n for n in bundled_scenarios() if n.startswith(incomplete)]
    files = [f for f in glob.glob(incomplete + "*") if f.endswith((".yaml", ".yml")) or os.path.isdir(f)]
    return sorted(names) + sorted(f + "/" if os.path.isdir(f) else f for f in files)


def complete_option(ctx: Any, incomplete: str) -> list[str]:
    """Shell completion: the option ids of the scenario already on the command line."""
    try:
        from aicost.analyses.compare import designs_for
        from aicost.inputs import scenario as scenario_mod
        from aicost.inputs.pricebook import PriceBook

        ref = ctx.params.get("scenario") or (ctx.params.get("scenarios") or ["support-assistant"])[0]
        book = PriceBook.load()
        _, ids = designs_for(scenario_mod.load(ref, book), book, None)
    except Exception:  # completion never fails loudly
        return []
    return [i for i in ids if i.startswith(incomplete) or i.split("/", 1)[-1].startswith(incomplete)]


ScenarioArg = Annotated[str, typer.Argument(metavar="SCENARIO", help="A scenario file or bundled name.",
                                            autocompletion=complete_scenario)]
ScenariosArg = Annotated[Optional[list[str]], typer.Argument(
    metavar="SCENARIO", help="Scenario files, or names of bundled scenarios (default: support-assistant).",
    show_default=False, autocompletion=complete_scenario)]


def scenario_arg(text: str) -> Any:
    return Annotated[str, typer.Argument(metavar="SCENARIO", help=text, autocompletion=complete_scenario)]


def fmt_opt(choices: type[Enum], text: str) -> Any:
    return Annotated[choices, typer.Option("--format", "-f", metavar="FORMAT", help=text)]


FormatOpt = fmt_opt(Fmt, "table, json, csv or markdown.")


# ---- parsing option text ---------------------------------------------------------------------
def as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of: expected a date as YYYY-MM-DD, got {text!r}") from None


def month(text: str | None, what: str = "--period") -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text + "-01" if len(text) == 7 else text).replace(day=1)
    except ValueError:
        raise InputError(f"{what}: expected a month as YYYY-MM, got {text!r}") from None


def max_age(text: str | None) -> int | None:
    text = text if text is not None else os.environ.get("AICOST_MAX_PRICE_AGE", str(DEFAULT_MAX_PRICE_AGE))
    if text.strip().lower() in ("off", "none", "never"):
        return None
    try:
        days = int(text.strip().lower().removesuffix("d"))
        if days < 0:
            raise ValueError
        return days
    except ValueError:
        raise InputError(f"--max-price-age: expected a number of days such as 90 or 90d, got {text!r}") from None


# ---- running a command -----------------------------------------------------------------------
def stderr(text: str) -> None:
    sys.stderr.write(text if text.endswith("\n") else text + "\n")


#: Library parameters whose option on the command line has another name than --<parameter>.
FLAGS = {"source": "--from", "features": "--feature", "sets": "--set", "tiers": "--tier", "providers": "--provider"}


def as_flags(problems: list[Problem]) -> list[Problem]:
    """Bad arguments named as the command line's options (``metric`` -> ``--metric``)."""
    out = []
    for p in problems:
        if p.file == ARGUMENT and p.line is None and p.path:
            flag = FLAGS.get(p.path, "--" + p.path.replace("_", "-"))
            p = Problem(ARGUMENT, None, "", f"{flag}: {p.message}")
        out.append(p)
    return out


#: Problems printed on stderr before the rest are counted.
SHOWN = 100


def guarded(fn: Callable[[], int | None], json_errors: bool = False) -> None:
    """Run a command body; report problems once, on stderr, and exit with the right code."""
    try:
        code = fn() or EXIT_OK
    except InputError as exc:
        exc.problems = as_flags(exc.problems)
        for p in exc.problems[:SHOWN]:
            stderr(str(p))
        n = len(exc.problems) + exc.more
        if n > SHOWN:
            stderr(f"aicost: and {n - SHOWN:,} more (the first {SHOWN} are shown)")
        stderr(f"aicost: {n} problem{'s' if n != 1 else ''} found; nothing was computed or written")
        if json_errors:
            from aicost.report.json import dumps
            from aicost.results.base import envelope

            sys.stdout.write(dumps(envelope("errors", {"errors": [p.as_dict() for p in exc.problems]})))
        raise typer.Exit(EXIT_INPUT) from None
    except AicostError as exc:
        stderr(f"aicost: {exc}")
        raise typer.Exit(exc.exit_code) from None
    except (typer.Exit, KeyboardInterrupt):
        raise
    except BrokenPipeError:  # the reader went away (| head, | true): end quietly, as a Unix filter does
        closed_pipe()
    except Exception as exc:  # an internal error: say so plainly, traceback only on request
        if os.environ.get("AICOST_DEBUG"):
            raise
        stderr(f"aicost: internal error: {type(exc).__name__}: {exc}\n"
               "Please report it; set AICOST_DEBUG=1 to see the traceback.")
        raise typer.Exit(EXIT_INTERNAL) from None
    raise typer.Exit(code)


def closed_pipe() -> None:
    """Standard output was closed by its reader: stop quietly with the shell's code for SIGPIPE
    (141), pointing stdout at /dev/null so that the interpreter's last flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    raise SystemExit(EXIT_CLOSED_PIPE)


def emit(text: str, output: Path | None) -> None:
    """Results to stdout, or atomically to a file."""
    if output is None:
        sys.stdout.write(text)
        return
    from aicost.base.files import write_atomic

    write_atomic(output, text)
    stderr(f"aicost: wrote {output}")


def show(result: Any, fmt: Any, output: Path | None = None, **options: Any) -> None:
    """Render a result in a format and emit it."""
    from aicost.report import render

    text = render(result, value(fmt), **options)
    if value(fmt) in ("table", "markdown"):  # text for people (machine formats escape in their own way)
        text = inert(text, colour=output is None and color())
    emit(text, output)


def tell(result: Any, **options: Any) -> None:
    """A result's messages for the person at the terminal (see ``aicost.report.messages``), on stderr."""
    from aicost.report import messages

    for line in messages(result, **options):
        stderr(f"aicost: {visible(line)}")


def warn(notices: Iterable[Any]) -> None:
    from aicost.report.explain import say

    for n in notices:
        stderr(f"aicost: warning: {visible(say(n))}")


def color() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def width() -> int:
    """The width to fit tables to: $COLUMNS, else the terminal's, else 160 (a file or a pipe)."""
    try:
        return max(40, int(os.environ.get("COLUMNS", "")))
    except ValueError:
        pass
    if not sys.stdout.isatty():
        return 160
    try:
        return max(40, os.get_terminal_size().columns)
    except OSError:
        return 160


def check_chart(path: Path | None) -> None:
    if path is not None:
        from aicost.report.charts import check_path

        check_path(path)


class progress_bar:
    """A progress bar on stderr for long work (only on a terminal, and only when there is work)."""

    def __init__(self, total: int | None, label: str):
        self.total, self.label, self.bar = total, label, None

    def __enter__(self):
        if self.total and self.total >= 20000 and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(transient=True, console=Console(stderr=True))
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
