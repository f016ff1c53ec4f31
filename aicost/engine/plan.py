"""Options of a scenario and their prices as arrays, built once before any evaluation.

Hosted options (a model on a tier, with or without caching) come first, then self-hosted ones
(an open model on a rented GPU offer, always-on or autoscaled; see :mod:`.selfhost`). Every per-option array has
shape (options, 1) so that it broadcasts against the points of a sweep or a sample.
"""

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
    kind: str = "hosted"


def option_id(provider: str, model: str, tier: str, caching: bool) -> str:
    return f"{provider}/{model}:{tier}" + (":cached" if caching else "")


@dataclass
class Plan:
    """Static side of an evaluation: options (rows) and their per-option arrays, shape (O, 1)."""

    options: list
    quality_refs: list[tuple[str, str]]  # (section, name): 'models' or 'self_hosted'
    model_index: np.ndarray
    n_hosted: int
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
    gpu: dict = field(default_factory=dict)  # arrays of the self-hosted rows, shape (G, 1) or (G, steps)
    limits: dict = field(default_factory=dict)  # rate limits per option: rpm, tpm, queue (inf when none)

    def __len__(self) -> int:
        return len(self.options)

    def subset(self, rows: list[int]) -> "Plan":
        """A plan of only these options (same order as given), for cheap repeated evaluation."""
        idx = np.asarray(rows, dtype=int)
        hosted = [r for r in rows if r < self.n_hosted]
        if hosted != list(rows[:len(hosted)]):
            raise ValueError("hosted rows must come before self-hosted rows")
        gpu_rows = np.asarray([r - self.n_hosted for r in rows if r >= self.n_hosted], dtype=int)
        pick = lambda a: a[idx]  # noqa: E731
        return Plan(
            options=[self.options[r] for r in rows], quality_refs=self.quality_refs,
            model_index=self.model_index[idx], n_hosted=len(hosted), caching=pick(self.caching),
            offered=pick(self.offered), rates={k: pick(v) for k, v in self.rates.items()},
            long_rates={k: pick(v) for k, v in self.long_rates.items()}, threshold=pick(self.threshold),
            context_window=pick(self.context_window), min_cache=pick(self.min_cache),
            tier_latency=pick(self.tier_latency), currency=self.currency, as_of=self.as_of,
            limits={k: pick(v) for k, v in self.limits.items()},
            gpu={k: v[gpu_rows] for k, v in self.gpu.items()} if len(gpu_rows) else {},
        )


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


def hosted_options(book: PriceBook, models: dict[str, list[ModelEntry]], tiers: list[str],
                   caching_choices: list[bool], as_of: date,
                   model_tiers: dict[str, list[str] | None] | None = None) -> list[Option]:
    """Every (model, tier, caching) option, in a stable order."""
    options = []
    for ref in models:
        for entry in models[ref]:
            only = (model_tiers or {}).get(ref)
            for tier in (t for t in TIERS if t in tiers and (only is None or t in only)):
                for cached in sorted(set(caching_choices)):
                    options.append(Option(option_id(entry.provider, entry.id, tier, cached), entry.provider,
                                          entry.id, ref, tier, cached, entry, book.price(entry, tier, as_of),
                                          book.price(entry, tier, as_of, long_context=True)))
    return options


def _limits(options: list, rate_limits: list[dict]) -> dict[str, np.ndarray]:
    """Each hosted option's rate limits from the scenario (inf where none applies)."""
    cols = {"rpm": [], "tpm": [], "queue": []}
    for o in options:
        match = None
        if o.kind == "hosted":
            names = {o.ref, o.model, f"{o.provider}/{o.model}"}
            match = next((r for r in rate_limits if r["model"] in names and r["tier"] == o.tier), None)
        for key, field_ in (("rpm", "rpm"), ("tpm", "tpm"), ("queue", "batch_queue_tokens")):
            v = match.get(field_) if match else None
            cols[key].append(np.inf if v is None else float(v))
    return {k: np.asarray(v, dtype=float).reshape(len(options), 1) for k, v in cols.items()}


def build_plan(book: PriceBook, models: dict[str, list[ModelEntry]], tiers: list[str], caching_choices: list[bool],
               write_ttl: str, as_of: date, model_tiers: dict[str, list[str] | None] | None = None,
               values: dict | None = None) -> Plan:
    """The plan of a scenario: hosted options, then self-hosted ones when ``values`` has any."""
    hosted = hosted_options(book, models, tiers, caching_choices, as_of, model_tiers)
    sh = (values or {}).get("self_hosted")
    interactive = bool(values and values["latency"].get("p95_seconds") is not None)
    if sh:
        from .selfhost import gpu_options

        gpus = gpu_options(book, sh, values["attempt"]["steps"], interactive)
    else:
        gpus = []
    options = hosted + gpus
    n, nh = len(options), len(hosted)

    def col(vals, dtype=float):
        return np.asarray(vals, dtype=dtype).reshape(len(vals), 1)

    pad = [np.nan] * len(gpus)
    base = [_rate_vector(o.price, write_ttl) for o in hosted]
    long = [_rate_vector(o.long_price, write_ttl) for o in hosted]
    rates = {k: col([r[k] for r in base] + pad) for k in RATE_KEYS}
    long_rates = {k: col([r[k] for r in long] + pad) for k in RATE_KEYS}
    lc = [o.entry.spec.long_context for o in hosted]
    rule = [book.tier_rule(o.provider, o.tier) for o in hosted]
    quality_refs = [("models", r) for r in models] + [("self_hosted", r) for r in (sh["models"] if sh else {})]
    index = {q: i for i, q in enumerate(quality_refs)}
    plan = Plan(
        options=options,
        quality_refs=quality_refs,
        model_index=np.asarray([index[("models" if o.kind == "hosted" else "self_hosted", o.ref)] for o in options],
                               dtype=int),
        n_hosted=nh,
        caching=col([1.0 if o.caching else 0.0 for o in options]),
        offered=col([o.entry.offers(o.tier) for o in hosted] + [True] * len(gpus), bool),
        rates=rates,
        long_rates=long_rates,
        threshold=col([c.threshold if c else np.inf for c in lc] + [np.inf] * len(gpus)),
        context_window=col([o.entry.spec.context_window or np.inf for o in hosted] + [np.inf] * len(gpus)),
        min_cache=col([o.entry.spec.min_cache_tokens or 0 for o in hosted] + [0] * len(gpus)),
        tier_latency=col([float(r.max_latency_seconds) if r and r.max_latency_seconds else 0.0 for r in rule]
                         + [0.0] * len(gpus)),
        currency=book.currency,
        as_of=as_of,
    )
    plan.limits = _limits(options, (values or {}).get("rate_limits") or [])
    if gpus:
        steps = len(values["attempt"]["steps"])
        arr = lambda k: np.asarray([[s[k] for s in o.steps] for o in gpus], dtype=float).reshape(len(gpus), steps)
        plan.gpu = {
            "t_p": arr(0), "share": arr(1), "in_p": arr(2), "out_p": arr(3),
            "gpus_per_replica": col([o.gpus_per_replica or np.nan for o in gpus]),
            "gpus_per_instance": col([o.gpus_per_instance for o in gpus]),
            "per_gpu_hour": col([o.per_gpu_hour for o in gpus]),
            "always_on": col([o.scaling == "always-on" for o in gpus], bool),
            "fits": col([o.gpus_per_replica is not None for o in gpus], bool),
        }
    assert len(plan.options) == n
    return plan
