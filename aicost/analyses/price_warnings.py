"""Warnings about the prices behind a result: stale (checked long before the pricing date) or
deprecated models; notices, worded in :mod:`aicost.report.explain`."""

from __future__ import annotations

from datetime import date
from typing import Iterable

from aicost.base.notices import Notice
from aicost.inputs.pricebook import ModelEntry, PriceBook


def warnings_for(book: PriceBook, used: Iterable[tuple[ModelEntry, str]], as_of: date,
                 max_age_days: int | None, tools: Iterable[str] = (), offers: Iterable = ()) -> list[Notice]:
    """Stale prices (checked more than ``max_age_days`` before ``as_of``) and models past their
    deprecation date, among the (entry, tier) pairs in use, the ``tools`` the workload calls
    (their fees for those models) and the GPU ``offers`` its self-hosted options rent; one
    warning per model (or offer) and kind."""
    seen: dict[tuple, Notice] = {}
    used = list(used)
    if max_age_days is not None:
        for e in {e.key: e for e, _ in used}.values():
            for name in tools:
                found = book.tool_checked(e, name)
                if found is None:
                    continue
                checked, file, line = found
                age = (as_of - checked).days
                if age > max_age_days:  # a provider-wide fee is one warning, named by its provider
                    who = e.key if name in e.spec.tools else e.provider
                    seen[("stale", who, f"~{name}")] = Notice.of(
                        "price_stale", model=who, tier=f"{name.replace('_', ' ')} fee", age=age,
                        as_of=as_of.isoformat(), limit=max_age_days, file=file, line=line)
        for o in {id(o): o for o in offers}.values():
            age = (as_of - o.checked).days
            if age > max_age_days:
                spec = o.spec
                seen[("stale", f"gpu {spec.provider} {spec.gpu} {spec.pricing} {spec.instance or ''}", "")] = Notice.of(
                    "price_stale", model=f"{spec.provider} {spec.gpu}" + (f" ({spec.instance})" if spec.instance else ""),
                    tier=f"{spec.pricing} GPU-hour", age=age, as_of=as_of.isoformat(), limit=max_age_days,
                    file=o.doc.file, line=o.doc.line_of(o.path))
    for e, tier in used:
        spec = e.spec
        if spec.deprecated is not None and spec.deprecated <= as_of and ("deprecated", e.key) not in seen:
            seen[("deprecated", e.key)] = Notice.of("deprecated", model=e.key, date=spec.deprecated.isoformat(),
                                                    file=e.doc.file, line=e.doc.line_of(("models", e.id)))
        p = book.price(e, tier, as_of)
        if p is None or max_age_days is None:
            continue
        age = (as_of - p.checked).days
        if age > max_age_days and ("stale", e.key, tier) not in seen:
            seen[("stale", e.key, tier)] = Notice.of("price_stale", model=e.key, tier=tier, age=age,
                                                     as_of=as_of.isoformat(), limit=max_age_days, file=p.file,
                                                     line=p.line)
    return [seen[k] for k in sorted(seen)]


def warning_order(n: Notice) -> tuple:
    """Warnings of several designs merged: by model, then its stale tiers, then its deprecation."""
    return (n["model"], n.code == "deprecated", n.get("tier") or "")
