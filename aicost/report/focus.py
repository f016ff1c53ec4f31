"""FOCUS 1.2 columns and value formats, shared by the forecast export and the usage showback.

The column set and rules follow FinOps FOCUS 1.2 (``specification/columns/*.md`` and
``specification/attributes/*.md`` at tag v1.2): mandatory columns always present, empty field
for null, UTC date-times with an exclusive period end, units such as ``1000000 Tokens`` and
``GPU-Hours``, custom columns prefixed ``x_`` and placed after every FOCUS column.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Iterable

from aicost.base.constants import TOKENS_PER_MTOK
from aicost.report.csvsafe import write_rows


MANDATORY = (
    "BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "BillingCurrency",
    "BillingAccountId", "BillingAccountName", "BillingPeriodStart", "BillingPeriodEnd",
    "ChargePeriodStart", "ChargePeriodEnd", "ChargeCategory", "ChargeClass", "ChargeDescription",
    "InvoiceIssuerName", "ProviderName", "PublisherName", "ServiceName", "ServiceCategory",
    "PricingQuantity", "PricingUnit",
)
OPTIONAL = (
    "InvoiceId",  # RECOMMENDED in FOCUS 1.2; always null here (estimates and showback are not invoiced)
    "ServiceSubcategory", "ChargeFrequency", "ConsumedQuantity", "ConsumedUnit",
    "ListUnitPrice", "ContractedUnitPrice", "PricingCategory",
    "SkuId", "SkuMeter", "SkuPriceId", "RegionId", "RegionName",
    "ResourceId", "ResourceName", "ResourceType", "SubAccountId", "SubAccountName", "Tags",
)
V13 = ("ServiceProviderName", "HostProviderName")
#: FOCUS commitment-discount columns (forecast exports: a provisioned-throughput reservation).
COMMITMENT = ("CommitmentDiscountCategory", "CommitmentDiscountId", "CommitmentDiscountName",
              "CommitmentDiscountQuantity", "CommitmentDiscountStatus", "CommitmentDiscountType",
              "CommitmentDiscountUnit")  # FOCUS 1.3 successors of ProviderName / PublisherName

#: Which meter is which token direction, SKU meter name and unit.
TOKEN_METERS = {
    "input": ("Input Tokens", "input"),
    "cached_input": ("Cached Input Tokens", "cached"),
    "cache_write": ("Cache Write Tokens", "cache_write"),
    "cache_write_1h": ("Cache Write Tokens (1 hour)", "cache_write"),
    "output": ("Output Tokens", "output"),
    "reasoning": ("Reasoning Tokens", "output"),
}
TOKENS_PER_UNIT = TOKENS_PER_MTOK
TOKEN_UNIT = "1000000 Tokens"

#: FOCUS PricingCategory by tier: Batch and Flex are the providers' variable, queue-priced rates.
PRICING_CATEGORY = {"standard": "Standard", "priority": "Standard", "batch": "Dynamic", "flex": "Dynamic"}

MONEY_PLACES = Decimal("0.000001")

#: Scenario and usage tags with a column of their own (after the FOCUS columns).
TAG_COLUMNS = {"team": "x_Team", "feature": "x_Feature", "tenant": "x_Tenant", "cost_center": "x_CostCenter",
               "environment": "x_Environment"}


def costs(billed: Decimal, listed: Decimal | None = None, pq: Decimal | None = None) -> dict[str, Any]:
    """The four cost columns (billed = effective = contracted for an estimate; list before a
    negotiated discount) and, given a pricing quantity, the unit prices that multiply back."""
    listed = billed if listed is None else listed
    d: dict[str, Any] = {"BilledCost": billed, "EffectiveCost": billed, "ContractedCost": billed, "ListCost": listed}
    if pq is not None:
        d.update(ListUnitPrice=unit_price(listed, pq), ContractedUnitPrice=unit_price(billed, pq))
    return d


def token_quantities(tokens: float) -> dict[str, Any]:
    """Pricing quantity in ``1000000 Tokens`` and consumed quantity in ``Tokens``."""
    n = Decimal(round(tokens))
    return {"PricingQuantity": quantity(n / TOKENS_PER_UNIT), "PricingUnit": TOKEN_UNIT,
            "ConsumedQuantity": n, "ConsumedUnit": "Tokens"}


def with_version(rows: list[dict[str, Any]], version: str) -> list[dict[str, Any]]:
    """FOCUS 1.3 names the provider columns ServiceProviderName and HostProviderName."""
    if version == "1.3":
        for r in rows:
            r["ServiceProviderName"] = r["ProviderName"]
            r["HostProviderName"] = r["InvoiceIssuerName"]
    return rows


def columns(extra: Iterable[str], version: str = "1.2") -> list[str]:
    cols = list(MANDATORY) + list(OPTIONAL)
    if version == "1.3":
        cols += list(V13)
    return cols + [c for c in extra]


def money(x: float | Decimal | None) -> Decimal | None:
    """An amount as a plain decimal, to the millionth (rows then sum to the report's total to
    well under a cent)."""
    if x is None:
        return None
    d = x if isinstance(x, Decimal) else Decimal(repr(float(x)))
    d = d.quantize(MONEY_PLACES, rounding=ROUND_HALF_EVEN)
    return _plain(d)


def money_texts(values: Any, style: str = "csv") -> list[str]:
    """:func:`money` of each amount as written: ``"csv"`` as the CSV cell of the decimal,
    ``"json"`` as the JSON reports write it (a whole amount as an integer, else the float to 12
    significant digits). A column at a time, for a million groups: where rounding to the
    millionth is certain from binary arithmetic (the amount is not within a few units in the
    last place of a tie, nor a million or more) no Decimal is made; the rest go through money."""
    import numpy as np

    x = np.asarray(values, dtype=float)
    s = x * 1e6
    q = np.rint(s)  # half to even, as money()
    near = np.abs(np.abs(s - np.trunc(s)) - 0.5) <= 4 * np.spacing(np.abs(s)) + 1e-9
    sure = (np.isfinite(s) & (np.abs(s) < 1e12) & ~near).tolist()
    out = []
    for v, n, ok in zip(x.tolist(), q.tolist(), sure):
        if not ok:
            out.append(_money_text(money(v), style))
        elif style == "json":
            out.append(str(int(n) // 1_000_000) if n % 1_000_000 == 0 else repr(n / 1e6))
        elif n == 0:
            out.append("-0" if math.copysign(1.0, v) < 0 else "0")
        else:
            whole, part = divmod(abs(int(n)), 1_000_000)
            t = f"{whole}.{part:06d}".rstrip("0") if part else str(whole)
            out.append("-" + t if n < 0 else t)
    return out


def _money_text(d: Decimal | None, style: str) -> str:
    if d is None:
        return "null" if style == "json" else ""
    if style == "csv":
        return format(d, "f")
    if d == d.to_integral_value():
        return str(int(d))
    return repr(float(f"{float(d):.12g}"))


def quantity(x: float | Decimal | int | None, digits: int = 12) -> Decimal | None:
    if x is None:
        return None
    if isinstance(x, int):
        return Decimal(x)
    d = x if isinstance(x, Decimal) else Decimal(repr(float(x)))
    if d == 0:
        return Decimal(0)
    exp = d.adjusted() - digits + 1
    return _plain(d.quantize(Decimal(1).scaleb(min(exp, 0)), rounding=ROUND_HALF_EVEN))


def unit_price(cost: Decimal | None, qty: Decimal | None) -> Decimal | None:
    if cost is None or not qty:
        return None
    return quantity(cost / qty, 10)


def _plain(d: Decimal) -> Decimal:
    d = d.normalize()
    return d.quantize(Decimal(1)) if d == d.to_integral_value() else d


def utc(d: date | datetime) -> str:
    """FOCUS date-time: UTC, ``YYYY-MM-DDTHH:mm:ssZ``."""
    if isinstance(d, datetime):
        d = d.astimezone(timezone.utc) if d.tzinfo else d
        return d.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{d.isoformat()}T00:00:00Z"


def tags_json(tags: dict[str, Any]) -> str | None:
    """FOCUS key-value format: a flat JSON object with unique keys and scalar values."""
    if not tags:
        return None
    return json.dumps({k: tags[k] for k in sorted(tags)}, ensure_ascii=False, separators=(",", ":"))


def render(rows: list[dict[str, Any]], cols: list[str], raw: bool = False) -> str:
    """RFC 4180 CSV, text cells guarded against formula injection (numbers never are)."""
    return write_rows(cols, ([r.get(c) for c in cols] for r in rows), raw=raw)
