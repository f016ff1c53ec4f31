"""``aicost pricing``: the price book listed, one model in full, checked, and two tables compared."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Iterable

from aicost.base.clock import pricing_day
from aicost.base.errors import InputError, Problem, bad_argument
from aicost.inputs.pricebook import MEDIA_RATE_FIELDS, RATE_FIELDS, ModelEntry, Price, PriceBook
from aicost.base.constants import TIERS
from aicost.results.rows import ModelCard, RowsResult, Validation

RATES = RATE_FIELDS
#: The fields each image-token rule uses (model.pricing.ImageRule), as `pricing show` lists them.
RULE_FIELDS = {"tiles": ("rule", "base_tokens", "tile_tokens", "tile_px", "fit_px", "short_side_px"),
               "patches": ("rule", "patch_px", "max_patches", "multiplier", "max_edge_px"),
               "pixels": ("rule", "pixels_per_token", "max_edge_px", "max_tokens"),
               "gemini": ("rule", "tile_tokens", "small_px", "tile_px")}
FEATURES = ("caching", "cache-writes", "long-context", "batch", "flex", "priority", "deprecated")


def _features(book: PriceBook, e: ModelEntry, tier: str, as_of: date) -> set[str]:
    """Features of one model on one tier: the rates it has there, the tiers the model offers."""
    feats = {t for t in TIERS[1:] if book.price(e, t, as_of) is not None}  # the tiers besides Standard
    p = book.price(e, tier, as_of)
    if p is not None:
        if p.cached_input is not None:
            feats.add("caching")
        if p.cache_write is not None or p.cache_write_1h is not None:
            feats.add("cache-writes")
        if book.price(e, tier, as_of, long_context=True) is not None:
            feats.add("long-context")
    if e.spec.deprecated is not None and e.spec.deprecated <= as_of:
        feats.add("deprecated")
    return feats


def list_rows(book: PriceBook, as_of: date, providers: Iterable[str] = (), tiers: Iterable[str] = (),
              features: Iterable[str] = (), models: Iterable[str] = ()) -> list[dict[str, Any]]:
    """One row per model and tier it offers, with its rates as in force on ``as_of``."""
    providers, tiers, features, models = set(providers), set(tiers), set(features), list(models)
    bad = [f for f in features if f not in FEATURES]
    if bad:
        raise bad_argument("features", f"unknown feature {bad[0]!r} (expected one of {', '.join(FEATURES)})")
    rows = []
    for (prov, mid), e in sorted(book.models.items()):
        if providers and prov not in providers:
            continue
        if models and not any(m in (mid, e.key) or m in e.spec.aliases for m in models):
            continue
        for t in TIERS:
            if tiers and t not in tiers:
                continue
            p = book.price(e, t, as_of)
            if p is None or not features <= _features(book, e, t, as_of):
                continue
            lp = book.price(e, t, as_of, long_context=True)
            lc = e.spec.long_context
            rows.append({
                "provider": prov, "model": mid, "tier": t,
                **{r: getattr(p, r) for r in RATES},
                "long_context_above": lc.threshold if lc and lp else None,
                "long_input": lp.input if lp else None,
                "long_output": lp.output if lp else None,
                "min_cache_tokens": e.spec.min_cache_tokens,
                "context_window": e.spec.context_window,
                "deprecated": e.spec.deprecated.isoformat() if e.spec.deprecated else None,
                "checked": p.checked.isoformat(),
                "source": p.source,
            })
    return rows


def find_model(book: PriceBook, ref: str) -> list[ModelEntry]:
    hits = book.resolve(ref) if "/" in ref else [e for e in book.models.values()
                                                 if e.id == ref or ref in e.spec.aliases]
    if not hits:
        raise InputError(Problem("pricing", None, "", f"unknown model '{ref}'{book.suggest(ref)}"))
    # the model's own provider first, then resellers and variants
    return sorted(hits, key=lambda e: (bool(book.providers[e.provider].resells) or e.multiplier != 1, e.key))


def _price_dict(p: Price | None) -> dict | None:
    if p is None:
        return None
    d = {r: getattr(p, r) for r in RATES + MEDIA_RATE_FIELDS if getattr(p, r) is not None}
    if p.per_image:
        d["per_image"] = p.per_image
    d.update({"source": p.source, "checked": p.checked.isoformat(), "file": p.file, "line": p.line})
    return d


def show(book: PriceBook, ref: str, as_of: date) -> list[dict[str, Any]]:
    """Everything known about a model (each provider that offers it): rates per tier with their
    sources and check dates, long-context rates, history, tools, tier rules."""
    out = []
    for e in find_model(book, ref):
        spec = e.spec
        info = book.providers[e.provider]
        lc = spec.long_context
        history = []
        for t, blocks in spec.tiers.items():
            if len(blocks) > 1 and e.offers(t):
                for b in blocks:
                    history.append({"tier": t, "effective_from": b.effective_from.isoformat() if b.effective_from else None,
                                    "effective_to": b.effective_to.isoformat() if b.effective_to else None,
                                    **{r: getattr(b, r) * e.multiplier for r in RATES if getattr(b, r) is not None}})
        tools = {**info.tools, **spec.tools}
        out.append({
            "provider": e.provider, "provider_name": info.name, "model": e.id, "name": spec.name,
            "aliases": list(spec.aliases), "context_window": spec.context_window,
            "min_cache_tokens": spec.min_cache_tokens,
            "deprecated": spec.deprecated.isoformat() if spec.deprecated else None,
            "available_from": spec.available_from.isoformat() if spec.available_from else None,
            "retired": spec.retired.isoformat() if spec.retired else None,
            "multiplier": e.multiplier if e.multiplier != 1 else None,
            "as_of": as_of.isoformat(),
            "tiers": {t: _price_dict(book.price(e, t, as_of)) for t in TIERS if book.price(e, t, as_of)},
            "long_context": None if lc is None else {
                "threshold": lc.threshold,
                "tiers": {t: _price_dict(book.price(e, t, as_of, long_context=True)) for t in TIERS
                          if book.price(e, t, as_of, long_context=True)}},
            "history": history,
            "cache_storage_per_mtok_hour": spec.cache_storage_per_mtok_hour,
            "kind": spec.kind,
            "audio_tokens_per_minute": None if spec.audio_tokens is None else {
                k: getattr(spec.audio_tokens, k) for k in ("input", "output") if getattr(spec.audio_tokens, k)},
            "image_tokens": None if e.image_rule is None else {
                k: getattr(e.image_rule, k) for k in RULE_FIELDS[e.image_rule.rule] if getattr(e.image_rule, k) is not None},
            "image_output_tokens": spec.image_output_tokens,
            "rate_limits": None if spec.rate_limits is None else {
                "tiers": {t: {k: float(v) for k, v in vars(x).items() if v is not None}
                          for t, x in sorted(spec.rate_limits.tiers.items())},
                "source": spec.rate_limits.source, "checked": str(spec.rate_limits.checked)},
            "tools": {k: {f: v for f, v in vars(t).items() if v is not None and not (f == "free_gb" and v == 0)}
                      for k, t in sorted(tools.items())},
            "tier_rules": {k: {f: v for f, v in vars(r).items() if v is not None}
                           for k, r in info.tier_rules.items()},
            "file": e.doc.file, "line": e.doc.line_of(("models", e.id)),
        })
    return out


def flat_rates(book: PriceBook, as_of: date) -> dict[tuple, Decimal]:
    """Every rate as ``(provider, model, tier, context, rate) -> value``, context being
    ``base`` or ``above <threshold>``."""
    out: dict[tuple, Decimal] = {}
    for (prov, mid), e in book.models.items():
        for t in TIERS:
            for long in (False, True):
                p = book.price(e, t, as_of, long_context=long)
                if p is None:
                    continue
                ctx = f"above {e.spec.long_context.threshold}" if long else "base"
                for r in RATES + MEDIA_RATE_FIELDS:
                    v = getattr(p, r)
                    if v is not None:
                        out[(prov, mid, t, ctx, r)] = v
                for size, by_q in (p.per_image or {}).items():
                    for q, v in by_q.items():
                        out[(prov, mid, t, ctx, f"per_image {size} {q}")] = v
    return out


def diff(old: dict[tuple, Decimal], new: dict[tuple, Decimal]) -> list[dict[str, Any]]:
    """Rates added, removed or changed between two flat rate maps, in a stable order."""
    rows = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        change = "added" if a is None else "removed" if b is None else "changed"
        pct = None
        if a is not None and b is not None and a != 0:
            pct = float((b - a) / a * 100)
        prov, mid, tier, ctx, rate = key
        rows.append({"change": change, "provider": prov, "model": mid, "tier": tier, "context": ctx, "rate": rate,
                     "old": a, "new": b, "change_pct": pct})
    return rows


# ---- the pricing commands' analyses: inputs in, a typed result out ----------------------------------
LIST_COLUMNS = ("provider", "model", "tier", "input", "cached_input", "cache_write", "cache_write_1h", "output",
                "long_context_above", "long_input", "long_output", "min_cache_tokens", "checked")
RATE_COLUMNS = ("input", "cached_input", "cache_write", "cache_write_1h", "output", "long_context_above",
                "long_input", "long_output", "min_cache_tokens", "old", "new", "change_pct")
DIFF_COLUMNS = ("change", "provider", "model", "tier", "context", "rate", "old", "new", "change_pct")


def price_list(pricing: Iterable = (), as_of: date | None = None, providers: Iterable[str] = (),
               tiers: Iterable[str] = (), features: Iterable[str] = (), models: Iterable[str] = (),
               all_columns: bool = False) -> RowsResult:
    """``aicost pricing list``: a row per model and tier with its rates (USD per 1M tokens)."""
    book = PriceBook.load(list(pricing))
    day = as_of or pricing_day()
    rows = list_rows(book, day, providers, tiers, features, models)
    return RowsResult("prices", rows, None if all_columns else LIST_COLUMNS, RATE_COLUMNS,
                      {"as_of": day.isoformat(), "currency": book.currency}, wide_files=True)


def model_card(ref: str, pricing: Iterable = (), as_of: date | None = None) -> ModelCard:
    """``aicost pricing show``: one model in full."""
    book = PriceBook.load(list(pricing))
    return ModelCard(book.currency, show(book, ref, as_of or pricing_day()))


def validation(paths: Iterable = (), with_bundled: bool = False) -> Validation:
    """``aicost pricing validate``: read and check price tables (and GPU tables); problems raise."""
    paths = list(paths)
    book = PriceBook.load(paths, bundled=with_bundled or not paths)
    g = book.gpus  # read and check the GPU tables too
    return Validation(files=sorted(book.files + g.files), models=len(book.models),
                      tier_prices=sum(len(e.spec.tiers) for e in book.models.values()), gpu_types=len(g.gpus),
                      gpu_offers=len(g.offers), open_models=len(g.models), serving_profiles=len(g.profiles))


def price_diff(old: str, new: str, pricing: Iterable = ()) -> RowsResult:
    """``aicost pricing diff``: what changed between two tables, or two dates of the same tables."""
    rows = diff(_rates_at(old, list(pricing)), _rates_at(new, list(pricing)))
    return RowsResult("price-diff", rows, DIFF_COLUMNS, RATE_COLUMNS, {"old": old, "new": new})


def _rates_at(spec: str, pricing: list) -> dict[tuple, Decimal]:
    try:
        day = date.fromisoformat(spec)
    except ValueError:
        return flat_rates(PriceBook.load([spec], bundled=False), pricing_day())
    return flat_rates(PriceBook.load(pricing), day)
