"""Options of a scenario and their prices as arrays, built once before any evaluation.

Hosted options (a model on a tier, with or without caching) come first, then self-hosted ones
(an open model on a rented GPU offer, always-on or autoscaled). Every per-option array has
shape (options, 1) so that it broadcasts against the points of a sweep or a sample.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from ..pricing import ModelEntry, Price, PriceBook
from ..tiers import TIER_LABEL, TIERS  # noqa: F401  (TIER_LABEL re-exported)
from . import gpu as G

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


@dataclass(frozen=True)
class GpuOption:
    """An open model served on rented GPUs from one offer, always-on or autoscaled."""

    id: str
    provider: str  # the rental provider
    model: str  # the open model
    ref: str
    tier: str  # the offer's pricing: on-demand, reserved, spot
    scaling: str
    precision: str
    gpu: str
    gpu_name: str
    gpus_per_replica: int | None  # None: the model does not fit
    gpus_per_instance: int
    per_gpu_hour: float
    offer: object = field(repr=False, compare=False)
    steps: tuple = field(repr=False, compare=False, default=())  # per step: (t_p, share, I_p, O_p, how)
    estimated: bool = False  # throughput from the roofline, not a measurement
    ceiling: bool = False  # a max-load figure used under an interactive latency need
    caching: bool = False
    kind: str = "gpu"


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


def _precision(book: PriceBook, model_id: str, gpu_id: str, wanted: str) -> str:
    model = book.gpus.models[model_id].spec
    gpu = book.gpus.gpus[gpu_id].spec
    usable = [p for p in model.weight_bytes if p != "fp8" or gpu.fp8_tflops]
    if wanted != "auto":
        return wanted
    measured = [p for p in ("fp8", "bf16", "fp16", "mxfp4", "int8", "int4") if p in usable
                and book.gpus.profiles_for(model_id, gpu_id, p)]
    if measured:
        return measured[0]
    for p in ("fp8", "bf16", "fp16"):
        if p in usable:
            return p
    return usable[0] if usable else "bf16"


def gpu_options(book: PriceBook, sh: dict, steps: list[dict], interactive: bool) -> list[GpuOption]:
    """Every (open model, GPU offer, scaling) option, with its replica size and throughput basis."""
    out = []
    same = {}
    for o in book.gpus.offers:  # providers with several offers for one GPU and pricing: name the instance
        key = (o.spec.provider, o.spec.gpu, o.spec.pricing)
        same[key] = same.get(key, 0) + 1
    ctx = max((float(s["input_tokens"]) + float(s["output_tokens"]) + float(s["reasoning_tokens"]))
              for s in steps)
    offers = sorted(book.gpus.offers, key=lambda o: (o.spec.gpu, o.spec.provider, o.spec.pricing, o.spec.per_gpu_hour))
    for ref in sh["models"]:
        model = book.gpus.models[ref].spec
        for o in offers:
            spec = o.spec
            if sh["gpus"] is not None and spec.gpu not in sh["gpus"]:
                continue
            if sh["providers"] is not None and spec.provider not in sh["providers"]:
                continue
            if spec.pricing not in sh["pricing"]:
                continue
            gpu = book.gpus.gpus[spec.gpu].spec
            precision = _precision(book, ref, spec.gpu, sh["precision"])
            if precision not in model.weight_bytes:
                continue
            n_fit = G.min_gpus(model, gpu, precision, ctx, sh["max_gpus_per_replica"])
            profiles = book.gpus.profiles_for(ref, spec.gpu, precision)
            # one replica size: the smallest measured one that fits, else the memory-fit size
            sizes = sorted({p.spec.gpus for p in profiles
                            if p.spec.gpus <= sh["max_gpus_per_replica"] and (n_fit is None or p.spec.gpus >= n_fit)})
            n = sizes[0] if sizes else n_fit
            at_size = [p for p in profiles if p.spec.gpus == n]
            per_step, estimated, ceiling = [], False, False
            for s in steps:
                i_tok = max(1.0, float(s["input_tokens"]))
                o_tok = max(1.0, float(s["output_tokens"]) + float(s["reasoning_tokens"]))
                prof = G.nearest(at_size, i_tok, o_tok, interactive)
                if prof is not None:
                    p = prof.spec
                    t_p = p.output_tokens / p.output_tokens_per_s
                    _, share = G.roofline(model, gpu, precision, p.gpus, p.input_tokens, p.output_tokens)
                    per_step.append((t_p, share, float(p.input_tokens), float(p.output_tokens),
                                     f"{p.engine} {p.precision} x{p.gpus} at {p.input_tokens}/{p.output_tokens} "
                                     f"({p.label}, {'max-load ceiling' if p.load == 'max' else p.latency_limit}; "
                                     f"{prof.source})"))
                    ceiling = ceiling or (interactive and p.load == "max")
                elif n is not None:
                    t, share = G.roofline(model, gpu, precision, n, i_tok, o_tok)
                    per_step.append((t, share, i_tok, o_tok, "roofline estimate (no measured profile)"))
                    estimated = True
                    ceiling = ceiling or interactive
                else:
                    per_step.append((np.nan, 0.0, i_tok, o_tok, "does not fit"))
            seller = spec.provider
            if same[(spec.provider, spec.gpu, spec.pricing)] > 1 and spec.instance:
                seller += "/" + re.sub(r"[^a-z0-9]+", "-", spec.instance.lower()).strip("-")
            for scaling in sh["scaling"]:
                out.append(GpuOption(
                    id=f"gpu/{ref}:{spec.gpu}:{seller}:{spec.pricing}:{scaling}",
                    provider=spec.provider, model=ref, ref=ref, tier=spec.pricing, scaling=scaling,
                    precision=precision, gpu=spec.gpu, gpu_name=gpu.name, gpus_per_replica=n,
                    gpus_per_instance=spec.gpus_per_instance, per_gpu_hour=float(spec.per_gpu_hour),
                    offer=o, steps=tuple(per_step), estimated=estimated, ceiling=ceiling))
    return out


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
    gpus = gpu_options(book, sh, values["attempt"]["steps"], interactive) if sh else []
    options = hosted + gpus
    n, nh = len(options), len(hosted)

    def col(vals, dtype=float):
        return np.asarray(vals, dtype=dtype).reshape(len(vals), 1)

    pad = [np.nan] * len(gpus)
    rates = {k: col([_rate_vector(o.price, write_ttl)[k] for o in hosted] + pad) for k in RATE_KEYS}
    long_rates = {k: col([_rate_vector(o.long_price, write_ttl)[k] for o in hosted] + pad) for k in RATE_KEYS}
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
