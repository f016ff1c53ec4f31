"""Allocate priced usage: sum it by month, split shared costs by rule, give an :class:`Allocation`."""

from __future__ import annotations


import numpy as np
import pandas as pd

from aicost.base.notices import Notice
from aicost.results.allocate import Allocation

from aicost.usage.layouts import COUNTS, TOKENS
from aicost.usage.price import COST_METERS, STATUS

SUM_COLS = ("rows", *COUNTS, *(f"cost.{m}" for m in COST_METERS), "cost", "billed_cost", "billed_rows",
            "repriced_billed")
UNALLOCATED = "(unallocated)"


def _empty(by: list[str]) -> pd.DataFrame:
    return pd.DataFrame({**{k: pd.Series(dtype=object) for k in _keys(by)},
                         **{c: pd.Series(dtype=float) for c in SUM_COLS}})


def _keys(by: list[str]) -> list[str]:
    return ["month", *[f"tag.{k}" for k in by], "sku", "tier", "status"]


def aggregate(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Priced groups summed by month, tags, model as priced, tier and price status."""
    if frame.empty:
        return _empty(by)
    months = frame["day"].to_numpy().astype("datetime64[D]").astype("datetime64[M]").astype(str)
    df = pd.DataFrame({"month": months, **{f"tag.{k}": frame[f"tag.{k}"] for k in by},
                       "sku": frame["sku"], "tier": frame["tier"].astype(object), "status": frame["status"]})
    hb = frame["hb"].to_numpy()
    df["rows"] = frame["rows"].to_numpy().astype(float)
    for c in COUNTS:
        df[c] = frame[c].to_numpy()
    for m in COST_METERS:
        df[f"cost.{m}"] = frame[f"cost.{m}"].to_numpy()
    df["cost"] = frame["cost"].to_numpy()
    df["billed_cost"] = np.where(hb, frame["billed_cost"].to_numpy(), np.nan)
    df["billed_rows"] = np.where(hb, df["rows"], 0.0)
    df["repriced_billed"] = np.where(hb, frame["cost"].to_numpy(), np.nan)
    keys = _keys(by)
    for k in keys:
        df[k] = df[k].astype(object).where(df[k].notna(), None)
    out = df.groupby(keys, sort=True, dropna=False)[list(SUM_COLS)].sum(min_count=1).reset_index()
    out["rows"] = out["rows"].fillna(0.0)
    out["billed_rows"] = out["billed_rows"].fillna(0.0)
    out["status"] = out["status"].astype(np.int64)
    return out


def allocate(agg: pd.DataFrame, by: list[str], shared: list[dict], currency: str, rows: int = 0,
             skipped: int = 0, skipped_by: dict | None = None) -> Allocation:
    """Direct cost per group, shared costs split by each item's rule, and the buckets that no
    team owns: ``(unallocated)`` for rows missing a tag, ``unpriced`` for rows with no price."""
    tags = [f"tag.{k}" for k in by]
    if agg.empty:
        agg = _empty(by)
    priced = agg[agg["status"] == 0]
    unp = agg[agg["status"] != 0]
    notes: list[Notice] = []
    g = priced.groupby(["month", *tags], sort=True, dropna=False)[["cost", "requests", *TOKENS]].sum().reset_index()
    g["tokens"] = g[list(TOKENS)].sum(axis=1)
    g = g.drop(columns=list(TOKENS)).rename(columns={"cost": "direct"})
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
    u = unp.copy()
    u["reason"] = u["status"].map(lambda s: STATUS[int(s)])
    u["tokens"] = u[list(TOKENS)].sum(axis=1)
    u = u.groupby(["month", "sku", "tier", "reason"], sort=True)[["rows", "requests", "tokens"]].sum().reset_index()
    # billed versus repriced, where the log carries what was billed
    b = agg[(agg["billed_rows"].fillna(0) > 0)]
    billed = pd.DataFrame(columns=["sku", "rows", "billed", "repriced", "difference", "difference_pct"])
    if not b.empty:
        bb = b.groupby("sku", sort=True).agg(rows=("billed_rows", "sum"), billed=("billed_cost", "sum"),
                                            repriced=("repriced_billed", lambda s: s.sum(min_count=1)))
        bb = bb.reset_index()
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
        "unpriced_rows": int(unp["rows"].sum()), "unpriced_tokens": float(unp[list(TOKENS)].sum().sum()),
        "rows_read": int(rows), "rows_priced": int(priced["rows"].sum()), "rows_skipped": int(skipped),
        "skipped_by": dict(sorted((skipped_by or {}).items())), "months": months,
    }
    return Allocation(by, currency, g, priced.reset_index(drop=True), u, billed.reset_index(drop=True), shared,
                      totals, notes)
