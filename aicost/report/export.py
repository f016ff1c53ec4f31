"""Forecast export rows for finance: each exported option's monthly cost by meter, as FOCUS rows
(FinOps FOCUS 1.2, or 1.3) or a plain wide CSV. Amounts are rounded here, to the millionth.

Every row's cost is the report's meter cost, so the rows of one option sum to that option's
monthly cost (to the millionth of the currency).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from aicost.report import focus
from aicost.base.constants import MEDIA_METERS
from aicost.report.focus import TAG_COLUMNS, TOKEN_METERS, costs, money, quantity
from aicost.results.export import ExportResult

#: Non-token meters: SKU meter name, FOCUS service, category, frequency, who invoices.
OTHER_METERS = {
    "tools": ("Tool Fees", "AI and Machine Learning", "Usage-Based"),
    "router": ("Routing Classifier", "AI and Machine Learning", "Usage-Based"),
    "failover": ("Failover", "AI and Machine Learning", "Usage-Based"),
    "provisioned": ("Provisioned Throughput Units", "AI and Machine Learning", "Recurring"),
    "fine_tuning": ("Fine-Tuning", "AI and Machine Learning", "Recurring"),
    "storage": ("Vector Storage", "Storage", "Recurring"),
    "freshness": ("Re-embedding", "AI and Machine Learning", "Recurring"),
    "fan_out": ("Vector Database Reads", "Databases", "Usage-Based"),
    "ownership": ("Vector Database Ownership", "Databases", "Recurring"),
    "cache_storage": ("Context Cache Storage", "AI and Machine Learning", "Recurring"),
    "gpu": ("GPU-Hours", "Compute", "Usage-Based"),
    "ops": ("Operations", "Other", "Recurring"),
    "review": ("Human Review", "Other", "Usage-Based"),
    "fallback": ("Human Fallback", "Other", "Usage-Based"),
    "fixed": ("Fixed Monthly Costs", "Other", "Recurring"),
}
#: FOCUS 1.2 ServiceSubcategory of each meter (never null: ServiceSubcategory-C-002-M), one per
#: ServiceName (ServiceName-C-005-C and C-008-C): tokens and tools are the provider's API.
SUBCATEGORY = {"tools": "Generative AI", "router": "Generative AI", "failover": "Generative AI", "provisioned": "Generative AI", "fine_tuning": "Generative AI",
               "freshness": "Generative AI", "fan_out": "Other (Databases)", "ownership": "Other (Databases)", "cache_storage": "Generative AI", "storage": "Other (Storage)",
               "gpu": "Other (Compute)", "ops": "Other (Other)", "review": "Other (Other)",
               "fallback": "Other (Other)", "fixed": "Other (Other)"}
IN_HOUSE = "In-house"
#: Meters the model's provider bills (the rest are in-house or your own store's), and meters priced by the month.
BY_PROVIDER = ("tools", "router", "storage", "cache_storage", "fine_tuning")
PER_MONTH = ("storage", "cache_storage", "ops", "fixed", "fine_tuning", "freshness", "ownership")
GPU_CLOUDS = {"aws": "AWS", "azure": "Microsoft Azure", "gcp": "Google Cloud", "lambda": "Lambda",
              "runpod": "RunPod", "coreweave": "CoreWeave", "oci": "Oracle Cloud"}
X_COLUMNS = ("x_Scenario", "x_ScenarioFile", "x_Option", "x_OptionRank", "x_Model", "x_Tier", "x_Caching",
             "x_Meter", "x_TokenDirection", *TAG_COLUMNS.values(), "x_MonthlyCostOfOption", "x_PriceSource",
             "x_PricesAsOf", "x_AllocationMethod", "x_FocusVersion")
CSV_COLUMNS = ("scenario", "file", "option", "rank", "provider", "model", "tier", "caching", "meter",
               "quantity", "unit", "unit_price", "cost", "currency", "period_start", "period_end",
               *TAG_COLUMNS, "tags")




def rows(exp: ExportResult) -> list[dict[str, Any]]:
    """FOCUS column -> value for every meter of every exported option, x_ columns included."""
    out: list[dict[str, Any]] = []
    for item in exp.items:
        out += _option_rows(exp, item.scenario, item.option, item.tags, item.start, item.end, item.names)
    return out


def _option_rows(exp: ExportResult, res, o, tags: dict, start: date, end: date, names: tuple[str, str]) -> list[dict]:
    account, version = exp.account, exp.focus_version
    out = []
    cost, tokens = o.meters["cost"], o.meters["tokens"]
    provider_name, publisher = names
    discount = (o.price or {}).get("discount_percent")
    tasks = res.tasks_per_month
    base = {
        "BillingCurrency": exp.currency, "BillingAccountId": account, "BillingAccountName": "aicost forecast",
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
    out += _usage_rows(o, base, cost, {**tokens, **(o.meters.get("units") or {})}, discount, names)
    for meter, (sku_meter, category, frequency) in OTHER_METERS.items():
        c = cost.get(meter)
        if not c:
            continue
        billed = money(c)
        row = {**base, **costs(billed), "ChargeFrequency": frequency, "SkuMeter": sku_meter,
               "ServiceCategory": category, "x_Meter": meter, "x_TokenDirection": None}
        if meter == "provisioned":
            row.update(_ptu_row(o, billed, names))
        elif meter == "gpu":
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
            who = provider_name if meter in BY_PROVIDER else IN_HOUSE
            fo = o.resilience or {}
            if meter == "failover" and fo.get("failover_provider"):  # billed by the failover's provider
                who = fo.get("failover_provider_name") or fo["failover_provider"]
            per_month = meter in PER_MONTH
            pq = Decimal(1) if per_month else quantity(tasks)
            unit = "Months" if per_month else "Tasks"
            what = {"tools": f"tool calls (web search, file search, code sessions) for {o.model}",
                    "router": "the classifier call that routes each task to its segment's option",
                    "failover": "requests sent to the failover model when the option's provider is down or over "
                                "its rate limit",
                    "storage": "vector store storage", "ops": "operations for the self-hosted fleet",
                    "cache_storage": f"explicit context cache holding the cached prompt prefixes for {o.model}",
                    "review": "people reviewing AI answers (expected, per task)",
                    "fallback": "people handling the tasks the AI gives up on (expected, per task)",
                    "fixed": "fixed monthly costs stated in the scenario",
                    "fine_tuning": f"training {o.model} (and hosting it, where billed), spread over the horizon",
                    "freshness": "re-embedding the refreshed share of the corpus for your vector database",
                    "fan_out": "searches of your vector database (read units)",
                    "ownership": "your vector database's instance, operations and plan minimum"}[meter]
            service = sku_meter if who == IN_HOUSE else f"{who} {sku_meter}" if meter == "storage" else f"{who} API"
            sku = f"{fo['failover_provider']}/{fo['failover_model']}" if meter == "failover" and fo.get(
                "failover_provider") else f"{o.provider}/{o.model}" if meter in ("tools", "router", "cache_storage",
                                                                                  "fine_tuning") else \
                f"{o.provider}/vector-storage" if meter == "storage" else f"in-house/{meter}"
            row.update(ChargeDescription=f"{sku_meter}: {what}", InvoiceIssuerName=who, ProviderName=who,
                       PublisherName=who, ServiceName=service, ServiceSubcategory=SUBCATEGORY[meter],
                       PricingQuantity=pq, PricingUnit=unit, PricingCategory="Standard" if who != IN_HOUSE else None,
                       SkuId=sku, SkuPriceId=None, **costs(billed, billed, pq))
        out.append(row)
    return focus.with_version(out, version)




#: Every usage meter: text tokens, then audio, speech, images and embeddings, each with its SKU meter name,
#: token direction, consumed unit, pricing unit and consumed units per pricing unit.
USAGE_METERS = {**{m: (sku, d, "Tokens", focus.TOKEN_UNIT, focus.TOKENS_PER_UNIT) for m, (sku, d) in TOKEN_METERS.items()},
                **MEDIA_METERS}


def _usage_rows(o, base: dict, cost: dict, qty: dict, discount, names: tuple[str, str]) -> list[dict]:
    """One row per usage meter an option bills, in its own unit (tokens, minutes, characters,
    images): a text token meter with tokens but no cost still shows (cached reads priced at 0)."""
    provider_name, publisher = names
    out = []
    for meter, (sku_meter, direction, unit, pricing_unit, per) in USAGE_METERS.items():
        if meter not in cost:
            continue
        c, n = cost[meter], qty.get(meter) or 0.0
        if not c and (not n or o.kind == "gpu" or meter in MEDIA_METERS):  # a GPU fleet's tokens are not billed
            continue
        billed = money(c)
        listed = money(Decimal(repr(c)) / (1 - Decimal(repr(discount)) / 100)) if discount else billed
        consumed = Decimal(round(n)) if unit in ("Tokens", "Characters") else quantity(n)
        pq = quantity(consumed / per) if consumed is not None else None
        out.append({**base, "PricingQuantity": pq, "PricingUnit": pricing_unit, "ConsumedQuantity": consumed,
                    "ConsumedUnit": unit, **costs(billed, listed, pq),
                    "ChargeDescription": f"{sku_meter} for {o.model} on {o.tier} ({n:,.0f} {unit.lower()} a month)",
                    "ChargeFrequency": "Usage-Based", "InvoiceIssuerName": provider_name,
                    "ProviderName": provider_name, "PublisherName": publisher,
                    "ServiceName": f"{provider_name} API", "ServiceCategory": "AI and Machine Learning",
                    "ServiceSubcategory": "Generative AI",
                    "PricingCategory": focus.PRICING_CATEGORY.get(o.tier.split(">")[0], "Standard"),
                    "SkuId": f"{o.provider}/{o.model}" if o.cascade is None else o.id,
                    "SkuMeter": sku_meter, "SkuPriceId": f"{o.provider}/{o.model}:{o.tier}:{meter}",
                    "x_Meter": meter, "x_TokenDirection": direction})
    return out


def _ptu_row(o, billed: Decimal, names: tuple[str, str]) -> dict[str, Any]:
    """A provisioned-throughput reservation for the month: PTU-hours deployed (hourly) or the
    PTU-months of a one-month or one-year reservation, with the commitment-discount columns."""
    p = o.provisioned
    name, publisher = names
    hourly = p["term"] == "hourly"
    pq = quantity(p["ptus"] * (730 if hourly else 1))
    unit = "PTU-Hours" if hourly else "PTU-Months"
    out: dict[str, Any] = {
        "ChargeDescription": f"Provisioned throughput for {o.model}: {p['ptus']:,.0f} PTUs, {p['deployment']} "
                             f"deployment, {p['term']} ({p['utilisation']:.0%} used at the scenario's load)",
        "InvoiceIssuerName": name, "ProviderName": name, "PublisherName": publisher, "ServiceName": f"{name} API",
        "ServiceSubcategory": "Generative AI", "PricingQuantity": pq, "PricingUnit": unit,
        "ConsumedQuantity": pq, "ConsumedUnit": unit, "SkuId": f"{o.provider}/{o.model}:ptu-{p['deployment']}",
        "SkuPriceId": o.id, "PricingCategory": "Standard" if hourly else "Committed", **costs(billed, billed, pq)}
    if not hourly:
        out.update(CommitmentDiscountCategory="Usage", CommitmentDiscountId=f"{o.provider}/ptu-{p['deployment']}-"
                   f"{p['term']}", CommitmentDiscountName=f"{p['deployment']} provisioned throughput, {p['term']} "
                   f"reservation", CommitmentDiscountQuantity=pq, CommitmentDiscountStatus="Used",
                   CommitmentDiscountType="Reservation", CommitmentDiscountUnit=unit)
    return out


def render_focus(exp: ExportResult, raw: bool = False, **_: Any) -> str:
    return focus.render(rows(exp), focus.columns((*focus.COMMITMENT, *X_COLUMNS), exp.focus_version), raw=raw)


def render_json(exp: ExportResult, **_: Any) -> str:
    """The versioned result with its FOCUS rows (amounts to the millionth, as in the CSV)."""
    from aicost.report.json import dumps

    return dumps({**exp.to_dict(), "rows": rows(exp)})


def render_csv(exp: ExportResult, raw: bool = False, **_: Any) -> str:
    table = [{
        "scenario": r["x_Scenario"], "file": r["x_ScenarioFile"], "option": r["x_Option"], "rank": r["x_OptionRank"],
        "provider": r["ProviderName"], "model": r["x_Model"], "tier": r["x_Tier"], "caching": r["x_Caching"],
        "meter": r["x_Meter"], "quantity": r["PricingQuantity"], "unit": r["PricingUnit"],
        "unit_price": r.get("ContractedUnitPrice"), "cost": r["BilledCost"], "currency": r["BillingCurrency"],
        "period_start": r["ChargePeriodStart"][:10], "period_end": r["ChargePeriodEnd"][:10],
        **{k: r[col] for k, col in TAG_COLUMNS.items()}, "tags": r["Tags"],
    } for r in rows(exp)]
    return focus.render(table, list(CSV_COLUMNS), raw=raw)


def summary_lines(exp: ExportResult, **_: Any) -> list[str]:
    return [f"{len(rows(exp))} rows, {len(exp.totals)} option(s), {sum(exp.totals.values()):,.2f} {exp.currency} "
            f"a month"]
