"""Options of a scenario and their prices as arrays, built once before any evaluation.

Visible options come in three kinds, in this order: hosted options (a model on a tier, with or
without caching), cascades (stages tried in turn), and self-hosted options (an open model on a
rented GPU offer; see :mod:`.selfhost`). Hosted pricing is computed on *rows*: one row per
hosted option, then one per cascade stage. A row prices every step of an attempt on that
step's own model and tier (a step may be pinned to another model, a planner on a reasoning
model beside a drafter on a small one). Per-row arrays have shape (rows, 1) so that they
broadcast against the points of a sweep or a sample.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from typing import Any

import numpy as np

from aicost.engine import media
from aicost.engine.provisioned import provisioned_options, ptu_arrays
from aicost.inputs.pricebook import ModelEntry, Price, PriceBook
from aicost.base.constants import TIER_LABEL, TIER_LATENCY_SECONDS, TIERS  # noqa: F401  (TIER_LABEL re-exported)

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
    kind: str = "hosted"
    provisioned: tuple[str, str] | None = None  # (deployment type, term) of a provisioned-throughput option


@dataclass(frozen=True)
class CascadeOption:
    """Stages tried in turn: a caught failure, or a stage that gives up, goes to the next."""

    id: str
    name: str
    rows: tuple[int, ...]  # the stage rows
    stage_labels: tuple[str, ...]  # provider/model:tier of each stage
    caching: bool
    kind: str = "cascade"

    @property
    def provider(self) -> str:
        return "cascade"

    @property
    def model(self) -> str:
        return self.name

    @property
    def tier(self) -> str:
        return ">".join(label.split(":")[1] for label in self.stage_labels)


def option_id(provider: str, model: str, tier: str, caching: bool) -> str:
    return f"{provider}/{model}:{tier}" + (":cached" if caching else "")


@dataclass
class Plan:
    """Static side of an evaluation: visible options and per-row arrays of shape (rows, 1)."""

    options: list  # visible: hosted, then cascades, then self-hosted
    n_hosted: int  # visible hosted options (rows 0 .. n_hosted - 1)
    rows: list[Option]  # hosted rows: visible hosted options, then cascade stages
    row_quality: list[tuple]  # per row: ("models", ref) or ("stage", cascade, index, model ref)
    caching: np.ndarray
    steps: list[dict]  # per step: arrays (rows, 1) of rates, tool fees, limits of that step
    offered: np.ndarray
    tier_latency: np.ndarray  # the longest any step's tier may take
    context_window: np.ndarray  # the smallest window among the steps' models
    threshold: np.ndarray  # the lowest long-context threshold among the steps' models
    storage: dict  # vector storage per GB-day and free GB of each row's provider
    tiers: dict  # is_flex, is_batch per row
    limits: dict
    gpu_quality: list[tuple]  # per self-hosted option: ("self_hosted", ref)
    as_of: date
    gpu: dict = field(default_factory=dict)  # arrays of the self-hosted options
    select: list[int] | None = None  # evaluate only these visible options (None: all)
    gpu_book: Any = None  # (price book, self_hosted values) to plan GPU options again at other lengths
    replan: bool = True  # plan GPU options again at each distinct point (a sweep of up to 512 points, compare)
    ptu: dict = field(default_factory=dict)  # arrays (rows, 1) of the provisioned-throughput rows (engine.provisioned)
    embed_rate: float | None = None  # the retrieval store's embedding model, per 1M input tokens (engine.retrieval)

    def __len__(self) -> int:
        return len(self.options) if self.select is None else len(self.select)

    def subset(self, visible: list[int]) -> "Plan":
        """A smaller plan holding only these visible options and the rows they need; evaluating
        it gives their results in the order asked."""
        kind_order = {"hosted": 0, "cascade": 1, "gpu": 2}
        order = sorted(dict.fromkeys(visible), key=lambda i: (kind_order[self.options[i].kind], i))
        hosted = [i for i in order if self.options[i].kind == "hosted"]
        cascades = [i for i in order if self.options[i].kind == "cascade"]
        gpus = [i for i in order if self.options[i].kind == "gpu"]
        rows = list(hosted) + [r for i in cascades for r in self.options[i].rows]
        new_row = {r: k for k, r in enumerate(rows)}
        ridx = np.asarray(rows, dtype=int)
        first_gpu = len(self.options) - len(self.gpu_quality)
        gidx = np.asarray([i - first_gpu for i in gpus], dtype=int)
        pick = lambda a: a[ridx]  # noqa: E731
        opts = [self.options[i] for i in hosted]
        for i in cascades:
            c = self.options[i]
            opts.append(CascadeOption(c.id, c.name, tuple(new_row[r] for r in c.rows), c.stage_labels, c.caching))
        opts += [self.options[i] for i in gpus]
        return Plan(
            options=opts, n_hosted=len(hosted), rows=[self.rows[r] for r in rows],
            row_quality=[self.row_quality[r] for r in rows], caching=pick(self.caching),
            steps=[{k: pick(v) for k, v in st.items()} for st in self.steps], offered=pick(self.offered),
            tier_latency=pick(self.tier_latency), context_window=pick(self.context_window),
            threshold=pick(self.threshold), storage={k: pick(v) for k, v in self.storage.items()},
            tiers={k: pick(v) for k, v in self.tiers.items()}, limits={k: pick(v) for k, v in self.limits.items()},
            gpu_quality=[self.gpu_quality[g] for g in gidx], as_of=self.as_of,
            gpu={k: v[gidx] for k, v in self.gpu.items()} if len(gidx) else {},
            select=[order.index(i) for i in visible], gpu_book=self.gpu_book if len(gidx) else None,
            replan=self.replan, ptu={k: pick(v) for k, v in self.ptu.items()}, embed_rate=self.embed_rate,
        )


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
                                          entry.id, ref, tier, cached, entry, book.price(entry, tier, as_of)))
    return options


def build_plan(book: PriceBook, models: dict[str, list[ModelEntry]], tiers: list[str], caching_choices: list[bool],
               write_ttl: str, as_of: date, model_tiers: dict[str, list[str] | None] | None = None,
               values: dict | None = None) -> Plan:
    """The plan of a scenario: hosted options, cascades, then self-hosted options."""
    values = values or {}
    steps = values["attempt"]["steps"]
    hosted = hosted_options(book, models, tiers, caching_choices, as_of, model_tiers)
    if values.get("provisioned"):
        hosted += provisioned_options(book, models, values["provisioned"], caching_choices, as_of)
    rows: list[Option] = list(hosted)
    row_quality: list[tuple] = [("models", o.ref) for o in hosted]
    cascades = []
    allowed = (values.get("options") or {}).get("providers")
    for name, c in (values.get("cascades") or {}).items():
        stage_entries = [book.resolve(st["model"], allowed) for st in c["stages"]]
        if not all(stage_entries):  # a stage's model is not offered by the providers chosen: no cascade
            continue
        for cached in sorted(set(c["caching"])):
            idx, labels = [], []
            for i, st in enumerate(c["stages"]):
                entry = stage_entries[i][0]
                price = book.price(entry, st["tier"], as_of)
                rows.append(Option(option_id(entry.provider, entry.id, st["tier"], cached), entry.provider, entry.id,
                                   st["model"], st["tier"], cached, entry, price))
                row_quality.append(("stage", name, i, st["model"]))
                idx.append(len(rows) - 1)
                labels.append(f"{entry.provider}/{entry.id}:{st['tier']}")
            cascades.append(CascadeOption(f"cascade/{name}" + (":cached" if cached else ""), name, tuple(idx),
                                          tuple(labels), cached))
    sh = values.get("self_hosted")
    if sh:
        from aicost.engine.selfhost import gpu_options

        gpus = gpu_options(book, sh, steps, _need_seconds(values["latency"]))
    else:
        gpus = []
    n = len(rows)

    def col(vals, dtype=float):
        return np.asarray(vals, dtype=dtype).reshape(len(vals), 1)

    per_step = _row_steps(book, [(o.entry, o.tier) for o in rows], steps, write_ttl, as_of)
    storage_rate, storage_free, cache_rate = [], [], []
    explicit = {p for (p, _), e in book.models.items() if e.spec.cache_storage_per_mtok_hour is not None}
    for o in rows:
        vs = book.tool(o.entry, "vector_storage")
        storage_rate.append(_f(vs.per_gb_day) if vs and vs.per_gb_day is not None else np.nan)
        storage_free.append(_f(vs.free_gb) if vs else 0.0)
        # explicit context caches (Gemini): held tokens x hours. A provider none of whose models has the
        # rate caches implicitly (0); a model of a provider that bills it, without its own rate, is unpriced
        rate = o.entry.spec.cache_storage_per_mtok_hour
        cache_rate.append(_f(rate) if rate is not None else (np.nan if o.provider in explicit else 0.0))
    stack = lambda k, how: how(np.hstack([s[k] for s in per_step]), axis=1, keepdims=True)  # noqa: E731
    plan = Plan(
        options=list(hosted) + cascades + gpus,
        n_hosted=len(hosted),
        rows=rows,
        row_quality=row_quality,
        caching=col([1.0 if o.caching else 0.0 for o in rows]),
        steps=per_step,
        offered=stack("offered", np.all),
        tier_latency=stack("tier_latency", np.max),
        context_window=stack("context_window", np.min),
        threshold=stack("threshold", np.min),
        storage={"per_gb_day": col(storage_rate), "free_gb": col(storage_free),
                 "cache_per_mtok_hour": col(cache_rate)},
        tiers={"flex": col([o.tier == "flex" for o in rows], bool), "batch": col([o.tier == "batch" for o in rows], bool)},
        limits=_limits(rows, values.get("rate_limits") or []),
        gpu_quality=[("self_hosted", o.ref) for o in gpus],
        as_of=as_of,
    )
    assert len(plan.rows) == n
    if (values.get("retrieval") or {}).get("own_store"):
        from aicost.engine.retrieval import embedding_rate  # (it imports the engine's attempt, which imports this)

        plan.embed_rate = embedding_rate(book, values["retrieval"], as_of)
    if any(o.provisioned for o in rows):
        plan.ptu = ptu_arrays(book, rows)
    if gpus:
        plan.gpu_book = (book, sh)
        k = len(steps)
        width = max([1] + [len(o.alts) for o in gpus])  # replica sizes kept per option (padded with NaN)
        alt = {name: np.full((len(gpus), width, k), np.nan) for name in ("t_p", "share", "in_p", "out_p", "wall")}
        sizes = np.full((len(gpus), width), np.nan)
        for g, gopt in enumerate(gpus):
            for a, (n_gpus, per_step, *_) in enumerate(gopt.alts):
                sizes[g, a] = n_gpus
                for j, step in enumerate(per_step):
                    for name, x in zip(("t_p", "share", "in_p", "out_p", "wall"), step):
                        alt[name][g, a, j] = x
        plan.gpu = {
            **alt, "gpus_per_replica": sizes,
            "increment_hours": col([o.increment_hours for o in gpus]),
            "gpus_per_instance": col([o.gpus_per_instance for o in gpus]),
            "per_gpu_hour": col([o.per_gpu_hour for o in gpus]),
            "always_on": col([o.scaling == "always-on" for o in gpus], bool),
            "fits": col([o.gpus_per_replica is not None for o in gpus], bool),
            "too_long": col([o.too_long for o in gpus], bool),
            "index": np.arange(len(gpus)).reshape(len(gpus), 1),
        }
    return plan


def _need_seconds(lat: dict) -> float | None:
    """The time one attempt may take, for GPU replicas (p95 seconds or minutes); None for a deadline."""
    for kind, scale in (("p95_seconds", 1.0), ("minutes", 60.0)):
        if lat.get(kind) is not None:
            return float(np.min(np.asarray(lat[kind], dtype=float))) * scale
    return None


def _limits(rows: list, rate_limits: list[dict]) -> dict[str, np.ndarray]:
    """Each hosted row's rate limits from the scenario (inf where none applies)."""
    cols: dict[str, list[float]] = {"rpm": [], "tpm": [], "queue": []}
    for o in rows:
        names = {o.ref, o.model, f"{o.provider}/{o.model}"}
        match = next((r for r in rate_limits if r["model"] in names and r["tier"] == o.tier), None)
        for key, field_ in (("rpm", "rpm"), ("tpm", "tpm"), ("queue", "batch_queue_tokens")):
            v = match.get(field_) if match else None
            cols[key].append(np.inf if v is None else float(v))
    return {k: np.asarray(v, dtype=float).reshape(len(rows), 1) for k, v in cols.items()}
