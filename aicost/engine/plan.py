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

from aicost.engine.provisioned import provisioned_options, ptu_arrays
from aicost.inputs.pricebook import ModelEntry, Price, PriceBook
from aicost.base.constants import EFFORTS, TIER_LABEL, TIER_LATENCY_SECONDS, TIERS  # noqa: F401  (TIER_LABEL re-exported)

from aicost.engine.facts import RATE_KEYS, _f, _row_steps  # noqa: E402,F401  (RATE_KEYS re-exported)


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
    effort: str | None = None  # the reasoning-effort level (models.<ref>.effort) this option runs at


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


def option_id(provider: str, model: str, tier: str, caching: bool, effort: str | None = None) -> str:
    """``openai/gpt-5-mini:standard:cached``; at an effort level ``openai/gpt-5-mini+high:standard``."""
    return f"{provider}/{model}" + (f"+{effort}" if effort else "") + f":{tier}" + (":cached" if caching else "")


def effort_levels(values: dict) -> dict[str, list[str | None]]:
    """Each model's effort levels to compare (``[None]`` for a model without levels), in the order
    of ``EFFORTS``, narrowed by ``options.effort``."""
    wanted = (values.get("options") or {}).get("effort")
    out: dict[str, list[str | None]] = {}
    for ref, m in (values.get("models") or {}).items():
        levels = m.get("effort") or {}
        out[ref] = [lv for lv in EFFORTS if lv in levels and (not wanted or lv in wanted)] if levels else [None]
    return out


@dataclass
class Plan:
    """Static side of an evaluation: visible options and per-row arrays of shape (rows, 1)."""

    options: list  # visible: hosted, then cascades, then self-hosted
    n_hosted: int  # visible hosted options (rows 0 .. n_hosted - 1)
    rows: list[Option]  # hosted rows: visible hosted options, then cascade stages
    row_quality: list[tuple]  # per row: ("models", ref[, effort]) or ("stage", cascade, index, model ref)
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
    failover: dict = field(default_factory=dict)  # caching (bool) -> the row of resilience.failover's model
    segments: list = field(default_factory=list)  # (name, plan) per segment of a request mix (engine.segments)
    router: dict | None = None  # the router's price per task (engine.segments)

    def __len__(self) -> int:
        return len(self.options) if self.select is None else len(self.select)

    def subset(self, visible: list[int]) -> "Plan":
        """A smaller plan holding only these visible options and the rows they need; evaluating
        it gives their results in the order asked. An option asked twice is evaluated twice (its own
        row each time: two copies may be given different volumes, see ``Designs.each``)."""
        if self.segments:  # a request mix: every option is needed for the routed one
            from dataclasses import replace

            return replace(self, select=list(visible))
        occ = sorted(range(len(visible)), key=lambda k: (KIND_ORDER[self.options[visible[k]].kind], visible[k], k))
        order = [visible[k] for k in occ]
        hosted = [i for i in order if self.options[i].kind == "hosted"]
        cascades = [i for i in order if self.options[i].kind == "cascade"]
        gpus = [i for i in order if self.options[i].kind == "gpu"]
        rows = list(hosted) + [r for i in dict.fromkeys(cascades) for r in self.options[i].rows] + \
            list(self.failover.values())
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
            select=_select(sorted(range(len(occ)), key=occ.__getitem__)), gpu_book=self.gpu_book if len(gidx) else None,
            replan=self.replan, ptu={k: pick(v) for k, v in self.ptu.items()}, embed_rate=self.embed_rate,
            failover={c: new_row[r] for c, r in self.failover.items()},
        )


#: Where each kind of option sits in a plan: hosted options, then cascades, then self-hosted ones.
KIND_ORDER = {"hosted": 0, "cascade": 1, "gpu": 2}


def _select(picks: list[int]) -> list[int] | None:
    """A subset's selection of its evaluated options; None when it is all of them in order."""
    return None if picks == list(range(len(picks))) else picks


def hosted_options(book: PriceBook, models: dict[str, list[ModelEntry]], tiers: list[str],
                   caching_choices: list[bool], as_of: date,
                   model_tiers: dict[str, list[str] | None] | None = None,
                   efforts: dict[str, list[str | None]] | None = None) -> list[Option]:
    """Every (model, effort level, tier, caching) option, in a stable order."""
    options = []
    for ref in models:
        for entry in models[ref]:
            only = (model_tiers or {}).get(ref)
            for level in (efforts or {}).get(ref, [None]):
                for tier in (t for t in TIERS if t in tiers and (only is None or t in only)):
                    for cached in sorted(set(caching_choices)):
                        options.append(Option(option_id(entry.provider, entry.id, tier, cached, level),
                                              entry.provider, entry.id, ref, tier, cached, entry,
                                              book.price(entry, tier, as_of), effort=level))
    return options


def build_plan(book: PriceBook, models: dict[str, list[ModelEntry]], tiers: list[str], caching_choices: list[bool],
               write_ttl: str, as_of: date, model_tiers: dict[str, list[str] | None] | None = None,
               values: dict | None = None) -> Plan:
    """The plan of a scenario: hosted options, cascades, then self-hosted options (with segments: one
    plan per segment, and the routed option last)."""
    values = values or {}
    if values.get("segments"):
        from dataclasses import replace

        from aicost.engine.segments import RoutedOption, router_price, segment_values

        parts = [(name, build_plan(book, models, tiers, caching_choices, write_ttl, as_of, model_tiers,
                                   segment_values(values, name))) for name in values["segments"]]
        base = parts[0][1]
        return replace(base, options=base.options + [RoutedOption()], segments=parts,
                       router=router_price(book, values, as_of))
    steps = values["attempt"]["steps"]
    hosted = hosted_options(book, models, tiers, caching_choices, as_of, model_tiers, effort_levels(values))
    if values.get("provisioned"):
        hosted += provisioned_options(book, models, values["provisioned"], caching_choices, as_of)
    rows: list[Option] = list(hosted)
    row_quality: list[tuple] = [("models", o.ref, o.effort) if o.effort else ("models", o.ref) for o in hosted]
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
    failover = {}
    fo: Any = (values.get("resilience") or {}).get("failover")
    hits = book.resolve(fo["model"], allowed) if fo else None
    if fo and hits:  # hidden rows, like a cascade's stages: one per caching choice
        entry = hits[0]
        for cached in (False, True):
            rows.append(Option(option_id(entry.provider, entry.id, fo["tier"], cached), entry.provider, entry.id,
                               fo["model"], fo["tier"], cached, entry, book.price(entry, fo["tier"], as_of)))
            row_quality.append(("failover", fo["model"]))
            failover[cached] = len(rows) - 1
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
        limits=_limits(rows, values.get("rate_limits") or [], values.get("resilience")),
        gpu_quality=[("self_hosted", o.ref) for o in gpus],
        as_of=as_of, failover=failover,
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


def _limits(rows: list, rate_limits: list[dict], resilience: dict | None = None) -> dict[str, np.ndarray]:
    """Each hosted row's rate limits from the scenario's rate_limits, else from the model's published
    table at the account's usage tier (resilience.usage_tier) times the projects (inf where none
    applies). Batch has its queue limit only; Flex shares Standard's limits."""
    cols: dict[str, list[float]] = {"rpm": [], "tpm": [], "queue": []}
    tiers = (resilience or {}).get("usage_tier") or {}
    projects = float((resilience or {}).get("projects") or 1)
    for o in rows:
        names = {o.ref, o.model, f"{o.provider}/{o.model}"}
        match = next((r for r in rate_limits if r["model"] in names and r["tier"] == o.tier), None)
        table = o.entry.spec.rate_limits
        if match is None and o.provider in tiers and table is not None and tiers[o.provider] in table.tiers:
            t = table.tiers[tiers[o.provider]]
            batch = o.tier == "batch"
            match = {"rpm": None if batch else float(t.rpm) * projects, "tpm": None if batch else float(t.tpm) * projects,
                     "batch_queue_tokens": float(t.batch_queue_tokens) * projects if batch and t.batch_queue_tokens
                     else None}
        for key, field_ in (("rpm", "rpm"), ("tpm", "tpm"), ("queue", "batch_queue_tokens")):
            v = match.get(field_) if match else None
            cols[key].append(np.inf if v is None else float(v))
    return {k: np.asarray(v, dtype=float).reshape(len(rows), 1) for k, v in cols.items()}
