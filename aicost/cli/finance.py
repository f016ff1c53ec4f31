"""``aicost export`` and ``aicost allocate``: rows for finance."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from aicost.cli.common import (AsOfOpt, CsvRawOpt, OutputOpt, PricingOpt, ScenariosArg, SetOpt, as_of, fmt_opt,
                               format_choices, guarded, month, progress_bar, show, stderr, tell, value, warn)


ExportFmt = format_choices("export")
AllocateFmt = format_choices("allocation")


class FocusVersion(str, Enum):
    v12 = "1.2"
    v13 = "1.3"


class OnError(str, Enum):
    stop = "stop"
    skip = "skip"


class Engine(str, Enum):
    local = "local"
    dask = "dask"


FocusVersionOpt = Annotated[FocusVersion, typer.Option("--focus-version", metavar="V", help="1.2, or 1.3 to add "
                                                       "ServiceProviderName and HostProviderName.")]


def export(
    scenarios: ScenariosArg = None,
    fmt: fmt_opt(ExportFmt, "csv (a plain wide table), focus (FinOps FOCUS 1.2 columns) or json.") = ExportFmt.csv,
    options: Annotated[str, typer.Option("--options", metavar="WHICH", help="chosen (the budget's option, else the "
                                         "best), all (every eligible option) or an option id.")] = "chosen",
    period: Annotated[Optional[str], typer.Option("--period", metavar="YYYY-MM", help="Billing month of the rows "
                                                  "(default: the month of the prices' date).")] = None,
    account: Annotated[str, typer.Option("--account", metavar="ID", help="BillingAccountId for the rows.")]
    = "aicost-forecast",
    focus_version: FocusVersionOpt = FocusVersion.v12,
    pricing: PricingOpt = [],
    sets: SetOpt = [],
    as_of_text: AsOfOpt = None,
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
        from aicost.analyses.export import build

        result = build(scenarios or None, pricing, sets, as_of(as_of_text), options, month(period), account,
                       value(focus_version))
        warn(result.skipped)
        show(result, fmt, output, raw=csv_raw)
        tell(result, fmt=value(fmt))

    guarded(body)


def allocate(
    usage: Annotated[list[Path], typer.Argument(metavar="USAGE", help="Usage logs: CSV, JSON Lines or Parquet files, "
                                                "or directories of them (partitions).", show_default=False)],
    by: Annotated[str, typer.Option("--by", metavar="TAGS", help="Tags to allocate to, comma-separated, "
                                    "e.g. team,feature.")] = "team",
    source: Annotated[str, typer.Option("--from", metavar="LAYOUT", help="Column layout: aicost (see docs/usage.md), "
                                        "openai, anthropic, litellm, or a mapping file (.yaml).")] = "aicost",
    shared: Annotated[Optional[Path], typer.Option("--shared", metavar="FILE", help="Shared costs to split over "
                                                   "the groups (a gateway, evals, a vector database, reserved "
                                                   "GPUs).")] = None,
    fmt: fmt_opt(AllocateFmt, "table, csv, json or focus.") = AllocateFmt.table,
    on_error: Annotated[OnError, typer.Option("--on-error", metavar="stop|skip", help="stop (exit 2, nothing "
                                              "written) or skip bad rows, counting them; with skip, unknown models "
                                              "go to the unpriced bucket.")] = OnError.stop,
    engine: Annotated[Engine, typer.Option("--engine", metavar="local|dask", help="local (streamed in chunks) or dask "
                                           "(each partition file on a Dask worker; needs dask and distributed).")]
    = Engine.local,
    scheduler: Annotated[Optional[str], typer.Option("--scheduler", metavar="ADDRESS", help="With --engine dask: a "
                                                     "running scheduler, e.g. tcp://10.0.0.5:8786 (default: a local "
                                                     "cluster).")] = None,
    billed: Annotated[list[Path], typer.Option("--billed", metavar="FILE", help="A provider cost report (OpenAI "
                                               "/v1/organization/costs, Anthropic cost_report or analytics/cost "
                                               "JSON; repeatable): what was charged, beside aicost's repricing.")]
    = [],
    focus_version: FocusVersionOpt = FocusVersion.v12,
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
      aicost allocate usage.json --from openai --by project --billed costs.json
    """
    def body():
        from aicost.analyses.allocate import run, usage_files

        files = usage_files(usage)
        total = sum(f.stat().st_size for f in files)
        big = total if value(engine) == "local" and total > (64 << 20) else None
        with progress_bar(big, "pricing usage") as advance:
            alloc = run(files, by, source, shared, pricing, value(on_error), value(engine), scheduler, advance,
                        billed=billed)
        if billed and value(fmt) in ("csv", "focus"):
            stderr("aicost: note: the comparison with the cost reports (--billed) is in the table and JSON "
                   "formats only")
        show(alloc, fmt, output, raw=csv_raw, account=account, version=value(focus_version))
        tell(alloc, fmt=value(fmt))

    guarded(body, json_errors=(value(fmt) == "json"))


# options the commands that read usage logs share (replay, forecast, calibrate)
UsageArg = Annotated[list[Path], typer.Argument(metavar="USAGE", help="Usage logs: CSV, JSON Lines or Parquet files, "
                                                "or directories of them (partitions).", show_default=False)]
SourceOpt = Annotated[str, typer.Option("--from", metavar="LAYOUT", help="Column layout: aicost (see docs/usage.md), "
                                        "openai, anthropic, litellm, or a mapping file (.yaml).")]
OnErrorOpt = Annotated[OnError, typer.Option("--on-error", metavar="stop|skip", help="stop (exit 2, nothing written) "
                                             "or skip bad rows, counting them.")]
EngineOpt = Annotated[Engine, typer.Option("--engine", metavar="local|dask", help="local (streamed in chunks) or dask "
                                           "(each partition file on a Dask worker).")]
SchedulerOpt = Annotated[Optional[str], typer.Option("--scheduler", metavar="ADDRESS", help="With --engine dask: a "
                                                     "running scheduler (default: a local cluster).")]


def _reading(usage: list[Path], engine, label: str):
    """The log files, and a progress bar over their bytes (shown for large local reads)."""
    from aicost.analyses.allocate import usage_files

    files = usage_files(usage)
    total = sum(f.stat().st_size for f in files)
    return files, progress_bar(total if value(engine) == "local" and total > (64 << 20) else None, label)


ReplayFmt = format_choices("replay")


def replay(
    usage: UsageArg,
    option: Annotated[list[str], typer.Option("--option", metavar="MODEL[:TIER][:nocache]", help="An option to "
                                              "price the requests under (repeatable): another model or provider, "
                                              "a tier, caching off.")] = [],
    scenario: Annotated[Optional[str], typer.Option("--scenario", metavar="SCENARIO", help="Also every model under "
                                                    "the scenario's models: (on Standard) and its cascades (their "
                                                    "stages reached at its success rates).")] = None,
    by: Annotated[str, typer.Option("--by", metavar="TAGS", help="Tags to sum by, comma-separated.")] = "team",
    source: SourceOpt = "aicost",
    can_wait: Annotated[list[str], typer.Option("--can-wait", metavar="TAG=VALUE", help="Requests with this tag "
                                                "value can wait (repeatable): they, and those logged on Batch or "
                                                "Flex, go to Batch or Flex; the rest of such an option runs on "
                                                "Standard.")] = [],
    fmt: fmt_opt(ReplayFmt, "table, csv, json or markdown.") = ReplayFmt.table,
    on_error: OnErrorOpt = OnError.stop,
    engine: EngineOpt = Engine.local,
    scheduler: SchedulerOpt = None,
    pricing: PricingOpt = [],
    output: OutputOpt = None,
    csv_raw: CsvRawOpt = False,
) -> None:
    """What last month's traffic would have cost under other options: the log's own requests (its
    token counts, cache reads and tags) priced under other models, tiers, caching or a cascade, by
    tag, beside what they cost as logged, each at the rates in force on its day.

    Example:

    \b
      aicost replay usage.csv --by feature --option gpt-5.4-mini --option claude-haiku-4-5:batch
      aicost replay usage.csv --by team --option gpt-5.4-mini:batch --can-wait feature=nightly-report
      aicost replay spend_logs.csv --from litellm --by team --scenario triage-cascade --format json
    """
    def body():
        from aicost.analyses.replay import run

        files, bar = _reading(usage, engine, "replaying usage")
        with bar as advance:
            res = run(files, option, scenario, by, source, can_wait, pricing, value(on_error), value(engine),
                      scheduler, advance)
        show(res, fmt, output, raw=csv_raw)
        m = res.meta
        stderr(f"aicost: {m['rows_read']:,} rows read" + (f", {m['rows_skipped']:,} skipped" if m["rows_skipped"]
                                                             else "") + (f"; cheapest: {m['cheapest']}"
                                                                         if m["cheapest"] else ""))
        for label, n in m["unpriced_requests"].items():
            if n:
                stderr(f"aicost: warning: {label}: {n:,} requests unpriced (their cells have no total, never $0)")
        for note in m["notes"]:
            stderr(f"aicost: note: {note}")

    guarded(body, json_errors=(value(fmt) == "json"))


ForecastFmt = format_choices("forecast")


def forecast(
    usage: UsageArg,
    by: Annotated[str, typer.Option("--by", metavar="TAGS", help="Tags to forecast by, comma-separated.")] = "team",
    months: Annotated[int, typer.Option("--months", metavar="N", help="Months ahead to project (0-60).")] = 3,
    budget: Annotated[list[str], typer.Option("--budget", metavar="[VALUE=]AMOUNT", help="A monthly budget: for "
                                              "every group, or for the group whose first tag is VALUE "
                                              "(repeatable); the day each month's spend reaches it.")] = [],
    source: SourceOpt = "aicost",
    fmt: fmt_opt(ForecastFmt, "table, csv, json or markdown.") = ForecastFmt.table,
    on_error: OnErrorOpt = OnError.stop,
    engine: EngineOpt = Engine.local,
    scheduler: SchedulerOpt = None,
    pricing: PricingOpt = [],
    output: OutputOpt = None,
    csv_raw: CsvRawOpt = False,
) -> None:
    """Where spend is heading: each tag group's daily cost from a usage log, its trend, the months
    ahead at that trend, and the day a monthly budget is crossed.

    Example:

    \b
      aicost forecast usage.csv --by team --months 3
      aicost forecast usage.csv --by team --budget 5000 --budget search=3000
      aicost forecast spend_logs.csv --from litellm --by team --format json
    """
    def body():
        from aicost.analyses.forecast import run

        files, bar = _reading(usage, engine, "reading usage")
        with bar as advance:
            res = run(files, by, source, months, budget, pricing, value(on_error), value(engine), scheduler, advance)
        show(res, fmt, output, raw=csv_raw)
        m = res.meta
        stderr(f"aicost: {m['rows_read']:,} rows from {m['first_day']} to {m['last_day']}; {m['method']}")

    guarded(body, json_errors=(value(fmt) == "json"))


CalibrateFmt = format_choices("calibration")


def calibrate(
    usage: UsageArg,
    by: Annotated[Optional[str], typer.Option("--by", metavar="TAG", help="A segment per value of this tag (the "
                                              "largest --top).")] = None,
    top: Annotated[int, typer.Option("--top", metavar="N", help="Segments at most (the largest values).")] = 20,
    name: Annotated[Optional[str], typer.Option("--name", metavar="NAME", help="The scenario's name (default: the "
                                                "log's).")] = None,
    source: SourceOpt = "aicost",
    fmt: fmt_opt(CalibrateFmt, "yaml (the scenario) or json (it and the figures).") = CalibrateFmt.yaml,
    pricing: PricingOpt = [],
    output: OutputOpt = None,
) -> None:
    """A scenario from a usage log: the volume, the day's shape, each request's input, cached and
    output tokens as ranges (P10, P50, P90) and the cache hit rate, measured; success rates, the
    latency need and value left as marked placeholders for you to fill in, then compare, sweep or
    check it.

    Example:

    \b
      aicost calibrate usage.csv -o calibrated.yaml
      aicost calibrate usage.csv --by feature -o by-feature.yaml
      aicost calibrate spend_logs.csv --from litellm --format json
    """
    def body():
        from aicost.analyses.calibrate import run

        if not 1 <= top <= 1000:
            from aicost.base.errors import bad_argument

            raise bad_argument("top", "give 1 to 1000")
        res = run(usage, by, source, name, pricing, top)
        show(res, fmt, output)
        w = res.figures["whole"]
        stderr(f"aicost: {w['requests']:,.0f} requests over {res.figures['days']} days: "
               f"{w['tasks_per_month']:,.0f} a month; fill in the placeholders before comparing")

    guarded(body, json_errors=(value(fmt) == "json"))
