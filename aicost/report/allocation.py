"""Render a showback allocation: table, csv, json or FOCUS rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Iterator

from aicost.base.constants import MEDIA_METERS
from aicost.base.errors import visible
from aicost.report import cost_reports, focus
from aicost.report.numbers import present
from aicost.results.export import month_bounds
from aicost.usage.layouts import MEDIA_COUNTS
from aicost.report.explain import UNPRICED_USAGE, say, says
from aicost.report.focus import TAG_COLUMNS, TOKEN_METERS, costs, money, money_texts, quantity, token_quantities

FORMATS = ("table", "csv", "json", "focus")
TABLE_ROWS = 100  # the table shows every group up to this many; beyond, the largest and one line for the rest
BATCH = 20_000  # rows of a frame turned into Python values at a time
#: The usage count each media meter is measured by (an embedding model's: its input tokens).
MEDIA_COUNT_COL = {**{meter: count for count, (_, meter, _) in MEDIA_COUNTS.items()}, "embedding": "input_tokens"}
TOKEN_COL = {"input": "input_tokens", "cached_input": "cached_input_tokens", "cache_write": "cache_write_tokens",
             "cache_write_1h": "cache_write_1h_tokens", "output": "output_tokens", "reasoning": "reasoning_tokens"}


_v = present  # an empty cell (None or NaN) as None


def _tags(a, row) -> dict:
    return {k: row[f"tag.{k}"] for k in a.by}


def to_dict(a, groups: bool = True) -> dict[str, Any]:
    shared_cols = [f"shared.{i['name']}" for i in a.shared_items]
    rows = []
    for r in (_records(a.groups) if groups else ()):
        rows.append({"month": r["month"], "tags": _tags(a, r), "kind": r["kind"], "direct": money(r["direct"]),
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

    extra = {} if a.reported is None else {"cost_reports": cost_reports.rows(a)}
    return envelope("allocation", {
        "currency": a.currency, "by": a.by, "totals": t, "groups": rows, "unpriced": unpriced,
        "billed_vs_repriced": billed, **extra,
        "shared": [{k: (str(v) if k == "monthly_cost" else v) for k, v in i.items() if v is not None}
                   for i in a.shared_items],
        "notes": says(a.notes)})


def _plain(x):
    from decimal import Decimal

    if isinstance(x, Decimal):
        return int(x) if x == x.to_integral_value() else float(x)
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_plain(v) for v in x]
    return x


def render_json(a, **_: Any) -> str:
    from aicost.report.json import dumps

    text = dumps(_plain(to_dict(a, groups=False)))
    if a.groups.empty:
        return text
    head, _, tail = text.partition('\n  "groups": [],\n')  # the groups go in, written a batch at a time
    parts = [head, '\n  "groups": [\n']
    for start in range(0, len(a.groups), BATCH):
        parts += [",\n" if start else "", _json_groups(a, a.groups.iloc[start:start + BATCH])]
    return "".join([*parts, '\n  ],\n', tail])


def _json_groups(a, g) -> str:
    """Groups as :func:`render_json` writes them (as ``dumps`` would, two spaces a level)."""
    import json

    def q(v):
        return json.dumps(v, ensure_ascii=False)

    month, kind = _each(g["month"], q), _each(g["kind"], q)
    tags = [(f"        {q(k)}: ", _each(g[f"tag.{k}"], q)) for k in a.by]
    items = [(f"        {q(i['name'])}: ", money_texts(g[f"shared.{i['name']}"], "json")) for i in a.shared_items]
    direct, shared, total = (money_texts(g[c], "json") for c in ("direct", "shared", "total"))
    requests, tokens = ([str(int(x)) for x in g[c].tolist()] for c in ("requests", "tokens"))
    out = []
    for i in range(len(g)):
        t = ",\n".join(h + v[i] for h, v in tags)
        s = "{\n" + ",\n".join(h + v[i] for h, v in items) + "\n      }" if items else "{}"
        out.append(f'    {{\n      "month": {month[i]},\n      "tags": {{\n{t}\n      }},\n      "kind": {kind[i]},\n'
                   f'      "direct": {direct[i]},\n      "shared": {s},\n      "shared_total": {shared[i]},\n'
                   f'      "total": {total[i]},\n      "requests": {requests[i]},\n      "tokens": {tokens[i]}\n    }}')
    return ",\n".join(out)


def _each(s, f) -> list:
    """``f`` of each value of a column, worked out once per distinct value."""
    import pandas as pd

    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    lut = [f(_v(u)) for u in uniques] + [f(None)]
    return [lut[c] for c in codes.tolist()]


def _records(df):
    """The rows of a frame as dicts, a batch at a time (NaN as it is; categories as their values)."""
    cols = list(df.columns)
    for start in range(0, len(df), BATCH):
        part = df.iloc[start:start + BATCH]
        yield from (dict(zip(cols, vals)) for vals in zip(*(part[c].tolist() for c in cols)))


def render_csv(a, raw: bool = False, **_: Any) -> str:
    import csv
    import io

    from aicost.report.csvsafe import cell

    shared_cols = [f"shared.{i['name']}" for i in a.shared_items]
    header = ["month", *a.by, "kind", "model", "tier", "reason", "direct_cost",
              *[f"shared:{c[7:]}" for c in shared_cols], "shared_cost", "total_cost", "requests", "tokens",
              "unpriced_rows", "currency"]
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    w.writerow([cell(h, raw) for h in header])
    texts = ("month", *[f"tag.{k}" for k in a.by], "kind")
    n, cur = len(texts), _csv_text(cell(a.currency, raw))
    for start in range(0, len(a.groups), BATCH):  # a batch of columns at a time: each text once per
        g = a.groups.iloc[start:start + BATCH]      # distinct value, each amount without a Decimal
        cols = [_each(g[c], lambda v: _csv_text(cell(v, raw))) for c in texts]
        cols += [money_texts(g[c]) for c in ("direct", *shared_cols, "shared", "total")]
        cols += [[str(int(x)) for x in g[c].tolist()] for c in ("requests", "tokens")]
        buf.write("".join(",".join(r[:n]) + ",,,," + ",".join(r[n:]) + ",," + cur + "\r\n" for r in zip(*cols)))
    for r in unpriced_rows(a):
        w.writerow([cell(v, raw) for v in [r["month"], *[None for _ in a.by], "unpriced", r["sku"], r["tier"], r["reason"],
                    None, *[None for _ in shared_cols], None, None, int(r["requests"]), int(r["tokens"]),
                    int(r["rows"]), a.currency]])
    return buf.getvalue()


def _csv_text(c: str) -> str:
    """A cell as the csv module writes it (quoted when it holds a comma, quote or line break)."""
    if not any(ch in c for ch in ',"\r\n'):
        return c
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n").writerow([c, ""])
    return buf.getvalue()[:-3]


def render_table(a, **_: Any) -> str:
    t = a.totals
    cur = a.currency
    out = [f"Showback by {', '.join(a.by)}  ({len(t['months'])} month(s): {', '.join(t['months']) or '-'}; "
           f"{t['rows_read']:,} rows read, {t['rows_priced']:,} priced)"]
    shared_cols = [f"shared.{i['name']}" for i in a.shared_items]
    head = ["month", *a.by, "direct", "shared", "total", "share", "requests", "tokens"]
    body = []
    grand = t["total"] or 1.0
    g, rest = a.groups, None
    if len(g) > TABLE_ROWS:  # the largest groups, then one line that sums the rest (the columns still add up)
        import numpy as np

        top = np.argsort(-g["total"].to_numpy(), kind="stable")[:TABLE_ROWS]
        shown = np.zeros(len(g), dtype=bool)
        shown[top] = True
        g, rest = g.iloc[top], g[~shown]
        out.append(f"The {TABLE_ROWS} largest of {len(a.groups):,} groups by total, then the rest on one line "
                   "(every group: --format csv or json)")
    for r in _records(g):
        body.append([r["month"], *[str(r[f"tag.{k}"]) for k in a.by], _m(r["direct"]), _m(r["shared"]),
                     _m(r["total"]), f"{100 * r['total'] / grand:.1f}%" if t["total"] else "-",
                     f"{int(r['requests']):,}", f"{int(r['tokens']):,}"])
    if rest is not None:
        total = float(rest["total"].sum())
        body.append([f"{len(rest):,} more", *["" for _ in a.by], _m(float(rest["direct"].sum())),
                     _m(float(rest["shared"].sum())), _m(total), f"{100 * total / grand:.1f}%" if t["total"] else "-",
                     f"{int(rest['requests'].sum()):,}", f"{int(rest['tokens'].sum()):,}"])
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
    if a.reported is not None:
        out += cost_reports.table(a, _grid, _m)
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
    """Columns two spaces apart; every cell shown with :func:`visible` (a tag holding a line
    break or ESC is shown, not obeyed)."""
    head = [visible(h) for h in head]
    body = [[visible(c) for c in r] for r in body]
    w = [max([len(h)] + [len(str(r[i])) for r in body]) for i, h in enumerate(head)]

    def line(cells):
        return "  ".join(str(c).rjust(w[i]) if i >= right_from else str(c).ljust(w[i])
                         for i, c in enumerate(cells)).rstrip()
    return [line(head)] + [line(r) for r in body]


# ---- FOCUS --------------------------------------------------------------------------------

X_COLUMNS = ("x_Month", "x_Model", "x_Tier", "x_Meter", "x_TokenDirection", "x_Team", "x_Feature", "x_Tenant",
             "x_CostCenter", "x_Environment", "x_Group", "x_AllocationMethod", "x_SharedCost", "x_FocusVersion")


def focus_rows(a, account: str = "aicost-showback", version: str = "1.2") -> Iterator[dict]:
    """The FOCUS rows of an allocation, one at a time (a showback of a million groups has many
    millions of them)."""
    for r in _records(a.detail):
        tags = {k: r[f"tag.{k}"] for k in a.by if _v(r[f"tag.{k}"]) is not None}
        start, end = _month(r["month"])
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
            if (not c and not n) or (meter == "input" and _v(r.get("cost.embedding"))):
                continue  # (an embedding model's input tokens are its embedding meter)
            billed = money(c or 0.0)
            q = token_quantities(n)
            yield from focus.with_version([{
                **base, **q, **costs(billed, billed, q["PricingQuantity"]),
                "SkuMeter": sku_meter, "SkuPriceId": f"{r['sku']}:{r['tier']}:{meter}",
                "ChargeDescription": f"{sku_meter} for {r['sku']} on {r['tier']}, {group}",
                "x_Meter": meter, "x_TokenDirection": direction}], version)
        for meter, (sku_meter, direction, unit, pricing_unit, per) in MEDIA_METERS.items():
            c = _v(r.get(f"cost.{meter}"))
            if not c:
                continue
            n = _v(r.get(MEDIA_COUNT_COL[meter])) or 0
            n = n / 60.0 if meter == "audio_minutes" else n  # the log counts seconds
            billed = money(c)
            consumed = Decimal(round(n)) if unit in ("Tokens", "Characters") else quantity(n)
            pq = quantity(consumed / per)
            yield from focus.with_version([{
                **base, **costs(billed, billed, pq), "PricingQuantity": pq, "PricingUnit": pricing_unit,
                "ConsumedQuantity": consumed, "ConsumedUnit": unit,
                "SkuMeter": sku_meter, "SkuPriceId": f"{r['sku']}:{r['tier']}:{meter}",
                "ChargeDescription": f"{sku_meter} for {r['sku']} on {r['tier']}, {group}",
                "x_Meter": meter, "x_TokenDirection": direction}], version)
        c = _v(r.get("cost.tools"))
        if c:
            calls = sum(_v(r.get(k)) or 0 for k in ("web_search_calls", "file_search_calls", "code_sessions"))
            billed, n = money(c), quantity(int(calls))
            yield from focus.with_version([{
                **base, **costs(billed, billed, n), "PricingQuantity": n, "PricingUnit": "Requests",
                "ConsumedQuantity": n, "ConsumedUnit": "Requests",
                "SkuMeter": "Tool Calls", "SkuPriceId": f"{r['sku']}:{r['tier']}:tools",
                "ChargeDescription": f"Tool calls (web search, file search, code sessions) for {r['sku']}, {group}",
                "x_Meter": "tools", "x_TokenDirection": None}], version)
    for r in (_records(a.groups) if a.shared_items else ()):
        start, end = _month(r["month"])
        tags = {k: r[f"tag.{k}"] for k in a.by}
        group = "/".join(str(v) for v in tags.values())
        for item in a.shared_items:
            c = float(r[f"shared.{item['name']}"])
            if c == 0:
                continue
            who = item.get("provider") or "In-house"
            billed = money(c)
            cat = item.get("category") or ("Credit" if c < 0 else "Usage")
            yield from focus.with_version([{
                **_base(a, start, end, account, tags, version), **costs(billed), "ChargeCategory": cat,
                "ChargeDescription": f"Share of {item['name']} for {group} ({_rule(item)})",
                "ChargeFrequency": "Recurring", "InvoiceIssuerName": who, "ProviderName": who,
                "PublisherName": who, "ServiceName": item["name"], "ServiceCategory": "Other",
                "PricingQuantity": quantity(1) if cat != "Credit" else None,
                "PricingUnit": "Months" if cat != "Credit" else None,
                "x_Group": group, "x_Meter": "shared", "x_SharedCost": item["name"],
                "x_AllocationMethod": {"even": "shared-even", "weighted": "shared-weighted",
                                       "fixed": "shared-fixed"}[item["split"]]}], version)


@lru_cache(maxsize=64)
def _month(month: str) -> tuple[date, date]:
    return month_bounds(date.fromisoformat(month + "-01"))


def _base(a, start, end, account, tags, version) -> dict:
    return {"BillingCurrency": a.currency, "BillingAccountId": account, "BillingAccountName": "aicost showback",
            "BillingPeriodStart": focus.utc(start), "BillingPeriodEnd": focus.utc(end),
            "ChargePeriodStart": focus.utc(start), "ChargePeriodEnd": focus.utc(end), "ChargeCategory": "Usage",
            "ChargeClass": None, "SubAccountId": tags.get("team"), "SubAccountName": tags.get("team"),
            "Tags": focus.tags_json({k: v for k, v in tags.items() if _v(v) is not None}),
            "x_Month": start.isoformat()[:7], **{col: tags.get(k) for k, col in TAG_COLUMNS.items()},
            "x_FocusVersion": version}


def render_focus(a, raw: bool = False, account: str = "aicost-showback", version: str = "1.2", **_: Any) -> str:
    import csv
    import io

    from aicost.report.csvsafe import cell

    cols = focus.columns(X_COLUMNS, version)
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    w.writerow([cell(h, raw) for h in cols])
    texts = _Texts(raw)  # the text cells of recent rows (most repeat from row to row), as written
    for r in focus_rows(a, account, version):
        w.writerow([texts[v] if type(v) is str else "" if v is None else cell(v, raw) for v in map(r.get, cols)])
        if len(texts) > 100_000:
            texts.clear()
    return buf.getvalue()


class _Texts(dict):
    """Text -> its CSV cell, worked out on first sight."""

    def __init__(self, raw: bool):
        super().__init__()
        self.raw = raw

    def __missing__(self, v: str) -> str:
        from aicost.report.csvsafe import cell

        t = self[v] = cell(v, self.raw)
        return t


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
