"""Allocate priced usage: sum it by month, split shared costs by rule, give an :class:`Allocation`."""

from __future__ import annotations


import numpy as np
import pandas as pd

from aicost.base.notices import Notice
from aicost.results.allocate import Allocation

from aicost.usage.layouts import USAGE_TIERS as TIERS
from aicost.usage.group import number
from aicost.usage.layouts import COUNTS, TOKENS
from aicost.usage.price import COST_METERS, STATUS, dense_unique

#: The media counts measured in tokens (not seconds, characters or images).
MEDIA_TOKENS = ("audio_input_tokens", "cached_audio_input_tokens", "audio_output_tokens", "image_input_tokens",
                "cached_image_input_tokens", "image_output_tokens")

SUM_COLS = ("rows", *COUNTS, *(f"cost.{m}" for m in COST_METERS), "cost", "billed_cost", "billed_rows",
            "repriced_billed")
UNALLOCATED = "(unallocated)"


def _empty(by: list[str]) -> pd.DataFrame:
    return pd.DataFrame({**{k: pd.Series(dtype=object) for k in _keys(by)},
                         **{c: pd.Series(dtype=float) for c in SUM_COLS}})


def _keys(by: list[str]) -> list[str]:
    return ["month", *[f"tag.{k}" for k in by], "sku", "tier", "status"]


def _tag_codes(s: pd.Series) -> tuple[np.ndarray, list]:
    """Codes of a tag column (a category) that sort as its text, a missing tag last."""
    codes, cats = s.cat.codes.to_numpy(), list(s.cat.categories)
    return np.where(codes < 0, len(cats), codes), cats


def _from_codes(codes: np.ndarray, cats: list) -> pd.Categorical:
    return pd.Categorical.from_codes(np.where(codes >= len(cats), -1, codes), categories=pd.Index(cats, dtype=object),
                                     validate=False)


def aggregate(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Priced groups summed by month, tags, model as priced, tier and price status, in that
    order (text by its text, a missing tag last). Key columns are categories; of the counts and
    costs, only those the log has are columns. The frame's count and cost columns are used up
    (each let go once summed)."""
    if frame.empty:
        return _empty(by)
    for c in ("provider", "model", "lcb", "lc"):  # (not needed here: let go before the work)
        frame.pop(c)
    days, dinv = dense_unique(frame.pop("day").to_numpy().astype(np.int64))
    month_of = days.astype("datetime64[D]").astype("datetime64[M]").astype(str)
    months = sorted(set(month_of))
    keys = {"month": np.array([months.index(m) for m in month_of], dtype=np.int32)[dinv]}
    del dinv
    cats: dict[str, list] = {"month": months}
    for k in by:
        keys[f"tag.{k}"], cats[f"tag.{k}"] = _tag_codes(frame[f"tag.{k}"])
    keys["sku"], cats["sku"] = frame["sku"].cat.codes.to_numpy(), list(frame["sku"].cat.categories)
    tier = frame["tier"].cat.codes.to_numpy()
    by_name = np.argsort(np.argsort(np.array(TIERS))).astype(np.int8)  # tiers sort by name
    keys["tier"] = by_name[tier]
    status = frame["status"].to_numpy()
    keys["status"] = status
    inv, n, rep = number(keys)
    out: dict[str, object] = {c: _from_codes(keys.pop(c)[rep], cats[c]) for c in cats}
    out["tier"] = pd.Categorical.from_codes(tier[rep], categories=list(TIERS))
    out["status"] = status[rep]
    del keys, rep

    def total(v: np.ndarray) -> np.ndarray:
        return np.bincount(inv, weights=v, minlength=n)

    rows = frame.pop("rows").to_numpy().astype(float)
    out["rows"] = total(rows)
    for c in (*COUNTS, *(f"cost.{m}" for m in COST_METERS)):
        if c in frame:
            out[c] = total(frame.pop(c).to_numpy())  # (let go once summed: memory stays level)
    cost = frame.pop("cost").to_numpy()
    out["cost"] = total(cost)
    hb = frame["hb"].to_numpy() > 0
    billed_rows = total(np.where(hb, rows, 0.0))
    has = billed_rows > 0
    out["billed_cost"] = np.where(has, total(np.where(hb, frame.pop("billed_cost").to_numpy(), 0.0)), np.nan) \
        if "billed_cost" in frame else np.where(has, 0.0, np.nan)
    out["billed_rows"] = billed_rows
    out["repriced_billed"] = np.where(has & (out["status"] == 0), total(np.where(hb & (status == 0), cost, 0.0)),
                                      np.nan)
    return pd.DataFrame(out, copy=False)


def _by_group(priced: pd.DataFrame, tags: list[str], toks: list[str]) -> pd.DataFrame:
    """Direct cost, requests and tokens by month and tags (in that order, a missing tag last, as
    None)."""
    if priced.empty:
        return pd.DataFrame({**{k: pd.Series(dtype=object) for k in ["month", *tags]},
                             **{c: pd.Series(dtype=float) for c in ("direct", "requests", "tokens")}})
    keys, cats = {}, {}
    for c in ["month", *tags]:
        keys[c], cats[c] = _tag_codes(priced[c])
    inv, n, rep = number(keys)
    out: dict[str, object] = {c: np.array(cats[c] + [None], dtype=object)[keys[c][rep]] for c in keys}
    out["direct"] = np.bincount(inv, weights=priced["cost"].to_numpy(), minlength=n)
    out["requests"] = np.bincount(inv, weights=priced["requests"].to_numpy(), minlength=n)
    tokens = np.zeros(n)
    for t in toks:
        tokens += np.bincount(inv, weights=priced[t].to_numpy(), minlength=n)
    out["tokens"] = tokens
    return pd.DataFrame(out)


def allocate(agg: pd.DataFrame, by: list[str], shared: list[dict], currency: str, rows: int = 0,
             skipped: int = 0, skipped_by: dict | None = None) -> Allocation:
    """Direct cost per group, shared costs split by each item's rule, and the buckets that no
    team owns: ``(unallocated)`` for rows missing a tag, ``unpriced`` for rows with no price."""
    tags = [f"tag.{k}" for k in by]
    if agg.empty:
        agg = _empty(by)
    for c in ("month", *tags, "sku", "tier"):
        if not isinstance(agg[c].dtype, pd.CategoricalDtype):
            agg[c] = agg[c].astype("category")
    toks = [t for t in (*TOKENS, *MEDIA_TOKENS) if t in agg]  # every count in tokens (audio and image too)
    ok = agg["status"].to_numpy() == 0
    priced = agg if ok.all() else agg[ok]  # (no copy when every group is priced)
    unp = agg[~ok]
    notes: list[Notice] = []
    g = _by_group(priced, tags, toks)
    g["kind"] = np.where(g[tags].isna().any(axis=1), "unallocated", "allocated") if tags else "allocated"
    for t in tags:
        g[t] = g[t].where(g[t].notna(), UNALLOCATED)
    months = sorted(set(agg["month"].dropna())) if not agg.empty else []
    extra_rows = []
    for item in shared:
        col = f"shared.{item['name']}"
        g[col] = 0.0
        for month in months:
            amount = float(item["monthly_cost"])
            mine = (g["month"] == month) & (g["kind"] == "allocated")
            if not mine.any():
                extra_rows.append({"month": month, **{t: UNALLOCATED for t in tags}, "direct": 0.0, "requests": 0.0,
                                   "tokens": 0.0, "kind": "unallocated", col: amount})
                notes.append(Notice.of("shared_unallocated", item=item["name"], month=month))
                continue
            split = item["split"]
            if split == "fixed":
                key = f"tag.{item.get('key') or by[0]}"
                for value, pct in item["percent"].items():
                    share = amount * float(pct) / 100
                    rows_v = mine & (g[key] == value)
                    if not rows_v.any():
                        extra_rows.append({"month": month, **{t: "(shared)" for t in tags}, key: value, "direct": 0.0,
                                           "requests": 0.0, "tokens": 0.0, "kind": "allocated", col: share})
                        continue
                    w = g.loc[rows_v, "direct"].to_numpy()
                    w = w / w.sum() if w.sum() > 0 else np.full(len(w), 1 / len(w))
                    g.loc[rows_v, col] += share * w
                continue
            if split == "even":
                w = np.ones(int(mine.sum()))
            else:
                metric = {"cost": "direct", "tokens": "tokens", "requests": "requests"}[item.get("by") or "cost"]
                w = g.loc[mine, metric].to_numpy().astype(float)
                if w.sum() <= 0:
                    w = np.ones(len(w))
            g.loc[mine, col] += amount * w / w.sum()
    if extra_rows:
        g = pd.concat([g, pd.DataFrame(extra_rows)], ignore_index=True).fillna(
            {f"shared.{i['name']}": 0.0 for i in shared})
        g = g.groupby(["month", *tags, "kind"], sort=True, dropna=False).sum(numeric_only=True).reset_index()
    shared_cols = [f"shared.{i['name']}" for i in shared]
    g["shared"] = g[shared_cols].sum(axis=1) if shared_cols else 0.0
    g["total"] = g["direct"] + g["shared"]
    g = g.sort_values(["month", "kind", *tags], kind="stable").reset_index(drop=True)
    g = g[["month", *tags, "kind", "direct", *shared_cols, "shared", "total", "requests", "tokens"]]
    # unpriced bucket: counts and tokens, never a cost
    u = unp[["month", "sku", "tier", "status", "rows", "requests", *toks]].astype(
        {"month": object, "sku": object, "tier": object})
    u["reason"] = u["status"].map(lambda s: STATUS[int(s)])
    u["tokens"] = u[toks].sum(axis=1)
    u = u.groupby(["month", "sku", "tier", "reason"], sort=True)[["rows", "requests", "tokens"]].sum().reset_index()
    # billed versus repriced, where the log carries what was billed
    b = agg[["sku", "billed_rows", "billed_cost", "repriced_billed"]]
    has = b["billed_rows"].fillna(0).to_numpy() > 0
    b = b if has.all() else b[has]  # (no copy when every group carries a billed amount)
    billed = pd.DataFrame(columns=["sku", "rows", "billed", "repriced", "difference", "difference_pct"])
    if not b.empty:
        by_sku = b.groupby("sku", sort=True, observed=True)  # (the categories are in the order of their text)
        bb = pd.DataFrame({"rows": by_sku["billed_rows"].sum(), "billed": by_sku["billed_cost"].sum()})
        codes, repriced = b["sku"].cat.codes.to_numpy(), b["repriced_billed"]  # a column at a time: memory
        bb["repriced"] = [repriced[codes == j].sum(min_count=1) for j in range(len(b["sku"].cat.categories))
                          if (codes == j).any()]
        bb = bb.reset_index().astype({"sku": object})
        bb["difference"] = bb["repriced"] - bb["billed"]
        bb["difference_pct"] = np.where(bb["billed"] != 0, 100 * bb["difference"] / bb["billed"].where(
            bb["billed"] != 0, np.nan), np.nan)
        billed = bb
    direct_total = float(priced["cost"].sum())
    shared_total = float(g["shared"].sum())
    totals = {
        "direct": direct_total, "shared": shared_total, "total": direct_total + shared_total,
        "allocated": float(g.loc[g["kind"] == "allocated", "total"].sum()),
        "unallocated": float(g.loc[g["kind"] == "unallocated", "total"].sum()),
        "unpriced_rows": int(unp["rows"].sum()), "unpriced_tokens": float(unp[toks].sum().sum()),
        "rows_read": int(rows), "rows_priced": int(priced["rows"].sum()), "rows_skipped": int(skipped),
        "skipped_by": dict(sorted((skipped_by or {}).items())), "months": months,
    }
    detail = priced.drop(columns=["billed_cost", "billed_rows", "repriced_billed"]).reset_index(drop=True)
    return Allocation(by, currency, g, detail, u, billed.reset_index(drop=True), shared, totals, notes)
