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
