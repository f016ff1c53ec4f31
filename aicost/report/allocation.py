"""Render a showback allocation: table, csv, json or FOCUS rows."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from aicost.report import focus
from aicost.results.export import month_bounds
from aicost.report.explain import UNPRICED_USAGE, say, says
from aicost.report.focus import TAG_COLUMNS, TOKEN_METERS, costs, money, quantity, token_quantities

FORMATS = ("table", "csv", "json", "focus")
TOKEN_COL = {"input": "input_tokens", "cached_input": "cached_input_tokens", "cache_write": "cache_write_tokens",
             "cache_write_1h": "cache_write_1h_tokens", "output": "output_tokens", "reasoning": "reasoning_tokens"}


def _v(x):
    if x is None:
        return None
    try:
        if isinstance(x, float) and math.isnan(x):
            return None
    except TypeError:
        pass
    return x


def _tags(a, row) -> dict:
    return {k: row[f"tag.{k}"] for k in a.by}


def to_dict(a) -> dict[str, Any]:
    shared_cols = [f"shared.{i['name']}" for i in a.shared_items]
    groups = []
    for _, r in a.groups.iterrows():
        groups.append({"month": r["month"], "tags": _tags(a, r), "kind": r["kind"], "direct": money(r["direct"]),
                       "shared": {c[7:]: money(r[c]) for c in shared_cols}, "shared_total": money(r["shared"]),
                       "total": money(r["total"]), "requests": int(r["requests"]), "tokens": int(r["tokens"])})
    unpriced = [{"month": r["month"], "model": r["sku"], "tier": r["tier"], "reason": r["reason"], "rows": int(r["rows"]),
                 "requests": int(r["requests"]), "tokens": int(r["tokens"]), "cost": None}
                for r in unpriced_rows(a)]
    billed = [{"model": r["sku"], "rows": int(r["rows"]), "billed": money(r["billed"]), "repriced": money(_v(r["repriced"])),
               "difference": money(_v(r["difference"])),
               "difference_pct": None if _v(r["difference_pct"]) is None else round(float(r["difference_pct"]), 4)}
              for _, r in a.billed.iterrows()]
    t = dict(a.totals)
    for k in ("direct", "shared", "total", "allocated", "unallocated"):
        t[k] = money(t[k])
    from aicost.results.base import envelope

    return envelope("allocation", {
        "currency": a.currency, "by": a.by, "totals": t, "groups": groups, "unpriced": unpriced,
        "billed_vs_repriced": billed,
        "shared": [{k: (str(v) if k == "monthly_cost" else v) for k, v in i.items() if v is not None}
                   for i in a.shared_items],
        "notes": says(a.notes)})


def render_json(a, **_: Any) -> str:
    from decimal import Decimal

    from aicost.report.json import dumps

    def plain(x):
        if isinstance(x, Decimal):
            return int(x) if x == x.to_integral_value() else float(x)
        if isinstance(x, dict):
            return {k: plain(v) for k, v in x.items()}
        if isinstance(x, list):
            return [plain(v) for v in x]
        return x
    return dumps(plain(to_dict(a)))


def render_csv(a, raw: bool = False, **_: Any) -> str:
    shared_cols = [f"shared.{i['name']}" for i in a.shared_items]
    header = ["month", *a.by, "kind", "model", "tier", "reason", "direct_cost",
              *[f"shared:{c[7:]}" for c in shared_cols], "shared_cost", "total_cost", "requests", "tokens",
              "unpriced_rows", "currency"]
    rows = []
    for _, r in a.groups.iterrows():
        rows.append([r["month"], *[r[f"tag.{k}"] for k in a.by], r["kind"], None, None, None, money(r["direct"]),
                     *[money(r[c]) for c in shared_cols], money(r["shared"]), money(r["total"]),
                     int(r["requests"]), int(r["tokens"]), None, a.currency])
    for r in unpriced_rows(a):
        rows.append([r["month"], *[None for _ in a.by], "unpriced", r["sku"], r["tier"], r["reason"], None,
                     *[None for _ in shared_cols], None, None, int(r["requests"]), int(r["tokens"]), int(r["rows"]),
                     a.currency])
    from aicost.report.csvsafe import write_rows

    return write_rows(header, rows, raw=raw)


def render_table(a, **_: Any) -> str:
    t = a.totals
    cur = a.currency
    out = [f"Showback by {', '.join(a.by)}  ({len(t['months'])} month(s): {', '.join(t['months']) or '-'}; "
           f"{t['rows_read']:,} rows read, {t['rows_priced']:,} priced)"]
    shared_cols = [f"shared.{i['name']}" for i in a.shared_items]
    head = ["month", *a.by, "direct", "shared", "total", "share", "requests", "tokens"]
    body = []
    grand = t["total"] or 1.0
    for _, r in a.groups.iterrows():
        body.append([r["month"], *[str(r[f"tag.{k}"]) for k in a.by], _m(r["direct"]), _m(r["shared"]),
                     _m(r["total"]), f"{100 * r['total'] / grand:.1f}%" if t["total"] else "-",
                     f"{int(r['requests']):,}", f"{int(r['tokens']):,}"])
    out += _grid(head, body, right_from=len(a.by) + 1)
    out.append("")
    out.append(f"Total {_m(t['total'])} {cur} = allocated {_m(t['allocated'])} + unallocated {_m(t['unallocated'])}"
               f"   (direct {_m(t['direct'])} + shared {_m(t['shared'])})")
    if shared_cols:
        out.append("Shared: " + "; ".join(f"{i['name']} {_m(float(i['monthly_cost']))}/month, {_rule(i)}"
                                         for i in a.shared_items))
    if not a.unpriced.empty:
        out.append("")
        out.append(f"Unpriced (no cost counted; {t['unpriced_rows']:,} rows, {int(t['unpriced_tokens']):,} tokens):")
        out += _grid(["month", "model", "tier", "reason", "rows", "tokens"],
                     [[r["month"], r["sku"], r["tier"], r["reason"], f"{int(r['rows']):,}", f"{int(r['tokens']):,}"]
                      for r in unpriced_rows(a)], right_from=4)
    if not a.billed.empty:
        out.append("")
        out.append("Billed versus repriced with aicost's tables (rows that carry a billed amount):")
        out += _grid(["model", "rows", "billed", "repriced", "difference"],
                     [[r["sku"], f"{int(r['rows']):,}", _m(r["billed"]), _m(_v(r["repriced"])),
                       "-" if _v(r["difference"]) is None else
                       f"{_m(r['difference'])} ({r['difference_pct']:+.1f}%)" if _v(r["difference_pct"]) is not None
                       else _m(r["difference"])] for _, r in a.billed.iterrows()], right_from=1)
    if t["rows_skipped"]:
        out.append("")
        out.append(f"Skipped {t['rows_skipped']:,} bad rows (--on-error skip): " +
                   "; ".join(f"{k} x{v:,}" for k, v in t["skipped_by"].items()))
    for n in a.notes:
        out.append(f"Note: {say(n)}")
    return "\n".join(out) + "\n"


def _rule(i: dict) -> str:
    if i["split"] == "fixed":
        return "fixed " + ", ".join(f"{k} {v}%" for k, v in i["percent"].items())
    if i["split"] == "weighted":
        return f"weighted by {i.get('by') or 'cost'}"
    return "even"


def _m(x) -> str:
    if x is None:
        return "-"
    x = float(x)
    return f"{x:,.4f}" if 0 < abs(x) < 1 else f"{x:,.2f}"


def _grid(head: list[str], body: list[list[str]], right_from: int) -> list[str]:
    w = [max([len(h)] + [len(str(r[i])) for r in body]) for i, h in enumerate(head)]

    def line(cells):
        return "  ".join(str(c).rjust(w[i]) if i >= right_from else str(c).ljust(w[i])
                         for i, c in enumerate(cells)).rstrip()
    return [line(head)] + [line(r) for r in body]


# ---- FOCUS --------------------------------------------------------------------------------

X_COLUMNS = ("x_Month", "x_Model", "x_Tier", "x_Meter", "x_TokenDirection", "x_Team", "x_Feature", "x_Tenant",
             "x_CostCenter", "x_Environment", "x_Group", "x_AllocationMethod", "x_SharedCost", "x_FocusVersion")


def focus_rows(a, account: str = "aicost-showback", version: str = "1.2") -> list[dict]:
    rows = []
    for _, r in a.detail.iterrows():
        tags = {k: r[f"tag.{k}"] for k in a.by if _v(r[f"tag.{k}"]) is not None}
        start = date.fromisoformat(r["month"] + "-01")
        start, end = month_bounds(start)
        pname, publisher = _names(a, str(r["sku"]).partition("/")[0])
        group = "/".join(str(tags.get(k, "(unallocated)")) for k in a.by)
        base = _base(a, start, end, account, tags, version)
        base.update(InvoiceIssuerName=pname, ProviderName=pname, PublisherName=publisher, ServiceName=f"{pname} API",
                    ServiceCategory="AI and Machine Learning", ServiceSubcategory="Generative AI",
                    ChargeFrequency="Usage-Based", PricingCategory=focus.PRICING_CATEGORY.get(r["tier"], "Standard"),
                    SkuId=r["sku"], ResourceType="model", x_Model=r["sku"], x_Tier=r["tier"], x_Group=group,
                    x_AllocationMethod="direct")
        for meter, (sku_meter, direction) in TOKEN_METERS.items():
            c = _v(r.get(f"cost.{meter}"))
            n = _v(r.get(TOKEN_COL[meter])) or 0
            if not c and not n:
                continue
            billed = money(c or 0.0)
            q = token_quantities(n)
            rows.append({**base, **q, **costs(billed, billed, q["PricingQuantity"]),
                         "SkuMeter": sku_meter, "SkuPriceId": f"{r['sku']}:{r['tier']}:{meter}",
                         "ChargeDescription": f"{sku_meter} for {r['sku']} on {r['tier']}, {group}",
                         "x_Meter": meter, "x_TokenDirection": direction})
        c = _v(r.get("cost.tools"))
        if c:
            calls = sum(_v(r.get(k)) or 0 for k in ("web_search_calls", "file_search_calls", "code_sessions"))
            billed, n = money(c), quantity(int(calls))
            rows.append({**base, **costs(billed, billed, n), "PricingQuantity": n, "PricingUnit": "Requests",
                         "ConsumedQuantity": n, "ConsumedUnit": "Requests",
                         "SkuMeter": "Tool Calls", "SkuPriceId": f"{r['sku']}:{r['tier']}:tools",
                         "ChargeDescription": f"Tool calls (web search, file search, code sessions) for {r['sku']}, "
                                              f"{group}", "x_Meter": "tools", "x_TokenDirection": None})
    for _, r in a.groups.iterrows():
        start, end = month_bounds(date.fromisoformat(r["month"] + "-01"))
        tags = {k: r[f"tag.{k}"] for k in a.by}
        group = "/".join(str(v) for v in tags.values())
        for item in a.shared_items:
            c = float(r[f"shared.{item['name']}"])
            if c == 0:
                continue
            who = item.get("provider") or "In-house"
            billed = money(c)
            cat = item.get("category") or ("Credit" if c < 0 else "Usage")
            rows.append({**_base(a, start, end, account, tags, version), **costs(billed), "ChargeCategory": cat,
                         "ChargeDescription": f"Share of {item['name']} for {group} ({_rule(item)})",
                         "ChargeFrequency": "Recurring", "InvoiceIssuerName": who, "ProviderName": who,
                         "PublisherName": who, "ServiceName": item["name"], "ServiceCategory": "Other",
                         "PricingQuantity": quantity(1) if cat != "Credit" else None,
                         "PricingUnit": "Months" if cat != "Credit" else None,
                         "x_Group": group, "x_Meter": "shared", "x_SharedCost": item["name"],
                         "x_AllocationMethod": {"even": "shared-even", "weighted": "shared-weighted",
                                                "fixed": "shared-fixed"}[item["split"]]})
    return focus.with_version(rows, version)


def _base(a, start, end, account, tags, version) -> dict:
    return {"BillingCurrency": a.currency, "BillingAccountId": account, "BillingAccountName": "aicost showback",
            "BillingPeriodStart": focus.utc(start), "BillingPeriodEnd": focus.utc(end),
            "ChargePeriodStart": focus.utc(start), "ChargePeriodEnd": focus.utc(end), "ChargeCategory": "Usage",
            "ChargeClass": None, "SubAccountId": tags.get("team"), "SubAccountName": tags.get("team"),
            "Tags": focus.tags_json({k: v for k, v in tags.items() if _v(v) is not None}),
            "x_Month": start.isoformat()[:7], **{col: tags.get(k) for k, col in TAG_COLUMNS.items()},
            "x_FocusVersion": version}


def render_focus(a, raw: bool = False, account: str = "aicost-showback", version: str = "1.2", **_: Any) -> str:
    return focus.render(focus_rows(a, account, version), focus.columns(X_COLUMNS, version), raw=raw)


def _names(a, provider: str) -> tuple[str, str]:
    return a.provider_names.get(provider, (provider, provider))


def unpriced_rows(a) -> list[dict]:
    """The unpriced bucket, each reason in words, in (month, model, tier, reason) order."""
    rows = [{**r, "reason": UNPRICED_USAGE[r["reason"]]} for r in a.unpriced.to_dict("records")]
    return sorted(rows, key=lambda r: (r["month"], r["sku"], r["tier"], r["reason"]))


def summary_lines(a, fmt: str = "table", **_: Any) -> list[str]:
    t, out = a.totals, []
    if t["rows_skipped"]:
        out.append(f"skipped {t['rows_skipped']:,} bad rows (--on-error skip)")
    if t["unpriced_rows"]:
        out.append(f"warning: {t['unpriced_rows']:,} rows have no price (in the unpriced bucket, no cost counted"
                   f"{'; not in FOCUS rows' if fmt == 'focus' else ''})")
    return out
