"""The ``aicost`` command: parse options, call the library, render, map errors to exit codes.

Exit codes: 0 ok · 1 a budget is exceeded · 2 bad input or usage · 3 internal error.
"""


import os
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer

from . import __version__
from .errors import AicostError, InputError

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
            from .report.json import dumps

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
    from .outfile import write_atomic

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
    from .report import Format

    def body():
        if fmt not in Format.__members__:
            raise InputError(f"--format: expected one of {', '.join(Format.__members__)}, got {fmt!r}")
        bad = [t for t in tier if t not in ("standard", "batch", "flex", "priority")]
        if bad:
            raise InputError(f"--tier: unknown tier {bad[0]!r} (expected standard, batch, flex or priority)")
        from .comparison import run
        from .report import render

        result = run(scenarios or None, pricing=pricing, sets=sets, as_of=_as_of(as_of), tiers=tier or None,
                     providers=provider or None, top=top)
        emit(render(result, fmt, width=_width(), color=_color() and output is None, raw=csv_raw), output)

    guarded(body, json_errors=(fmt == "json"))


def main() -> None:
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
