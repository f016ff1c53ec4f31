"""The price book: every pricing table loaded, layered and looked up by model, tier and date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Sequence

from aicost.base import paths
from aicost.base.errors import InputError, Problem, did_you_mean
from aicost.base.constants import TIERS
from aicost.inputs.tables import is_gpu_table, read_gpus, validated, yaml_files
from aicost.inputs.pricechecks import _check_history, _check_media, _image_rule
from aicost.inputs.yamlio import Document

RATE_FIELDS = ("input", "cached_input", "cache_write", "cache_write_1h", "output", "reasoning")
#: Rates beyond text tokens (model.pricing.Rates): per 1M tokens, per minute, per 1M characters.
MEDIA_RATE_FIELDS = ("audio_input", "cached_audio_input", "audio_output", "image_input", "cached_image_input",
                     "image_output",
                     "per_audio_minute", "per_1m_characters")


@dataclass(frozen=True)
class Price:
    """Rates of one model on one tier, as in force on one date, with where they come from."""

    provider: str
    model: str
    tier: str
    input: Decimal
    output: Decimal
    cached_input: Decimal | None
    cache_write: Decimal | None
    cache_write_1h: Decimal | None
    reasoning: Decimal | None
    source: str
    checked: date
    file: str
    line: int | None
    discount_percent: Decimal | None = None
    audio_input: Decimal | None = None
    cached_audio_input: Decimal | None = None
    audio_output: Decimal | None = None
    image_input: Decimal | None = None
    cached_image_input: Decimal | None = None
    image_output: Decimal | None = None
    per_audio_minute: Decimal | None = None
    per_1m_characters: Decimal | None = None
    per_image: dict | None = None  # size -> quality -> price of one generated image

    def write_rate(self, ttl: str = "5m") -> Decimal:
        """What one cache-write token costs: the TTL's own rate (1h), else the write rate, else the
        input rate (providers that publish no write rate bill writes as input)."""
        if ttl == "1h" and self.cache_write_1h is not None:
            return self.cache_write_1h
        return self.cache_write if self.cache_write is not None else self.input

    @property
    def reasoning_rate(self) -> Decimal:
        """Reasoning tokens cost the output rate unless the table states their own."""
        return self.reasoning if self.reasoning is not None else self.output

    def scaled(self, factor: Decimal, **changes) -> "Price":
        vals: dict[str, Any] = {f: (None if getattr(self, f) is None else getattr(self, f) * factor)
                                for f in RATE_FIELDS + MEDIA_RATE_FIELDS}
        if self.per_image is not None:
            vals["per_image"] = {size: {q: p * factor for q, p in by_q.items()} for size, by_q in self.per_image.items()}
        return Price(**{**self.__dict__, **vals, **changes})


@dataclass
class ModelEntry:
    provider: str
    id: str
    spec: Any  # the model's validated entry, frozen (attributes as in model.pricing.ModelPrice)
    doc: Document
    source: str
    checked: date
    multiplier: Decimal = Decimal(1)
    image_rule: Any = None  # how an input image counts as tokens (the model's rule, else its file's for chat models)
    variant_tiers: tuple[str, ...] | None = None  # a variant offers only these tiers
    discounts: list = field(default_factory=list)  # negotiated discounts, most specific first

    @property
    def key(self) -> str:
        return f"{self.provider}/{self.id}"

    def offers(self, tier: str) -> bool:
        if self.variant_tiers is not None and tier not in self.variant_tiers:
            return False
        return tier in self.spec.tiers

    def served(self, day: date) -> bool:
        """Whether the provider serves the model on ``day``: released (``available_from``) and
        not yet retired (``retired``). A model is never priced outside that span."""
        first, last = self.spec.available_from, self.spec.retired
        return (first is None or day >= first) and (last is None or day < last)


@dataclass
class ProviderInfo:
    id: str
    name: str
    currency: str
    resells: str | None
    tier_rules: dict[str, Any] = field(default_factory=dict)  # frozen model.pricing.TierRule
    tools: dict[str, Any] = field(default_factory=dict)  # frozen model.pricing.ToolPrice
    files: list[str] = field(default_factory=list)
    tool_docs: dict[str, tuple] = field(default_factory=dict)  # tool -> (Document, the file's checked date)
    provisioned: dict[str, Any] = field(default_factory=dict)  # deployment type -> PTU prices (Azure)


class PriceBook:
    """All prices known to this run: the bundled tables with the user's directories layered on top."""

    def __init__(self) -> None:
        self.providers: dict[str, ProviderInfo] = {}
        self.models: dict[tuple[str, str], ModelEntry] = {}
        self.files: list[str] = []
        self.cache_key: str = ""  # identifies the files this book was read from
        self.discounts: list[tuple[Any, Document, int, str]] = []
        self._gpus = None  # the GPU book, read on first use (see gpus)
        self._gpu_files: list[tuple[Path, bool]] = []

    def __getstate__(self):  # the GPU book is cached on its own
        state = dict(self.__dict__)
        state["_gpus"] = None
        return state

    @property
    def gpus(self):
        """GPU types, rental offers, open models and serving profiles (read when first used)."""
        if self._gpus is None:
            from aicost.inputs import cache
            from aicost.inputs.gpubook import GpuBook

            key = cache.key("gpubook", [f for f, _ in self._gpu_files])
            book = cache.get(key)
            if not isinstance(book, GpuBook):
                book = read_gpus(self._gpu_files)
                cache.put(key, book)
            self._gpus = book
        return self._gpus

    # ---- loading -------------------------------------------------------------------------
    @classmethod
    def load(cls, dirs: Sequence[Path | str] | None = None, bundled: bool = True) -> "PriceBook":
        """Load the bundled tables (unless ``bundled=False``) then each of ``dirs`` over them.

        A validated book is cached (see :mod:`aicost.inputs.cache`), keyed by every file's path,
        size and modification time; a changed file is read and validated again.
        """
        from aicost.inputs import cache

        all_dirs: list[tuple[Path, bool]] = [(paths.pricing_dir(), True)] if bundled else []
        all_dirs += [(Path(d), False) for d in (dirs or [])]
        problems: list[Problem] = []
        listing = [(f, is_bundled) for d, is_bundled in all_dirs for f in yaml_files(d, problems)]
        if problems:
            raise InputError(problems)
        gpu_files = [(f, b) for f, b in listing if is_gpu_table(f)]
        listing = [x for x in listing if x not in gpu_files]
        key = cache.key("pricebook", [f for f, _ in listing + gpu_files])
        book = cache.get(key)
        if not isinstance(book, cls):
            book = cls._read(listing)
            cache.put(key, book)
        book.cache_key = key
        book._gpu_files = gpu_files
        return book

    @classmethod
    def _read(cls, listing: list[tuple[Path, bool]]) -> "PriceBook":
        from aicost.model.pricing import PricingFile

        book = cls()
        problems: list[Problem] = []
        docs = []
        for spec, doc in validated(listing, PricingFile, problems):
            problems.extend(book._add(spec, doc))
            docs.append(doc)
        problems.extend(book._check())
        if problems:
            raise InputError(problems)
        for doc in docs:  # after loading, only model, tier and price-block lines are ever cited
            doc.lines = {p: n for p, n in doc.lines.items()
                         if not (len(p) >= 5 and isinstance(p[-1], str) and p[-1] not in TIERS)}
        return book

    def _add(self, spec, doc: Document) -> list[Problem]:
        """Add one validated file, frozen to plain data (see :func:`aicost.model.freeze`)."""
        from aicost.model import freeze

        problems = _check_history(spec, doc) + _check_media(spec, doc)
        raw_models = spec.models
        spec = freeze(spec)
        self.discounts += [(d, doc, i, spec.source) for i, d in enumerate(spec.discounts)]
        self.files.append(doc.file)
        if spec.provider is None:
            return problems
        info = self.providers.get(spec.provider)
        if info is None:
            info = self.providers[spec.provider] = ProviderInfo(spec.provider, spec.name or spec.provider,
                                                                spec.currency, spec.resells)
        elif info.currency != spec.currency:
            problems.append(doc.problem(("currency",), f"{spec.provider} is priced in {info.currency} elsewhere"))
        info.name, info.resells = spec.name or info.name, spec.resells or info.resells
        info.tier_rules.update(spec.tier_rules)
        info.provisioned.update(spec.provisioned)
        info.tools.update(spec.tools)
        info.tool_docs.update({k: (doc, spec.checked) for k in spec.tools})
        info.files.append(doc.file)
        rules = {mid: _image_rule(raw_models[mid], m, spec) for mid, m in spec.models.items()}
        for mid, m in spec.models.items():
            entry = ModelEntry(spec.provider, mid, m, doc, m.source or spec.source, m.checked or spec.checked,
                               image_rule=rules[mid])
            self.models[(spec.provider, mid)] = entry
        for i, v in enumerate(spec.variants):
            unknown = [m for m in v.models or () if m not in spec.models]
            if unknown:
                problems.append(doc.problem(("variants", i, "models"), f"no model {unknown[0]!r} in this file"))
            vinfo = self.providers.setdefault(
                v.provider, ProviderInfo(v.provider, v.name, spec.currency, spec.resells)
            )
            vinfo.tier_rules.update({t: r for t, r in spec.tier_rules.items() if t in v.tiers})
            vinfo.tools.update(spec.tools)
            vinfo.tool_docs.update({k: (doc, spec.checked) for k in spec.tools})
            vinfo.files.append(doc.file)
            for mid, m in spec.models.items():
                if v.models is not None and mid not in v.models:
                    continue
                self.models[(v.provider, mid)] = ModelEntry(
                    v.provider, mid, m, doc, v.source or spec.source, v.checked or spec.checked,
                    multiplier=v.multiplier, variant_tiers=tuple(v.tiers), image_rule=rules[mid],
                )
        return problems

    def _apply_discounts(self) -> list[Problem]:
        """Attach each discount to the entries it covers: a model's own beats its provider's,
        and at the same level the later file wins. Discounts never compound."""
        problems = []
        for d, doc, i, file_source in self.discounts:
            if d.source is None:
                d.source = file_source
            if d.provider is not None:
                hits = [e for e in self.models.values() if e.provider == d.provider]
                what = f"provider '{d.provider}'"
                choices = self.providers
            else:
                hits = self.resolve(d.model) if "/" in d.model else [
                    e for e in self.models.values() if e.id == d.model or d.model in e.spec.aliases]
                what = f"model '{d.model}'"
                choices = self.all_names()
            if not hits:
                problems.append(doc.problem(("discounts", i), f"unknown {what}{did_you_mean(str(d.provider or d.model), choices)}"))
                continue
            for e in hits:
                e.discounts.append(d)
        for e in self.models.values():  # model-level before provider-level; later files first
            e.discounts = sorted(reversed(e.discounts), key=lambda d: d.model is None)
        return problems

    def _check(self) -> list[Problem]:
        problems = self._apply_discounts()
        currencies = {p.currency for p in self.providers.values()}
        if len(currencies) > 1:
            problems.append(Problem("pricing", None, "", f"tables mix currencies: {', '.join(sorted(currencies))}"))
        for (prov, mid), e in self.models.items():
            has_cache = any(r.cached_input is not None for rs in e.spec.tiers.values() for r in rs)
            if has_cache and e.spec.min_cache_tokens is None and e.multiplier == 1:
                problems.append(
                    e.doc.problem(("models", mid), "has cached_input prices but no min_cache_tokens")
                )
        return problems

    # ---- lookup --------------------------------------------------------------------------
    @property
    def currency(self) -> str:
        return next(iter(self.providers.values())).currency if self.providers else "USD"

    def all_names(self) -> list[str]:
        names = {e.id for e in self.models.values()} | {e.key for e in self.models.values()}
        names |= {a for e in self.models.values() for a in e.spec.aliases}
        return sorted(names)

    def resolve(self, ref: str, providers: Iterable[str] | None = None) -> list[ModelEntry]:
        """Entries a scenario's model name refers to; [] when unknown.

        ``provider/model`` names one entry. A bare name (or alias) matches every provider that
        has it; unless ``providers`` restricts the choice, resellers (Azure for OpenAI's
        models) give way to the original provider.
        """
        wanted = set(providers) if providers else None
        if "/" in ref:
            prov, mid = ref.split("/", 1)
            hits = [e for e in self.models.values() if e.provider == prov and (e.id == mid or mid in e.spec.aliases)]
        else:
            hits = [e for e in self.models.values() if e.id == ref or ref in e.spec.aliases]
        if wanted is not None:
            return sorted((e for e in hits if e.provider in wanted), key=lambda e: e.key)
        originals = [e for e in hits if not self.providers[e.provider].resells and e.multiplier == 1]
        base = [e for e in hits if e.multiplier == 1]  # a reseller's own prices before its variants
        return sorted(originals or base or hits, key=lambda e: e.key)

    def suggest(self, ref: str) -> str:
        return did_you_mean(ref, self.all_names())

    def price(self, entry: ModelEntry, tier: str, as_of: date, long_context: bool = False) -> Price | None:
        """Rates of ``entry`` on ``tier`` in force on ``as_of``; None when there is no such price
        (the tier is not offered, or the model is not served that day: before its release or from
        its retirement)."""
        if not entry.offers(tier) or not entry.served(as_of):
            return None
        if long_context:
            lc = entry.spec.long_context
            if lc is None or tier not in lc.tiers:
                return None
            blocks, base = lc.tiers[tier], ("models", entry.id, "long_context", "tiers", tier)
        else:
            blocks, base = entry.spec.tiers[tier], ("models", entry.id, "tiers", tier)
        for i, block in enumerate(blocks):
            if _in_force(block, as_of):
                path = base + ((i,) if len(blocks) > 1 else ())
                price = _price(entry, tier, block, entry.doc.file, entry.doc.line_of(path))
                if entry.multiplier != 1:
                    price = price.scaled(entry.multiplier, provider=entry.provider)
                d = next((d for d in entry.discounts if d.tiers is None or tier in d.tiers), None)
                if d is not None:
                    price = price.scaled(1 - d.percent / 100, discount_percent=d.percent,
                                         source=f"{price.source}; less {d.percent}% ({d.source or 'negotiated'})")
                return price
        return None

    def provider_names(self, provider: str) -> tuple[str, str]:
        """(ProviderName, PublisherName): a reseller (Azure) provides, the model's maker publishes."""
        info = self.providers.get(provider)
        maker = info.resells if info is not None and info.resells else provider
        return (info.name if info is not None else provider,
                self.providers[maker].name if maker in self.providers else maker)

    def tool(self, entry: ModelEntry, name: str) -> Any:
        """A tool's price for a model: the model's own, else its provider's; None when unpriced."""
        return entry.spec.tools.get(name) or self.providers[entry.provider].tools.get(name)

    def tool_checked(self, entry: ModelEntry, name: str) -> tuple[date, str, int | None] | None:
        """(checked, file, line) of the tool price :meth:`tool` gives; None when unpriced."""
        own = entry.spec.tools.get(name)
        if own is not None:
            return (own.checked or entry.checked, entry.doc.file,
                    entry.doc.line_of(("models", entry.id, "tools", name)))
        info = self.providers[entry.provider]
        if name not in info.tools:
            return None
        doc, file_checked = info.tool_docs[name]
        return (info.tools[name].checked or file_checked, doc.file, doc.line_of(("tools", name)))

    def fee_per_use(self, entry: ModelEntry, name: str) -> Decimal | None:
        """What one use of a tool costs: a web or file search (tables quote per 1,000 calls) or a
        code session; None when unpriced."""
        t = self.tool(entry, name)
        if t is None:
            return None
        if name == "code_session":
            return t.per_session
        return None if t.per_1k_calls is None else t.per_1k_calls / 1000

    def tier_rule(self, provider: str, tier: str) -> Any:
        return self.providers[provider].tier_rules.get(tier)


def _price(entry: ModelEntry, tier: str, r: Any, file: str, line: int | None) -> Price:
    return Price(
        provider=entry.provider, model=entry.id, tier=tier,
        input=r.input, output=r.output, cached_input=r.cached_input, cache_write=r.cache_write,
        cache_write_1h=r.cache_write_1h, reasoning=r.reasoning,
        **{f: getattr(r, f) for f in MEDIA_RATE_FIELDS}, per_image=r.per_image,
        source=r.source or entry.source, checked=r.checked or entry.checked, file=file, line=line,
    )


def _in_force(r: Any, as_of: date) -> bool:
    return (r.effective_from is None or r.effective_from <= as_of) and (r.effective_to is None or as_of < r.effective_to)


__all__ = ["PriceBook", "Price", "ModelEntry"]
