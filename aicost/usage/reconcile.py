"""Billed versus repriced from the providers' cost reports: what each provider charged (read by
:mod:`aicost.usage.billed`) beside what aicost's tables make of the same usage, by month, provider
and model, and in total per provider and month.

A cost report's model (OpenAI's ``line_item``, Anthropic's ``model``) is looked up in the price
tables like a usage row's, so that dated snapshots and aliases meet the model they are priced as;
a US-only variant (``anthropic-us``) counts with its provider. Amounts the report does not give
by model (tool calls, storage, a report not grouped by model) are in the provider's
``(not by model)`` line and in its total. Only months that the cost reports cover are compared.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aicost.usage.layouts import without_geo
from aicost.usage.price import Rates

COLUMNS = ("month", "provider", "model", "billed", "repriced", "difference", "difference_pct", "days_covered",
           "days_in_month")
TOTAL = "(total)"
NOT_BY_MODEL = "(not by model)"


def _base(sku: str) -> str:
    """``anthropic-us/claude-sonnet-4-6`` -> ``anthropic/claude-sonnet-4-6``: a geography's
    variant counts with its provider."""
    prov, sep, model = sku.partition("/")
    return (without_geo(prov) or prov) + sep + model


def reconcile(detail: pd.DataFrame, billed: pd.DataFrame, rates: Rates) -> pd.DataFrame:
    """One row per month, provider and model the cost reports name (then the provider's
    ``(total)``): ``billed`` (the reports), ``repriced`` (aicost's priced rows of that month and
    model; empty where aicost cannot say, e.g. a line not by model), their ``difference``
    (repriced - billed) and ``difference_pct`` (of billed), and how many days of the month the
    provider's reports cover: usage is repriced by month, so a month the reports cover only in
    part gets no difference. The same provider and day from two files is an input error."""
    if billed.empty:
        return pd.DataFrame({c: pd.Series(dtype=object if c in ("month", "provider", "model") else float)
                             for c in COLUMNS})
    from aicost.usage.billed import EMPTY

    lines = billed[billed["item"] != EMPTY]  # (empty buckets count for the days covered only)
    b = pd.DataFrame({"month": lines["day"].dt.strftime("%Y-%m"), "provider": lines["provider"],
                      "model": [_key(rates, p, m) for p, m in zip(lines["provider"], lines["model"])],
                      "billed": lines["amount"].astype(float)})
    if detail.empty:
        priced = pd.DataFrame({"month": [], "provider": [], "model": [], "repriced": []})
    else:
        d = detail[detail["status"].to_numpy() == 0]
        keys = pd.Series([_base(str(s)) for s in d["sku"].astype(str)], index=d.index)
        priced = pd.DataFrame({"month": d["month"].astype(str), "provider": keys.str.partition("/")[0],
                               "model": keys, "repriced": d["cost"].astype(float)})
    _overlaps(billed)
    covered = _coverage(billed)
    months = set(b["month"])
    priced = priced[priced["month"].isin(months)]
    by_model = b.groupby(["month", "provider", "model"], sort=True, observed=True)["billed"].sum().reset_index()
    repriced = priced.groupby(["month", "model"], sort=False)["repriced"].sum()
    by_model["repriced"] = [repriced.get((mo, m), np.nan) if m != f"{p}: {NOT_BY_MODEL}" else np.nan
                            for mo, p, m in zip(by_model["month"], by_model["provider"], by_model["model"])]
    totals = b.groupby(["month", "provider"], sort=True)["billed"].sum().reset_index()
    re_tot = priced.groupby(["month", "provider"], sort=False)["repriced"].sum()
    totals["model"] = [f"{p}: {TOTAL}" for p in totals["provider"]]
    totals["repriced"] = [re_tot.get((mo, p), 0.0) for mo, p in zip(totals["month"], totals["provider"])]
    out = pd.concat([by_model, totals], ignore_index=True)
    out["_total"] = out["model"].str.endswith(TOTAL)
    out = out.sort_values(["month", "provider", "_total", "model"], kind="stable").drop(columns="_total")
    cov = [covered.get((mo, p), (0, 0)) for mo, p in zip(out["month"], out["provider"])]
    out["days_covered"] = [c for c, _ in cov]
    out["days_in_month"] = [n for _, n in cov]
    whole = out["days_covered"].to_numpy() >= out["days_in_month"].to_numpy()
    # usage is repriced by month: a report that covers part of a month has nothing to compare with
    out["difference"] = np.where(whole, out["repriced"] - out["billed"], np.nan)
    out["difference_pct"] = np.where(whole & (out["billed"] != 0), 100 * out["difference"] / out["billed"].abs().where(
        out["billed"] != 0, np.nan), np.nan)
    return out[list(COLUMNS)].reset_index(drop=True)


def _coverage(billed: pd.DataFrame) -> dict[tuple[str, str], tuple[int, int]]:
    """(month, provider) -> (days of the month the provider's reports cover, days in the month)."""
    out: dict[tuple[str, str], set] = {}
    ends = billed["end_day"].where(billed["end_day"].notna(), billed["day"] + pd.Timedelta(days=1))
    for prov, start, end in zip(billed["provider"], billed["day"], ends):
        for d in pd.date_range(start, end - pd.Timedelta(days=1), freq="D"):
            out.setdefault((d.strftime("%Y-%m"), prov), set()).add(d.day)
    return {k: (len(v), pd.Period(k[0]).days_in_month) for k, v in out.items()}


def _overlaps(billed: pd.DataFrame) -> None:
    """The same provider's costs for one day from two files: their sum would count it twice."""
    seen = billed.groupby(["provider", "day"], sort=True)["file"].unique()
    twice = [(p, d, f) for (p, d), f in seen.items() if len(f) > 1]
    if twice:
        from aicost.base.errors import InputError, Problem

        p, d, files = twice[0]
        raise InputError(Problem(str(files[1]), None, "", f"{p} costs for {d.date()} are also in {files[0]}: "
                                 f"give each day once (a cost report and an analytics export of the same days "
                                 f"would count them twice){f'; {len(twice) - 1} more days like this' if len(twice) > 1 else ''}"))


def _key(rates: Rates, provider: Any, model: Any) -> str:
    """The model a cost line is priced as (``provider/model`` as the tables name it), the model as
    written where the tables do not know it, or the provider's line for amounts not by model."""
    if model is None or model != model:
        return f"{provider}: {NOT_BY_MODEL}"
    e = rates.entry(str(provider), str(model))
    return _base(e.key) if e is not None else f"{provider}/{model}"
