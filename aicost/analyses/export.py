"""``aicost export``: the option each scenario runs (or every eligible one), with what finance rows
need (tags, billing month, provider names); :mod:`aicost.report.export` writes the rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from aicost.base import paths
from aicost.base.constants import DEFAULT_MAX_PRICE_AGE
from aicost.base.errors import ARGUMENT, InputError, Problem, bad_argument
from aicost.base.notices import Notice
from aicost.results.compare import Because
from aicost.results.export import FOCUS_VERSIONS, ExportItem, ExportResult, month_bounds

GPU_CLOUDS = {"aws": "AWS", "azure": "Microsoft Azure", "gcp": "Google Cloud", "lambda": "Lambda",
              "runpod": "RunPod", "coreweave": "CoreWeave", "oci": "Oracle Cloud"}


def build(scenarios: Sequence[str | Path] | None, pricing: Sequence[str | Path] = (), sets: Sequence[str] = (),
          as_of: date | None = None, options: str = "chosen", period: date | None = None,
          account: str = "aicost-forecast", focus_version: str = "1.2", book=None) -> ExportResult:
    """Rows for each scenario's chosen option (``options='chosen'``: the budget's ``option``
    when it names one, else the best), every eligible option (``'all'``), or the named one."""
    from aicost.inputs import scenario as scenario_mod
    from aicost.analyses.compare import compare_designs, find_option
    from aicost.inputs.pricebook import PriceBook

    if focus_version not in FOCUS_VERSIONS:
        raise bad_argument("focus_version", f"expected one of {', '.join(FOCUS_VERSIONS)}, got {focus_version!r}")
    book = book or PriceBook.load(pricing)
    refs = list(scenarios) if scenarios else [paths.DEFAULT_SCENARIO]
    items, totals, skipped, problems = [], {}, [], []
    for ref in refs:
        try:
            ls = scenario_mod.load(ref, book, list(sets))
            res = compare_designs(ls, book, as_of, None, None, DEFAULT_MAX_PRICE_AGE)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        spec = ls.plain
        chosen = _choose(res, spec, options, ls.file, problems, find_option)
        for o in res.options:
            if o not in chosen:
                continue
            if o.status == "unpriced" or o.metrics.get("monthly_cost") is None:
                skipped.append(Notice.of("not_exported", scenario=res.name, option=o.id, status=o.status,
                                         reasons=Because(o.reasons)))
                continue
            if o.status != "ok":  # named by the budget or --options: it is what runs, so export it
                skipped.append(Notice.of("exported_anyway", scenario=res.name, option=o.id, status=o.status,
                                         reasons=Because(o.reasons)))
            start, end = month_bounds(period or date.fromisoformat(res.as_of))
            items.append(ExportItem(res, o, spec.get("tags") or {}, start, end, _names(book, o)))
            totals[(res.file, o.id)] = Decimal(repr(o.metrics["monthly_cost"]))
    if problems:
        raise InputError(problems)
    return ExportResult(items, totals, skipped, book.currency, focus_version, account)


def _choose(res, spec: dict, options: str, file: str, problems: list[Problem], find_option) -> list:
    eligible = [o for o in res.options if o.status == "ok"]
    if options == "all":
        return eligible
    ids = [o.id for o in res.options]
    if options == "chosen":
        named = (spec.get("budget") or {}).get("option")
        if named is None:
            best = res.best
            return [best] if best is not None else []
        options = named
    i, why = find_option(ids, options)
    if i is None:
        problems.append(Problem(ARGUMENT, None, "options", f"{why} ({file})"))
        return []
    return [res.options[i]]


def _names(book, o) -> tuple[str, str]:
    if o.kind == "gpu":
        cloud = GPU_CLOUDS.get(o.provider, o.provider)
        return cloud, cloud
    provs = sorted({s.split("/", 1)[0] for s in o.cascade["stages"]}) if o.cascade else [o.provider]
    names = [book.provider_names(p) for p in provs]
    return ", ".join(n for n, _ in names), ", ".join(sorted({p for _, p in names}))


