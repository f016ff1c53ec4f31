"""``aicost check``: budgets as a CI gate; ``aicost diff``: what changed between two reports."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from aicost.base.errors import InputError
from aicost.cli.common import (AsOfOpt, MaxAgeOpt, OutputOpt, PricingOpt, SetOpt, as_of, fmt_opt, format_choices,
                               guarded, max_age, show, stderr, width)


CheckFmt = format_choices("check")


def check(
    paths: Annotated[Optional[list[str]], typer.Argument(metavar="PATH", help="Scenario files, directories "
                                                         "or globs (default: ./scenarios).")] = None,
    pricing: PricingOpt = [],
    fmt: fmt_opt(CheckFmt, "On stdout: table, json, markdown, github (workflow-command annotations), "
                 "junit or codequality (GitLab's Code Quality report).") = CheckFmt.table,
    outputs: Annotated[list[str], typer.Option("--output", "-o", metavar="[FORMAT=]FILE", help="Also write a "
                                               "report to a file, e.g. junit=report.xml (repeatable; a bare FILE "
                                               "takes --format).")] = [],
    summary: Annotated[Optional[str], typer.Option("--summary", metavar="FORMAT", help="Append this report to "
                                                   "$GITHUB_STEP_SUMMARY (default markdown when it is set; 'none' "
                                                   "turns it off).")] = None,
    fail_on_warn: Annotated[bool, typer.Option("--fail-on-warn", help="Exit 1 on a warning too.")] = False,
    no_fail: Annotated[bool, typer.Option("--no-fail", help="Exit 0 on breaches and warnings (report only); bad "
                                          "input is still exit 2.")] = False,
    sets: SetOpt = [],
    as_of_text: AsOfOpt = None,
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
        from aicost.analyses.check import run
        from aicost.report import render
        from aicost.report.check import summary_line

        files, summary_fmt = _targets(outputs, fmt.value, summary)
        report = run(paths, pricing, sets, as_of(as_of_text), samples, max_age(max_price_age), compare_to)
        code = report.exit_code(fail_on_warn, no_fail)
        from aicost.base.files import append, write_all

        ws = os.environ.get("GITHUB_WORKSPACE") or os.environ.get("CI_PROJECT_DIR")  # paths made relative to it
        if summary_fmt != "none" and os.environ.get("GITHUB_STEP_SUMMARY"):  # first: a failure writes nothing else
            append(os.environ["GITHUB_STEP_SUMMARY"], render(report, summary_fmt, code=code, workspace=ws),
                   "the job summary ($GITHUB_STEP_SUMMARY)")
        if files:  # all or none, each written whole
            write_all([(target, render(report, kind, code=code, workspace=ws)) for kind, target in files])
            for _, target in files:
                stderr(f"aicost: wrote {target}")
        sys.stdout.write(render(report, fmt.value, code=code, workspace=ws, width=width()))
        if fmt.value not in ("table", "github"):  # those two end with the summary line themselves
            stderr(summary_line(report, code))
        return code

    guarded(body)


def _targets(outputs: list[str], fmt: str, summary: str | None) -> tuple[list[tuple[str, Path]], str]:
    """The --output FORMAT=FILE pairs and the step-summary format, checked."""
    formats = tuple(f.value for f in CheckFmt)
    files = []
    for o in outputs:
        kind, sep, target = o.partition("=")
        if not sep or kind not in formats:
            kind, target = fmt, o
        files.append((kind, Path(target)))
    summary_fmt = summary or ("markdown" if os.environ.get("GITHUB_STEP_SUMMARY") else "none")
    if summary_fmt not in formats + ("none",):
        raise InputError(f"--summary: expected one of {', '.join(formats)} or none, got {summary_fmt!r}")
    return files, summary_fmt


DiffFmt = format_choices("diff")


def diff(
    base: Annotated[Path, typer.Argument(metavar="BASE.json", help="The earlier report: aicost compare ... "
                                         "--format json (the main branch's, say).")],
    head: Annotated[Path, typer.Argument(metavar="HEAD.json", help="The later report (the pull request's).")],
    fmt: fmt_opt(DiffFmt, "table, markdown (a pull-request comment) or json.") = DiffFmt.table,
    output: OutputOpt = None,
) -> None:
    """What changed between two compare reports, per scenario and in total, and why (volume, tokens
    per task, prices, attempts, review, fixed costs, a new recommendation); no budget needed.

    Example:

    \b
      aicost compare scenarios/*.yaml --format json > base.json      # on the main branch
      aicost compare scenarios/*.yaml --format json > head.json      # on the pull request
      aicost diff base.json head.json --format markdown
    """

    def body() -> None:
        from aicost.analyses.diff import diff as run_diff

        show(run_diff(base, head), fmt, output)

    guarded(body)
