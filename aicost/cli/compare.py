"""``aicost compare`` and ``aicost gpu``."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from aicost.cli.common import (AllOpt, AsOfOpt, CsvRawOpt, Fmt, FormatOpt, MaxAgeOpt, OutputOpt, PricingOpt, RankByOpt, scenario_arg,
                               ScenariosArg, SetOpt, Tier, as_of, color, guarded, max_age, progress_bar, show, value,
                               warn, width)


def compare(
    scenarios: ScenariosArg = None,
    pricing: PricingOpt = [],
    fmt: FormatOpt = Fmt.table,
    sets: SetOpt = [],
    top: Annotated[Optional[int], typer.Option("--top", min=1, metavar="N", help="Show only the N best options per "
                                               "scenario.")] = None,
    tier: Annotated[list[Tier], typer.Option("--tier", metavar="TIER", help="Only this tier: standard, batch, flex, "
                                             "priority (repeatable).")] = [],
    provider: Annotated[list[str], typer.Option("--provider", metavar="PROVIDER", help="Only this provider, e.g. "
                                                "openai, azure (repeatable).")] = [],
    as_of_text: AsOfOpt = None,
    max_price_age: MaxAgeOpt = None,
    samples: Annotated[Optional[int], typer.Option("--samples", min=1, metavar="N", help="Sample the scenario's "
                                                   "ranged inputs N times: P10/P50/P90 and the chance each option "
                                                   "is the cheapest.")] = None,
    seed: Annotated[int, typer.Option("--seed", metavar="S", help="Random seed for --samples (same seed, "
                                      "same output).")] = 0,
    rank_by: RankByOpt = None,
    show_all: AllOpt = False,
    output: OutputOpt = None,
    csv_raw: CsvRawOpt = False,
) -> None:
    """Rank every way of running a workload by its total cost per successful outcome.

    Each model on each tier it offers (Standard, Batch, Flex, Priority), with and without
    prompt caching. The table shows the answer, the best few options fitted to the terminal
    and a count of the rest (--all lists every one, with the reason an option is out).

    Example:

    \b
      aicost compare scenarios/support-assistant.yaml --top 5
      aicost compare nightly-extraction --set volume.tasks_per_month=*3 --format json
    """
    def body():
        from aicost.analyses.compare import run

        with progress_bar(samples, "sampling") as advance:
            result = run(scenarios or None, pricing=pricing, sets=sets, as_of=as_of(as_of_text),
                         tiers=value(tier) or None, providers=provider or None, top=top,
                         max_price_age=max_age(max_price_age), samples=samples, seed=seed, progress=advance,
                         rank_by=value(rank_by))
        warn(w for s in result.scenarios for w in s.warnings)
        show(result, fmt, output, width=width(), color=color() and output is None, raw=csv_raw, show_all=show_all)

    guarded(body, json_errors=(value(fmt) == "json"))


def gpu(
    scenario: scenario_arg("A scenario file or bundled name with a self_hosted: section."),
    pricing: PricingOpt = [],
    fmt: FormatOpt = Fmt.table,
    sets: SetOpt = [],
    as_of_text: AsOfOpt = None,
    max_price_age: MaxAgeOpt = None,
    output: OutputOpt = None,
    no_breakeven: Annotated[bool, typer.Option("--no-breakeven", help="Skip the break-even volumes.")] = False,
    show_all: AllOpt = False,
    months: Annotated[int | None, typer.Option("--months", min=1, max=120, help=(
        "Plan month by month for N months: the volume grows by volume.monthly_growth; the cheapest hosted "
        "and GPU options, GPUs at peak and on average, the reserved and on-demand mix that costs least, the "
        "gross margin per task (value.price_per_task) and the months the GPU break-even or a hosted rate "
        "limit is crossed."))] = None,
) -> None:
    """Serving open models on rented GPUs (A100, H100, H200, B200, L40S): fleet, utilisation, cost per 1M output tokens,
    cost per success, and the monthly volume from which each beats the cheapest hosted option
    (and that option's Batch and Flex tiers, where the latency need allows them). The table
    shows the best few GPU options fitted to the terminal and a count of the rest (--all lists
    every one, with the reason an option is out).

    Example:

    \b
      aicost gpu self-hosted-wins
      aicost gpu self-hosted-loses --all
      aicost gpu self-hosted-loses --format json
      aicost gpu self-hosted-wins --months 12 --set volume.monthly_growth=0.15
    """
    def body():
        from aicost.analyses.gpu import run

        result = run(scenario, pricing, sets, as_of(as_of_text), max_age(max_price_age), not no_breakeven, months)
        warn(result.scenario.warnings)
        show(result, fmt, output, width=width(), show_all=show_all)

    guarded(body, json_errors=(value(fmt) == "json"))
