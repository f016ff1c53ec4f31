"""Options of a scenario and their prices as arrays, built once before any evaluation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ..pricing import ModelEntry, Price, PriceBook
from ..tiers import TIER_LABEL, TIERS  # noqa: F401  (TIER_LABEL re-exported)
RATE_KEYS = ("input", "cached_input", "cache_write", "output", "reasoning")


@dataclass(frozen=True)
class Option:
    """One way of running the workload: a model on a tier, with or without prompt caching."""

    id: str
    provider: str
    model: str
    ref: str  # the scenario's name for the model
    tier: str
    caching: bool
    entry: ModelEntry = field(repr=False, compare=False)
    price: Price | None = field(repr=False, compare=False)
    long_price: Price | None = field(repr=False, compare=False)


def option_id(provider: str, model: str, tier: str, caching: bool) -> str:
    return f"{provider}/{model}:{tier}" + (":cached" if caching else "")


@dataclass
class Plan:
    """Static side of an evaluation: options (rows) and their per-option arrays, shape (O, 1)."""

    options: list[Option]
    model_refs: list[str]
    model_index: np.ndarray
    caching: np.ndarray
    offered: np.ndarray
    rates: dict[str, np.ndarray]
    long_rates: dict[str, np.ndarray]
    threshold: np.ndarray
    context_window: np.ndarray
    min_cache: np.ndarray
    tier_latency: np.ndarray
    currency: str
    as_of: date

    def __len__(self) -> int:
        return len(self.options)


def _rate_vector(price: Price | None, write_ttl: str) -> dict[str, float]:
    if price is None:
        return {k: np.nan for k in RATE_KEYS}

    def f(x):
        return np.nan if x is None else float(x)

    if write_ttl == "1h" and price.cache_write_1h is not None:
        write = price.cache_write_1h
    else:  # no TTL-priced write: a write costs the write rate, or plain input where there is none
        write = price.cache_write if price.cache_write is not None else price.input
    return {
        "input": f(price.input),
        "cached_input": f(price.cached_input),
        "cache_write": f(write),
        "output": f(price.output),
        "reasoning": f(price.reasoning if price.reasoning is not None else price.output),
    }


def build_plan(
    book: PriceBook,
    models: dict[str, list[ModelEntry]],
    tiers: list[str],
    caching_choices: list[bool],
    write_ttl: str,
    as_of: date,
    model_tiers: dict[str, list[str] | None] | None = None,
) -> Plan:
    """Every (model, tier, caching) option of a scenario, in a stable order."""
    options: list[Option] = []
    refs = list(models)
    for ref in refs:
        for entry in models[ref]:
            only = (model_tiers or {}).get(ref)
            for tier in (t for t in TIERS if t in tiers and (only is None or t in only)):
                for cached in sorted(set(caching_choices)):
                    price = book.price(entry, tier, as_of)
                    long_price = book.price(entry, tier, as_of, long_context=True)
                    options.append(
                        Option(option_id(entry.provider, entry.id, tier, cached), entry.provider, entry.id,
                               ref, tier, cached, entry, price, long_price)
                    )
    n = len(options)

    def col(values, dtype=float):
        return np.asarray(values, dtype=dtype).reshape(n, 1)

    rates = {k: col([_rate_vector(o.price, write_ttl)[k] for o in options]) for k in RATE_KEYS}
    long_rates = {k: col([_rate_vector(o.long_price, write_ttl)[k] for o in options]) for k in RATE_KEYS}
    lc = [o.entry.spec.long_context for o in options]
    rule = [book.tier_rule(o.provider, o.tier) for o in options]
    return Plan(
        options=options,
        model_refs=refs,
        model_index=np.asarray([refs.index(o.ref) for o in options], dtype=int),
        caching=col([1.0 if o.caching else 0.0 for o in options]),
        offered=col([o.entry.offers(o.tier) for o in options], bool),
        rates=rates,
        long_rates=long_rates,
        threshold=col([c.threshold if c else np.inf for c in lc]),
        context_window=col([o.entry.spec.context_window or np.inf for o in options]),
        min_cache=col([o.entry.spec.min_cache_tokens or 0 for o in options]),
        tier_latency=col([float(r.max_latency_seconds) if r and r.max_latency_seconds else 0.0 for r in rule]),
        currency=book.currency,
        as_of=as_of,
    )
