"""The facts a plan's rows need to price each step: rates (and Standard's, for the Flex and Batch
fallback, and the long-context ones), tool fees, context limits, tier latency and speeds, and each
step's media facts (engine.media), as (rows, 1) arrays."""

from __future__ import annotations

from datetime import date

import numpy as np

from aicost.base.constants import TIER_LATENCY_SECONDS
from aicost.engine import media
from aicost.inputs.pricebook import ModelEntry, Price, PriceBook

RATE_KEYS = ("input", "cached_input", "cache_write", "output", "reasoning")


def _f(x) -> float:
    return np.nan if x is None else float(x)


def _rate_vector(price: Price | None, write_ttl: str) -> dict[str, float]:
    if price is None:
        return {k: np.nan for k in RATE_KEYS}
    return {"input": _f(price.input), "cached_input": _f(price.cached_input),
            "cache_write": _f(price.write_rate(write_ttl)), "output": _f(price.output),
            "reasoning": _f(price.reasoning_rate)}


def _step_entry(book: PriceBook, step: dict, main: ModelEntry) -> ModelEntry:
    if step.get("model"):
        hits = book.resolve(step["model"])
        if hits:
            return hits[0]
    return main


def _step_tier(step: dict, entry: ModelEntry, tier: str) -> str:
    """A step runs on its own tier, or the option's; a step pinned to another model that lacks
    the option's tier runs on Standard."""
    if step.get("tier"):
        return step["tier"]
    if step.get("model") and not entry.offers(tier):
        return "standard"
    return tier


def _facts(book: PriceBook, e: ModelEntry, t: str, write_ttl: str, as_of: date) -> dict:
    """Everything a row needs to price one step on model ``e`` and tier ``t``."""
    out: dict = {}
    base = _rate_vector(book.price(e, t, as_of), write_ttl)
    long = _rate_vector(book.price(e, t, as_of, long_context=True), write_ttl)
    std = _rate_vector(book.price(e, "standard", as_of), write_ttl)
    std_long = _rate_vector(book.price(e, "standard", as_of, long_context=True), write_ttl)
    for k in RATE_KEYS:
        out[k], out[f"long_{k}"], out[f"std_{k}"], out[f"std_long_{k}"] = base[k], long[k], std[k], std_long[k]
    lc = e.spec.long_context
    out["threshold"] = lc.threshold if lc else np.inf
    out["context_window"] = e.spec.context_window or np.inf
    out["min_cache"] = e.spec.min_cache_tokens or 0
    out["offered"] = e.offers(t) and e.served(as_of)  # a retired or unreleased model is offered on no tier
    rule = book.tier_rule(e.provider, t)
    out["tier_latency"] = float(rule.max_latency_seconds) if rule and rule.max_latency_seconds else \
        TIER_LATENCY_SECONDS.get(t, 0.0)
    web = book.tool(e, "web_search")
    out["web_fee"] = _f(book.fee_per_use(e, "web_search"))
    out["web_content"] = {"input": 1.0, "free": 0.0, "fixed_block": 2.0}.get(web.content_tokens if web else "", 1.0)
    out["web_block"] = float(web.fixed_block_tokens) if web and web.fixed_block_tokens else 0.0
    out["file_fee"] = _f(book.fee_per_use(e, "file_search"))
    out["code_fee"] = _f(book.fee_per_use(e, "code_session"))
    sp = e.spec.speeds.get(t)
    std_sp = e.spec.speeds.get("standard")
    ttft = sp.ttft_seconds if sp and sp.ttft_seconds is not None else (
        std_sp.ttft_seconds if sp and std_sp and std_sp.ttft_seconds is not None else None)  # Standard's TTFT
    # tiers compared like for like, on medians: a guaranteed floor (Priority's SLA) is no slower than
    # the Standard median of the same model, and at least the floor
    speed = _f(sp.output_tokens_per_s) if sp else np.nan
    if sp and sp.statistic == "floor":  # a guaranteed minimum is not a median: compared only through Standard's
        has_median = std_sp is not None and std_sp.statistic == "median"
        speed = max(speed, _f(std_sp.output_tokens_per_s)) if has_median else np.nan
    elif sp is None and t == "priority" and std_sp is not None:  # Priority with no figure of its own:
        speed = _f(std_sp.output_tokens_per_s)  # no slower than Standard (a conservative estimate)
        ttft = std_sp.ttft_seconds
    out["speed"] = speed
    out["ttft"] = _f(ttft)
    out["speed_published"] = bool(sp and sp.label == "published")
    out["flex"], out["batch"] = t == "flex", t == "batch"
    return out


BOOL_FACTS = ("offered", "speed_published", "flex", "batch")
FACT_KEYS = (*RATE_KEYS, *(f"long_{k}" for k in RATE_KEYS), *(f"std_{k}" for k in RATE_KEYS),
             *(f"std_long_{k}" for k in RATE_KEYS), "threshold", "context_window", "min_cache", "offered",
             "tier_latency", "web_fee", "web_content", "web_block", "file_fee", "code_fee", "speed", "ttft",
             "speed_published", "flex", "batch")


def _row_steps(book: PriceBook, rows: list[tuple[ModelEntry, str]], steps: list[dict], write_ttl: str,
               as_of: date) -> list[dict]:
    """Per step, per row: rates (and Standard's, for Flex/Batch fallback), tool fees, model facts,
    and the media facts of that step (engine.media)."""
    memo: dict[tuple, dict] = {}  # the same model and tier recur across rows (cached or not) and steps
    out = []
    n = len(rows)
    for j, step in enumerate(steps):
        facts = []
        for main, tier in rows:
            e = _step_entry(book, step, main)
            t = _step_tier(step, e, tier)
            key = (e.provider, e.id, t)
            if key not in memo:
                memo[key] = _facts(book, e, t, write_ttl, as_of)
            if key + (j,) not in memo:
                memo[key + (j,)] = media.facts(book.price(e, t, as_of), e, step)
            facts.append({**memo[key], **memo[key + (j,)]})
        out.append({k: np.asarray([f[k] for f in facts], dtype=bool if k in BOOL_FACTS else float).reshape(n, 1)
                    for k in FACT_KEYS + media.MEDIA_FACTS})
    return out
