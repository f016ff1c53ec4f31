"""``aicost sweep``, ``aicost breakeven`` and ``aicost sensitivity``: what-if runs."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from aicost.cli.common import (AsOfOpt, CsvRawOpt, complete_option, Fmt, FormatOpt, Metric, OutputOpt, PricingOpt, ScenarioArg, SetOpt,
                               SweepFmt, TableJson, as_of, chart_opt, check_chart, fmt_opt, guarded, progress_bar,
                               show, stderr, tell, value, width)


class TornadoMetric(str, Enum):
    total_cost_per_success = "total_cost_per_success"
    cost_per_success = "cost_per_success"
    monthly_cost = "monthly_cost"
    roi = "roi"


def sweep(
    scenario: ScenarioArg,
    vary: Annotated[list[str], typer.Option("--vary", metavar="FIELD=START:STOP[:STEPS][:log]",
                                            help="The field to vary and its range (repeat once for a grid).")],
    metric: Annotated[Metric, typer.Option("--metric", metavar="METRIC", help="total_cost_per_success (default: "
                                           "what compare ranks by), cost_per_success, cost_per_resolved_task, "
                                           "monthly_cost, roi, net_monthly or cost_per_attempt.")]
    = Metric.total_cost_per_success,
    top: Annotated[int, typer.Option("--top", min=1, metavar="N", help="Options shown besides the winners.")] = 8,
    pricing: PricingOpt = [],
    fmt: fmt_opt(SweepFmt, "table, csv or json.") = SweepFmt.table,
    sets: SetOpt = [],
    as_of_text: AsOfOpt = None,
    chart: chart_opt("Draw the sweep (.png or .svg; needs matplotlib).") = None,
    output: OutputOpt = None,
    csv_raw: CsvRawOpt = False,
) -> None:
    """Vary one field (or two, a grid) over a range: every option's cost per success (or another
    metric) at every point, and the winner, with the points where it changes marked.

    Example:

    \b
      aicost sweep support-assistant --vary volume.tasks_per_month=1000:10000000:61:log
      aicost sweep research-agent --vary models.gpt-5.4.p_success=0.3:0.9 --vary caching.hit_rate=0:1:6
    """
    def body():
        from aicost.analyses.whatif import points, sweep_run

        check_chart(chart)
        n = points(vary)
        with progress_bar(n if n >= 200000 else None, "sweeping") as advance:
            result = sweep_run(scenario, vary, pricing, sets, value(metric), top, as_of(as_of_text), advance,
                               every=value(fmt) != "table")  # the table and charts need a summary only
        show(result, fmt, output, raw=csv_raw, chart=chart is None, width=width())
        if chart is not None:
            _draw("sweep_chart", result, chart)

    guarded(body, json_errors=(value(fmt) == "json"))


def breakeven(
    scenario: ScenarioArg,
    vary: Annotated[str, typer.Option("--vary", metavar="FIELD[=START:STOP[:log]]", help="The field to move, "
                                      "and the range to search (default: around its value, or 0..1 for a "
                                      "probability).")],
    between: Annotated[Optional[list[str]], typer.Option("--between", metavar="OPTION", autocompletion=complete_option,
                                                         help="Two option ids "
                                                         "(give --between twice); default: the current winner "
                                                         "against every other option.")] = None,
    metric: Annotated[Metric, typer.Option("--metric", metavar="METRIC", help="total_cost_per_success (default), "
                                           "cost_per_success, cost_per_resolved_task, monthly_cost or "
                                           "cost_per_attempt.")] = Metric.total_cost_per_success,
    pricing: PricingOpt = [],
    fmt: fmt_opt(TableJson, "table or json.") = TableJson.table,
    sets: SetOpt = [],
    as_of_text: AsOfOpt = None,
    chart: chart_opt("Draw the options and the crossings (.png or .svg).") = None,
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
        from aicost.analyses.whatif import breakeven_run

        check_chart(chart)
        result = breakeven_run(scenario, vary, between, pricing, sets, value(metric), as_of(as_of_text),
                               chart_points=200 if chart is not None else 0)
        show(result, fmt, output, width=width())
        if chart is not None:
            _draw("breakeven_chart", result, chart)

    guarded(body, json_errors=(value(fmt) == "json"))


def sensitivity(
    scenario: Annotated[str, typer.Argument(metavar="SCENARIO", help="A scenario file or bundled name with "
                                            "ranged inputs.")],
    option: Annotated[Optional[str], typer.Option("--option", metavar="ID", help="The option to study (default: "
                                                  "the best, as compare ranks them, at the likely values).")] = None,
    metric: Annotated[TornadoMetric, typer.Option("--metric", metavar="METRIC", help="total_cost_per_success "
                                                  "(default), cost_per_success, monthly_cost or roi.")]
    = TornadoMetric.total_cost_per_success,
    pricing: PricingOpt = [],
    fmt: FormatOpt = Fmt.table,
    sets: SetOpt = [],
    as_of_text: AsOfOpt = None,
    chart: chart_opt("Also draw a tornado chart (.png or .svg; needs matplotlib).") = None,
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
        from aicost.analyses.sensitivity import run

        check_chart(chart)
        result = run(scenario, pricing, sets, option, value(metric), as_of(as_of_text))
        if value(fmt) == "table":
            tell(result)
        show(result, fmt, output, width=width())
        if chart is not None:
            _draw("tornado_chart", result, chart)

    guarded(body, json_errors=(value(fmt) == "json"))


def _draw(name: str, result, path: Path) -> None:
    from aicost.report import charts

    getattr(charts, name)(result, path)
    stderr(f"aicost: wrote {path}")
