"""``aicost pricing``: browse, check, compare and import the price tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from aicost.base.errors import InputError
from aicost.cli.common import (TYPER, AsOfOpt, Fmt, FormatOpt, OutputOpt, PricingOpt, TableJson, Tier, as_of, emit,
                               fmt_opt, guarded, show, stderr, value)

pricing_app = typer.Typer(help="Browse, check, compare and import the price tables.\n\nExample:\n\n\b\n"
                               "  aicost pricing list --provider openai --tier flex", no_args_is_help=True, **TYPER)
TableJsonOpt = fmt_opt(TableJson, "table or json.")


@pricing_app.command("list")
def pricing_list(
    provider: Annotated[list[str], typer.Option("--provider", metavar="PROVIDER", help="Only this provider "
                                                "(repeatable).")] = [],
    tier: Annotated[list[Tier], typer.Option("--tier", metavar="TIER", help="Only this tier (repeatable).")] = [],
    feature: Annotated[list[str], typer.Option("--feature", metavar="FEATURE", help="Only models with this "
                                               "feature: caching, cache-writes, long-context, batch, flex, "
                                               "priority, deprecated (repeatable: all must hold).")] = [],
    model: Annotated[list[str], typer.Option("--model", metavar="MODEL", help="Only this model (repeatable).")] = [],
    pricing: PricingOpt = [],
    as_of_text: AsOfOpt = None,
    fmt: FormatOpt = Fmt.table,
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
        from aicost.analyses.pricing import price_list

        show(price_list(pricing, as_of(as_of_text), provider, value(tier), feature, model, all_columns), fmt, output)

    guarded(body, json_errors=(value(fmt) == "json"))


@pricing_app.command("show")
def pricing_show(
    model: Annotated[str, typer.Argument(metavar="MODEL", help="A model name, alias or provider/model.")],
    pricing: PricingOpt = [],
    as_of_text: AsOfOpt = None,
    fmt: TableJsonOpt = TableJson.table,
) -> None:
    """Show one model in full: every tier's rates with their sources and check dates.

    Example:

    \b
      aicost pricing show claude-sonnet-4-5
      aicost pricing show o3 --as-of 2025-05-01 --format json
    """
    def body():
        from aicost.analyses.pricing import model_card

        show(model_card(model, pricing, as_of(as_of_text)), fmt)

    guarded(body, json_errors=(value(fmt) == "json"))


@pricing_app.command("validate")
def pricing_validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(metavar="PATH", help="Pricing directories or files "
                                                          "(default: the bundled tables).", show_default=False)] = None,
    fmt: TableJsonOpt = TableJson.table,
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
        from aicost.analyses.pricing import validation

        show(validation(paths or [], with_bundled), fmt)

    guarded(body, json_errors=(value(fmt) == "json"))


@pricing_app.command("diff")
def pricing_diff(
    old: Annotated[str, typer.Argument(metavar="OLD", help="A pricing directory or file, or a date (YYYY-MM-DD) "
                                       "for the bundled tables as of that day.")],
    new: Annotated[str, typer.Argument(metavar="NEW", help="The same, to compare against OLD.")],
    pricing: PricingOpt = [],
    fmt: FormatOpt = Fmt.table,
    output: OutputOpt = None,
) -> None:
    """What changed between two price tables, or between two dates of the same tables.

    Example:

    \b
      aicost pricing diff 2025-06-09 2025-06-10
      aicost pricing diff old-pricing/ pricing/ --format markdown
    """
    def body():
        from aicost.analyses.pricing import price_diff

        result = price_diff(old, new, pricing)
        show(result, fmt, output)
        if not result.rows:
            stderr("aicost: no differences")

    guarded(body, json_errors=(value(fmt) == "json"))


@pricing_app.command("schema")
def pricing_schema(
    which: Annotated[str, typer.Argument(metavar="KIND", help="pricing, gpus, scenario or mapping.")] = "pricing",
    output: OutputOpt = None,
) -> None:
    """Print the JSON Schema of pricing tables, GPU tables, scenarios or usage mapping files (for
    editors and CI).

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


def report_skipped(skipped: list, listed: bool) -> None:
    """What an import left out and why: each entry when the import was narrowed to some providers
    or models, else a count per provider and reason."""
    if not skipped:
        return
    if listed:
        for prov, model, why in skipped:
            stderr(f"aicost: skipped {prov}/{model}: {why}")
    else:
        counts: dict[tuple[str, str], int] = {}
        for prov, _, why in skipped:
            kind = why.split(":")[0].split(" (")[0]
            counts[(prov, kind)] = counts.get((prov, kind), 0) + 1
        for (prov, kind), n in sorted(counts.items()):
            stderr(f"aicost: skipped {n} {prov} entr{'y' if n == 1 else 'ies'}: {kind} (--provider {prov} lists them)")
    stderr(f"aicost: {len(skipped)} entr{'y' if len(skipped) == 1 else 'ies'} not imported")


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
    validated before anything is written. Entries that cannot be expressed (audio, image,
    embedding, realtime or per-second prices) are listed on stderr with the reason (with
    --provider or --model; otherwise counted per provider).

    Example:

    \b
      aicost pricing import litellm model_prices_and_context_window.json --provider openai -o my-prices/
      aicost pricing import genai-prices data.json --provider anthropic
    """
    def body():
        from aicost.inputs.importers import convert

        skipped: list = []
        texts = convert(source, file, provider, model, as_of(checked), skipped)
        report_skipped(skipped, listed=bool(provider or model))
        if output is None:
            if len(texts) != 1:
                raise InputError(f"{len(texts)} providers found ({', '.join(texts)}): give --output DIR, or "
                                 "--provider to pick one")
            return emit(next(iter(texts.values())), None)
        from aicost.base.files import write_atomic

        if not output.is_dir():
            raise InputError(f"--output: {output} is not a directory")
        for prov, text in texts.items():
            write_atomic(output / f"{prov}.yaml", text)
        stderr(f"aicost: wrote {len(texts)} file(s) to {output}: {', '.join(f'{p}.yaml' for p in texts)}")

    guarded(body)
