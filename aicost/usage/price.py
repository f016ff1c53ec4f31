"""Price usage with aicost's tables, at the price in force on each day.

:func:`price_frame` is the one pricing function, for both engines. It prices the usage once it
has been summed by day, provider, model, tier, long-context bucket and tags (cost is linear in
the counts within such a group), on whole columns (numpy): the rates are looked up once per
distinct (provider, model, tier, long-context).
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np
import pandas as pd

from aicost.base.constants import MEDIA_METERS, TOKENS_PER_MTOK
from aicost.inputs.pricebook import RATE_FIELDS
from aicost.usage.layouts import MEDIA_COUNTS, TOKENS, USAGE_TIERS as TIERS, without_geo

EPOCH = date(1970, 1, 1)
#: Provider names used by gateways (LiteLLM's custom_llm_provider) -> aicost provider ids.
PROVIDER_ALIASES = {"gemini": "google", "vertex_ai": "google", "vertex_ai_beta": "google", "google_ai": "google",
                    "azure_openai": "azure", "azure_ai": "azure", "text-completion-openai": "openai",
                    "openai": "openai", "anthropic": "anthropic", "azure": "azure", "google": "google"}
_DATED = re.compile(r"[-@](\d{4}-?\d{2}-?\d{2}|latest)$")

#: Rate columns per row: per 1M tokens for the token kinds, per call/session for tools.
RATE_COLS = (*RATE_FIELDS, "web_search", "file_search", "code_session", *(r for r, _, _ in MEDIA_COUNTS.values()))
TOKEN_RATE = dict(zip(TOKENS, RATE_COLS[:6]))
TOOL_COUNTS = {"web_search_calls": "web_search", "file_search_calls": "file_search", "code_sessions": "code_session"}
COST_METERS = ("input", "cached_input", "cache_write", "cache_write_1h", "output", "reasoning", "tools", *MEDIA_METERS)

#: Why a row is unpriced (0 = priced), as codes (worded in aicost.report.explain.UNPRICED_USAGE).
STATUS = {0: "priced", 1: "unknown_model", 2: "no_price_on_tier", 3: "no_price_for_token_kind",
          4: "no_price_for_tool", 5: "priced_by_contract", 6: "no_price_in_geography", 7: "fast_mode",
          8: "not_served", 9: "no_public_price", 10: "no_price_for_unit"}
#: Usage tiers no table prices, and the status their rows get: OpenAI's Scale Tier (bought by
#: contract), Anthropic's fast mode, and Anthropic's tiers with no published rate.
UNPRICED_TIERS = {"scale": 5, "fast_mode": 7, "priority_on_demand": 9, "flex_discount": 9}


class Rates:
    """Lookups from the price book, remembered: model names, and rates per (entry, tier, day span)."""

    def __init__(self, book):
        self.book = book
        self._entries: dict[tuple, object] = {}
        self._blocks: dict[tuple, list | None] = {}
        found = {float(e.spec.long_context.threshold) for e in book.models.values() if e.spec.long_context}
        #: every long-context threshold in the book, ascending: a row's bucket is how many of them
        #: its prompt per request exceeds (len + 1: stated long-context), see :meth:`rank`
        self.thresholds = np.array(sorted(found), dtype=float)
        cuts = {(d - EPOCH).days for e in book.models.values()
                for tiers in (e.spec.tiers, e.spec.long_context.tiers if e.spec.long_context else {})
                for blocks in tiers.values() for b in blocks for d in (b.effective_from, b.effective_to) if d}
        cuts |= {(d - EPOCH).days for e in book.models.values()  # a model's first and last day served
                 for d in (e.spec.available_from, e.spec.retired) if d}
        #: days on which some price changes (or a model is released or retired): with month starts,
        #: they cut time into price periods
        self.cuts = np.array(sorted(cuts), dtype=np.int64)
        #: group by the day itself, not the price period (a forecast needs each day's cost)
        self.by_day = False

    def periods(self, day: np.ndarray) -> np.ndarray:
        """Each day's price period, as its first day: periods are cut at month starts and on every
        day a price in the book changes, so every rate (and the month) is the same within one."""
        if self.by_day:
            return np.asarray(day, dtype=np.int64)
        month = day.astype("datetime64[D]").astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        if not len(self.cuts):
            return month
        i = np.searchsorted(self.cuts, day, "right") - 1
        return np.maximum(month, np.where(i >= 0, self.cuts[np.maximum(i, 0)], month))

    def rank(self, entry) -> int:
        """Bucket above which a row is long-context for this entry (len(thresholds) when the
        entry has no long-context rates: only a stated long-context row is over it)."""
        if entry is None or entry.spec.long_context is None:
            return len(self.thresholds)
        return int(np.searchsorted(self.thresholds, float(entry.spec.long_context.threshold), "left"))

    def lc_buckets(self, prompt_per_request: np.ndarray, stated: np.ndarray) -> np.ndarray:
        """Per row: stated long-context (1) -> len+1, stated not (0) -> 0, unknown (-1) -> the
        number of thresholds the prompt per request exceeds."""
        k = len(self.thresholds)
        out = np.where(stated == 1, k + 1, 0).astype(np.int8)
        unknown = stated < 0
        if k == 0 or not unknown.any() or prompt_per_request.max(initial=0) <= self.thresholds[0]:
            return out
        inferred = np.searchsorted(self.thresholds, prompt_per_request, "left").astype(np.int8)
        return np.where(unknown, inferred, out).astype(np.int8)

    def __getstate__(self):  # sent to Dask workers without the remembered lookups
        return {"book": self.book, "_entries": {}, "_blocks": {}, "thresholds": self.thresholds, "cuts": self.cuts,
                "by_day": self.by_day}

    def entry(self, provider: str | None, model: str):
        k = (provider, model)
        if k not in self._entries:
            self._entries[k] = self._resolve(provider, model)
        return self._entries[k]

    def _resolve(self, provider, model):
        if model is None or model != model:
            return None
        model = str(model).strip().split("#", 1)[0]  # "#size/quality": which image (see normalise._with_image)
        prov = PROVIDER_ALIASES.get(str(provider).strip().lower(), str(provider).strip().lower()) \
            if provider is not None and provider == provider and str(provider).strip() else None
        tries = [model]
        if "/" in model:
            head, tail = model.split("/", 1)
            if head.lower() in PROVIDER_ALIASES:
                prov = prov or PROVIDER_ALIASES[head.lower()]
                tries = [tail]
        tries += [_DATED.sub("", t) for t in tries if _DATED.search(t)]
        for t in tries:
            hits = self.book.resolve(t, [prov] if prov else None)
            if hits:
                return hits[0]
        return None

    def outside_geo(self, provider, model) -> bool:
        """A model the tables know, named under a geography's variant that does not price it
        (US-only inference of a model that does not offer it): unpriced for that reason, not
        an unknown model."""
        base = without_geo(str(provider)) if provider is not None and provider == provider else None
        return base is not None and self.entry(base, model) is not None

    def blocks(self, entry, tier: str, long_context: bool, image: str = "") -> list[tuple[int, int, np.ndarray]] | None:
        """Dated rate blocks (first day, end day exclusive, rates) for one entry and tier; None
        when the entry has no such tier (or no long-context rates for it)."""
        if not entry.offers(tier):
            return None
        spec = entry.spec
        if long_context:
            if spec.long_context is None or tier not in spec.long_context.tiers:
                return None
            raw = spec.long_context.tiers[tier]
        else:
            raw = spec.tiers[tier]
        key = (entry.key, tier, long_context, image)
        if key in self._blocks:
            return self._blocks[key]
        tools = _tools(self.book, entry)
        out = []
        first, last = spec.available_from, spec.retired  # the model is priced only while it is served
        for b in raw:
            lo = (b.effective_from - EPOCH).days if b.effective_from else -(10**7)
            hi = (b.effective_to - EPOCH).days if b.effective_to else 10**7
            lo = max(lo, (first - EPOCH).days) if first else lo
            hi = min(hi, (last - EPOCH).days) if last else hi
            if lo >= hi:
                continue
            day = EPOCH + timedelta(days=lo) if lo > -(10**6) else (
                EPOCH + timedelta(days=hi - 1) if hi < 10**6 else date(2000, 1, 1))
            p = self.book.price(entry, tier, day, long_context=long_context)
            if p is None:
                continue
            out.append((lo, hi, np.array([
                float(p.input), _f(p.cached_input), float(p.write_rate()), _f(p.cache_write_1h), float(p.output),
                float(p.reasoning_rate),
                *tools, *_media(p, entry, image)], dtype=float)))
        self._blocks[key] = out
        return out


def _f(x) -> float:
    return np.nan if x is None else float(x)


def _media(p, entry, image: str) -> list[float]:
    """A block's media rates, in the order of MEDIA_COUNTS: per 1M audio and image tokens (image
    input at the input rate unless priced), $ per second of audio (per minute, or as audio tokens
    at the model's tokens per minute), per 1M characters, per image of the row's size/quality."""
    tpm = entry.spec.audio_tokens.input if entry.spec.audio_tokens else None
    if p.per_audio_minute is not None:
        second = float(p.per_audio_minute) / 60.0
    elif p.audio_input is not None and tpm is not None:
        second = float(tpm) / 60.0 * float(p.audio_input) / TOKENS_PER_MTOK
    else:
        second = np.nan
    size, _, quality = image.partition("/")
    per_image = _f(((p.per_image or {}).get(size) or {}).get(quality))
    tokens = ((entry.spec.image_output_tokens or {}).get(size) or {}).get(quality)
    if np.isnan(per_image) and tokens is not None and p.image_output is not None:
        per_image = float(tokens) * float(p.image_output) / TOKENS_PER_MTOK  # priced in image output tokens
    rates = {"audio_input": _f(p.audio_input), "cached_audio_input": _f(p.cached_audio_input),
             "audio_output": _f(p.audio_output), "image_input": _f(p.image_input if p.image_input is not None else p.input),
             "cached_image_input": _f(p.cached_image_input), "image_output": _f(p.image_output), "audio_second": second,
             "per_1m_characters": _f(p.per_1m_characters), "per_image": per_image}
    return [rates[rc] for rc, _, _ in MEDIA_COUNTS.values()]


def _tools(book, entry) -> list[float]:
    return [_f(book.fee_per_use(entry, name)) for name in ("web_search", "file_search", "code_session")]


def dense_unique(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(x, return_inverse=True) for integers in a small range, without sorting."""
    if len(x) == 0:
        return np.array([], np.int64), np.array([], np.int64)
    lo, hi = int(x.min()), int(x.max())
    if hi - lo > 4 * len(x) + 1_000_000:  # a wide range: hash, then sort only the distinct values
        codes, uniq = pd.factorize(x)
        order = np.argsort(uniq, kind="stable")
        rank = np.empty(len(uniq), dtype=np.int64)
        rank[order] = np.arange(len(uniq))
        return np.asarray(uniq)[order].astype(np.int64), rank[codes]
    seen = np.zeros(hi - lo + 1, dtype=bool)
    seen[x - lo] = True
    u = np.flatnonzero(seen)
    remap = np.cumsum(seen, dtype=np.int32 if len(u) < 2**31 else np.int64)
    del seen
    remap -= 1
    return u + lo, remap[x - lo]


def _codes(s: pd.Series) -> tuple[np.ndarray, list]:
    """(codes, distinct values) of a text column, -1 for none."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy().astype(np.int64), list(s.cat.categories)
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    return codes.astype(np.int64), list(uniques)


def price_frame(df: pd.DataFrame, rates: Rates) -> pd.DataFrame:
    """Price usage groups: columns day, provider, model, tier (code, see :data:`TIERS`), lcb
    (long-context bucket, see :meth:`Rates.lc_buckets`) and the summed counts (a count column
    that is missing is zero throughout). Adds ``sku`` (provider/model as priced, a category),
    ``status`` (see :data:`STATUS`), ``lc``, ``cost.<meter>`` for the meters the counts have, and
    ``cost``, and turns ``tier`` into its name (in place; returned)."""
    n = len(df)
    pcodes, puniq = _codes(df["provider"])
    mcodes, muniq = _codes(df["model"])
    pcodes += 1
    pcodes *= len(muniq) + 1
    pcodes += mcodes + 1
    upair, pinv = dense_unique(pcodes)  # one number per (provider, model) pair
    del pcodes, mcodes
    entries, sku_names, ranks, no_geo, images = [], [], [], [], []
    for u in upair:
        pc, mc = divmod(int(u), len(muniq) + 1)
        p = puniq[pc - 1] if pc > 0 else None
        m = muniq[mc - 1] if mc > 0 else None
        e = rates.entry(p, m)
        entries.append(e)
        images.append(str(m).partition("#")[2] if m is not None else "")
        ranks.append(rates.rank(e))
        sku_names.append(e.key if e is not None else (f"{p}/{m}" if p is not None else str(m)))
        # a model the tables know, run in a geography they have no price for (US-only inference of
        # a model that does not offer it): unpriced for that reason, not as an unknown model
        no_geo.append(e is None and rates.outside_geo(p, m))
    status = np.zeros(n, dtype=np.int8)
    known = np.array([e is not None for e in entries], dtype=bool)
    if n:
        status[~known[pinv]] = 1
        status[np.array(no_geo, dtype=bool)[pinv]] = 6
    lc = (df["lcb"].to_numpy() > np.array(ranks, dtype=np.int8)[pinv]).astype(np.int8) if n \
        else np.zeros(0, dtype=np.int8)
    tcodes = df["tier"].to_numpy().astype(np.int8)
    combo = pinv.astype(np.int64)
    combo *= len(TIERS)
    combo += tcodes
    combo *= 2
    combo += lc
    ucombo, cinv = dense_unique(combo)
    del combo
    table = np.full((len(ucombo) + 1, len(RATE_COLS)), np.nan)  # one row of rates per combination
    dated: list[tuple[np.ndarray, list]] = []
    no_price = np.zeros(len(ucombo) + 1, dtype=bool)
    tier_status = np.zeros(len(ucombo) + 1, dtype=np.int8)  # a tier no table prices: its status
    day = df["day"].to_numpy()
    for j, c in enumerate(ucombo):
        rest, is_lc = divmod(int(c), 2)
        pi, tc = divmod(rest, len(TIERS))
        e = entries[pi]
        if e is None:
            continue
        if TIERS[tc] in UNPRICED_TIERS:
            tier_status[j] = UNPRICED_TIERS[TIERS[tc]]
            continue
        blocks = rates.blocks(e, TIERS[tc], bool(is_lc), images[pi])
        if not blocks:
            no_price[j] = True
        elif len(blocks) == 1 and blocks[0][0] < -10**6 and blocks[0][1] > 10**6:
            table[j] = blocks[0][2]
        else:  # price history: each group takes the block in force on its day
            dated.append((np.flatnonzero(cinv == j), blocks))
    status[no_price[cinv]] = 2
    status = np.where(tier_status[cinv] > 0, tier_status[cinv], status).astype(np.int8)
    for rows, blocks in dated:
        d = day[rows]
        hit = np.zeros(len(rows), dtype=bool)
        for lo, hi, _ in blocks:
            hit |= (d >= lo) & (d < hi)
        status[rows[~hit]] = 2
    for pi, e in enumerate(entries):  # rows of a model on a day it was not served: not released, or retired
        if e is None or (e.spec.available_from is None and e.spec.retired is None):
            continue
        first = (e.spec.available_from - EPOCH).days if e.spec.available_from else -(10**7)
        last = (e.spec.retired - EPOCH).days if e.spec.retired else 10**7
        status[(pinv == pi) & ((day < first) | (day >= last)) & (status == 2)] = 8

    def rate(rc: str) -> np.ndarray:
        """Each group's rate for one rate column (NaN: none), one column at a time."""
        i = RATE_COLS.index(rc)
        r = table[cinv, i]
        for rows, blocks in dated:
            d = day[rows]
            for lo, hi, vec in blocks:
                r[rows[(d >= lo) & (d < hi)]] = vec[i]
        return r

    # the counts this log has (a missing one has no cost and needs no rate), by meter
    meters = [(k, rc) for k, rc in TOKEN_RATE.items() if k in df]
    tools = [(k, rc) for k, rc in TOOL_COUNTS.items() if k in df]
    for k, rc in meters:  # first the status (a missing rate unprices the group), then the costs
        status[(status == 0) & np.isnan(rate(rc)) & (df[k].to_numpy() > 0)] = 3
    for k, rc in tools:
        status[(status == 0) & np.isnan(rate(rc)) & (df[k].to_numpy() > 0)] = 4
    media = [(k, rc, meter, per) for k, (rc, meter, per) in MEDIA_COUNTS.items() if k in df]
    for k, rc, _, _ in media:
        status[(status == 0) & np.isnan(rate(rc)) & (df[k].to_numpy() > 0)] = 10
    priced = status == 0
    total = np.zeros(n)
    for m in COST_METERS:
        if m == "tools":
            if not tools:
                continue
            v = np.zeros(n)
            for k, rc in tools:
                calls = df[k].to_numpy()
                v += np.where(calls > 0, calls * np.nan_to_num(rate(rc)), 0.0)
        elif m in dict(meters).values():
            k = next(k for k, rc in meters if rc == m)
            tok = df[k].to_numpy()
            v = np.where(tok > 0, tok * np.nan_to_num(rate(m)) / TOKENS_PER_MTOK, 0.0)
        elif any(meter == m for _, _, meter, _ in media):
            k, rc, _, per = next(x for x in media if x[2] == m)
            n_ = df[k].to_numpy()
            v = np.where(n_ > 0, n_ * np.nan_to_num(rate(rc)) / per, 0.0)
        else:
            continue
        v = np.where(priced, v, np.nan)
        df[f"cost.{m}"] = v
        total += np.nan_to_num(v)
    embedding = np.array([e is not None and e.spec.kind == "embedding" for e in entries] + [False], dtype=bool)
    if "cost.input" in df and len(entries) and embedding.any():  # an embedding model's input is its own meter
        emb = embedding[pinv]
        df["cost.embedding"] = np.where(emb, df["cost.input"].to_numpy(), np.where(priced, 0.0, np.nan))
        df["cost.input"] = np.where(emb, np.where(priced, 0.0, np.nan), df["cost.input"].to_numpy())
    df["cost"] = np.where(priced, total, np.nan)
    df["status"] = status
    df["lc"] = lc
    df["tier"] = pd.Categorical.from_codes(tcodes, categories=list(TIERS), validate=False)
    skus = sorted(set(sku_names))
    sku_code = np.array([skus.index(x) for x in sku_names] + [-1], dtype=np.int32)
    df["sku"] = pd.Categorical.from_codes(sku_code[pinv], categories=pd.Index(skus, dtype=object), validate=False)
    return df
