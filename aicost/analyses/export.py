"""Forecast export: each chosen scenario option's monthly cost as rows by meter, for finance.

``csv`` is a plain wide table; ``focus`` follows the FinOps FOCUS 1.2 columns (see
:mod:`aicost.report.focus`). Every row's cost is the report's meter cost, so the rows of one option
sum to that option's monthly cost (to the millionth of the currency).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

from aicost.report import focus
from aicost.base import paths
from aicost.base.errors import InputError, Problem
from aicost.report.focus import TAG_COLUMNS, TOKEN_METERS, costs, money, quantity, token_quantities

#: Non-token meters: SKU meter name, FOCUS service, category, frequency, who invoices.
OTHER_METERS = {
    "tools": ("Tool Fees", "AI and Machine Learning", "Usage-Based"),
    "storage": ("Vector Storage", "Storage", "Recurring"),
    "gpu": ("GPU-Hours", "Compute", "Usage-Based"),
    "ops": ("Operations", "Other", "Recurring"),
    "review": ("Human Review", "Other", "Usage-Based"),
    "fallback": ("Human Fallback", "Other", "Usage-Based"),
    "fixed": ("Fixed Monthly Costs", "Other", "Recurring"),
}
IN_HOUSE = "In-house"
GPU_CLOUDS = {"aws": "AWS", "azure": "Microsoft Azure", "gcp": "Google Cloud", "lambda": "Lambda",
              "runpod": "RunPod", "coreweave": "CoreWeave", "oci": "Oracle Cloud"}
X_COLUMNS = ("x_Scenario", "x_ScenarioFile", "x_Option", "x_OptionRank", "x_Model", "x_Tier", "x_Caching",
             "x_Meter", "x_TokenDirection", *TAG_COLUMNS.values(), "x_MonthlyCostOfOption", "x_PriceSource",
             "x_PricesAsOf", "x_AllocationMethod", "x_FocusVersion")
CSV_COLUMNS = ("scenario", "file", "option", "rank", "provider", "model", "tier", "caching", "meter",
               "quantity", "unit", "unit_price", "cost", "currency", "period_start", "period_end",
               *TAG_COLUMNS, "tags")


@dataclass
class Export:
    rows: list[dict[str, Any]]  # FOCUS column -> value, x_ columns included
    totals: dict[tuple[str, str], Decimal]  # (scenario file, option id) -> the report's monthly cost
    skipped: list[str]  # options not exported, and why
    currency: str
    focus_version: str


def build(scenarios: Sequence[str | Path] | None, pricing: Sequence[str | Path] = (), sets: Sequence[str] = (),
          as_of: date | None = None, options: str = "chosen", period: date | None = None,
          account: str = "aicost-forecast", focus_version: str = "1.2", book=None) -> Export:
    """Rows for each scenario's chosen option (``options='chosen'``: the budget's ``option``
    when it names one, else the best), every eligible option (``'all'``), or the named one."""
    from aicost.inputs import scenario as scenario_mod
    from aicost.analyses.compare import DEFAULT_MAX_PRICE_AGE, compare_designs, find_option
    from aicost.inputs.pricebook import PriceBook

    if focus_version not in focus.FOCUS_VERSIONS:
        raise InputError(f"--focus-version: expected one of {', '.join(focus.FOCUS_VERSIONS)}, got {focus_version!r}")
    book = book or PriceBook.load(pricing)
    refs = list(scenarios) if scenarios else [paths.DEFAULT_SCENARIO]
    rows, totals, skipped, problems = [], {}, [], []
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
                skipped.append(f"{res.name}: {o.id} is {o.status} ({o.reason}); not exported")
                continue
            if o.status != "ok":  # named by the budget or --options: it is what runs, so export it
                skipped.append(f"{res.name}: exporting {o.id} as named, though it is {o.status} ({o.reason})")
            start, end = focus.month_bounds(period or date.fromisoformat(res.as_of))
            rows += _option_rows(book, res, o, spec.get("tags") or {}, start, end, account, focus_version)
            totals[(res.file, o.id)] = Decimal(repr(o.metrics["monthly_cost"]))
    if problems:
        raise InputError(problems)
    return Export(rows, totals, skipped, book.currency, focus_version)


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
        problems.append(Problem(file, None, "", f"--options: {why}"))
        return []
    return [res.options[i]]


def _option_rows(book, res, o, tags: dict, start: date, end: date, account: str, version: str) -> list[dict]:
    out = []
    cost, tokens = o.meters["cost"], o.meters["tokens"]
    provider_name, publisher = _names(book, o)
    discount = (o.price or {}).get("discount_percent")
    tasks = res.tasks_per_month
    base = {
        "BillingCurrency": book.currency, "BillingAccountId": account, "BillingAccountName": "aicost forecast",
        "BillingPeriodStart": focus.utc(start), "BillingPeriodEnd": focus.utc(end),
        "ChargePeriodStart": focus.utc(start), "ChargePeriodEnd": focus.utc(end),
        "ChargeCategory": "Usage", "ChargeClass": None,
        "ResourceId": o.id, "ResourceName": f"{res.name}: {o.id}", "ResourceType": o.kind,
        "Tags": focus.tags_json(tags),
        "x_Scenario": res.name, "x_ScenarioFile": res.file, "x_Option": o.id, "x_OptionRank": o.rank,
        "x_Model": o.model if o.cascade is None else " > ".join(o.cascade["stages"]),
        "x_Tier": o.tier, "x_Caching": o.caching,
        **{col: tags.get(k) for k, col in TAG_COLUMNS.items()},
        "x_MonthlyCostOfOption": money(o.metrics["monthly_cost"]),
        "x_PriceSource": (o.price or {}).get("source") or ((o.gpu or {}).get("offer") or {}).get("source"),
        "x_PricesAsOf": res.as_of, "x_AllocationMethod": "direct", "x_FocusVersion": version,
    }
    for meter, (sku_meter, direction) in TOKEN_METERS.items():
        if meter not in cost:
            continue
        c, n = cost[meter], tokens.get(meter) or 0.0
        if not c and not n:
            continue
        billed = money(c)
        listed = money(Decimal(repr(c)) / (1 - Decimal(repr(discount)) / 100)) if discount else billed
        q = token_quantities(n)
        out.append({**base, **q, **costs(billed, listed, q["PricingQuantity"]),
                    "ChargeDescription": f"{sku_meter} for {o.model} on {o.tier} ({n:,.0f} tokens a month)",
                    "ChargeFrequency": "Usage-Based", "InvoiceIssuerName": provider_name,
                    "ProviderName": provider_name, "PublisherName": publisher,
                    "ServiceName": f"{provider_name} API", "ServiceCategory": "AI and Machine Learning",
                    "ServiceSubcategory": "Generative AI",
                    "PricingCategory": focus.PRICING_CATEGORY.get(o.tier.split(">")[0], "Standard"),
                    "SkuId": f"{o.provider}/{o.model}" if o.cascade is None else o.id,
                    "SkuMeter": sku_meter, "SkuPriceId": f"{o.provider}/{o.model}:{o.tier}:{meter}",
                    "x_Meter": meter, "x_TokenDirection": direction})
    for meter, (sku_meter, category, frequency) in OTHER_METERS.items():
        c = cost.get(meter)
        if not c:
            continue
        billed = money(c)
        row = {**base, **costs(billed), "ChargeFrequency": frequency, "SkuMeter": sku_meter,
               "ServiceCategory": category, "x_Meter": meter, "x_TokenDirection": None}
        if meter == "gpu":
            g = o.gpu
            cloud = GPU_CLOUDS.get(o.provider, o.provider)
            pq = quantity(g["gpu_hours"])
            if g["scaling"] == "always-on":
                row["ChargeFrequency"] = "Recurring"
            row.update(ChargeDescription=f"{g['gpu_name']} rental, {g['scaling']}, serving {o.model} "
                       f"({g['offer']['instance']})", InvoiceIssuerName=cloud, ProviderName=cloud,
                       PublisherName=cloud, ServiceName=f"{cloud} GPU instances", ServiceSubcategory="Other (Compute)",
                       PricingQuantity=pq, PricingUnit="GPU-Hours", ConsumedQuantity=pq, ConsumedUnit="GPU-Hours",
                       PricingCategory="Standard", SkuId=f"{o.provider}/{g['gpu']}", SkuPriceId=o.id,
                       **costs(billed, billed, pq))
        else:
            who = provider_name if meter in ("tools", "storage") else IN_HOUSE
            per_month = meter in ("storage", "ops", "fixed")
            pq = Decimal(1) if per_month else quantity(tasks)
            unit = "Months" if per_month else "Tasks"
            what = {"tools": f"tool calls (web search, file search, code sessions) for {o.model}",
                    "storage": "vector store storage", "ops": "operations for the self-hosted fleet",
                    "review": "people reviewing AI answers (expected, per task)",
                    "fallback": "people handling the tasks the AI gives up on (expected, per task)",
                    "fixed": "fixed monthly costs stated in the scenario"}[meter]
            row.update(ChargeDescription=f"{sku_meter}: {what}", InvoiceIssuerName=who, ProviderName=who,
                       PublisherName=who, ServiceName=sku_meter if who == IN_HOUSE else f"{who} API",
                       ServiceSubcategory="Generative AI" if meter == "tools" else None,
                       PricingQuantity=pq, PricingUnit=unit, PricingCategory="Standard" if who != IN_HOUSE else None,
                       SkuId=f"{o.provider}/{o.model}" if meter == "tools" else None, SkuPriceId=None,
                       **costs(billed, billed, pq))
        out.append(row)
    return focus.with_version(out, version)


def _names(book, o) -> tuple[str, str]:
    if o.kind == "gpu":
        cloud = GPU_CLOUDS.get(o.provider, o.provider)
        return cloud, cloud
    provs = sorted({s.split("/", 1)[0] for s in o.cascade["stages"]}) if o.cascade else [o.provider]
    names = [focus.provider_names(book, p) for p in provs]
    return ", ".join(n for n, _ in names), ", ".join(sorted({p for _, p in names}))


def render(exp: Export, fmt: str, raw: bool = False) -> str:
    if fmt == "focus":
        return focus.render(exp.rows, focus.columns(X_COLUMNS, exp.focus_version), raw=raw)
    rows = [{
        "scenario": r["x_Scenario"], "file": r["x_ScenarioFile"], "option": r["x_Option"], "rank": r["x_OptionRank"],
        "provider": r["ProviderName"], "model": r["x_Model"], "tier": r["x_Tier"], "caching": r["x_Caching"],
        "meter": r["x_Meter"], "quantity": r["PricingQuantity"], "unit": r["PricingUnit"],
        "unit_price": r.get("ContractedUnitPrice"), "cost": r["BilledCost"], "currency": r["BillingCurrency"],
        "period_start": r["ChargePeriodStart"][:10], "period_end": r["ChargePeriodEnd"][:10],
        **{k: r[col] for k, col in TAG_COLUMNS.items()}, "tags": r["Tags"],
    } for r in exp.rows]
    return focus.render(rows, list(CSV_COLUMNS), raw=raw)
