"""Price usage rows with aicost's tables, at the price in force on each row's day.

:func:`price_frame` is the one pricing function: the local engine calls it on each chunk and
the Dask engine on each partition. It works on whole columns (numpy), never row by row: the
rates are looked up once per distinct (provider, model, tier, long-context) in the chunk.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np
import pandas as pd

from .layouts import TOKENS

EPOCH = date(1970, 1, 1)
#: Provider names used by gateways (LiteLLM's custom_llm_provider) -> aicost provider ids.
PROVIDER_ALIASES = {"gemini": "google", "vertex_ai": "google", "vertex_ai_beta": "google", "google_ai": "google",
                    "azure_openai": "azure", "azure_ai": "azure", "text-completion-openai": "openai",
                    "openai": "openai", "anthropic": "anthropic", "azure": "azure", "google": "google"}
_DATED = re.compile(r"[-@](\d{4}-?\d{2}-?\d{2}|latest)$")

#: Rate columns per row: per 1M tokens for the token kinds, per call/session for tools.
RATE_COLS = ("input", "cached_input", "cache_write", "cache_write_1h", "output", "reasoning",
             "web_search", "file_search", "code_session")
TOKEN_RATE = dict(zip(TOKENS, RATE_COLS[:6]))
TOOL_COUNTS = {"web_search_calls": "web_search", "file_search_calls": "file_search", "code_sessions": "code_session"}
COST_METERS = ("input", "cached_input", "cache_write", "cache_write_1h", "output", "reasoning", "tools")

#: Why a row is unpriced (0 = priced).
STATUS = {0: "priced", 1: "unknown model", 2: "no price on this tier on this day",
          3: "no price for a token kind it uses (cached input or 1-hour cache write)",
          4: "no price for a tool it calls"}


class Rates:
    """Lookups from the price book, remembered: model names, and rates per (entry, tier, day span)."""

    def __init__(self, book):
        self.book = book
        self._entries: dict[tuple, object] = {}
        self._blocks: dict[tuple, list | None] = {}

    def __getstate__(self):  # sent to Dask workers without the remembered lookups
        return {"book": self.book, "_entries": {}, "_blocks": {}}

    def entry(self, provider: str | None, model: str):
        k = (provider, model)
        if k not in self._entries:
            self._entries[k] = self._resolve(provider, model)
        return self._entries[k]

    def _resolve(self, provider, model):
        if model is None or model != model:
            return None
        model = str(model).strip()
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

    def blocks(self, entry, tier: str, long_context: bool) -> list[tuple[int, int, np.ndarray]] | None:
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
        key = (entry.key, tier, long_context)
        if key in self._blocks:
            return self._blocks[key]
        tools = _tools(self.book, entry)
        out = []
        for b in raw:
            lo = (b.effective_from - EPOCH).days if b.effective_from else -(10**7)
            hi = (b.effective_to - EPOCH).days if b.effective_to else 10**7
            day = b.effective_from or (b.effective_to - timedelta(days=1) if b.effective_to else date(2000, 1, 1))
            p = self.book.price(entry, tier, day, long_context=long_context)
            if p is None:
                continue
            out.append((lo, hi, np.array([
                float(p.input), _f(p.cached_input), float(p.cache_write if p.cache_write is not None else p.input),
                _f(p.cache_write_1h), float(p.output), float(p.reasoning if p.reasoning is not None else p.output),
                *tools], dtype=float)))
        self._blocks[key] = out
        return out


def _f(x) -> float:
    return np.nan if x is None else float(x)


def _tools(book, entry) -> list[float]:
    own = entry.spec.tools
    prov = book.providers[entry.provider].tools
    out = []
    for name, field in (("web_search", "per_1k_calls"), ("file_search", "per_1k_calls"), ("code_session", "per_session")):
        t = own.get(name) or prov.get(name)
        v = getattr(t, field, None) if t is not None else None
        out.append(np.nan if v is None else float(v) / (1000 if field == "per_1k_calls" else 1))
    return out


def dense_unique(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(x, return_inverse=True) for integers in a small range, without sorting."""
    if len(x) == 0:
        return np.array([], np.int64), np.array([], np.int64)
    lo, hi = int(x.min()), int(x.max())
    if hi - lo > 4 * len(x) + 1_000_000:
        return np.unique(x, return_inverse=True)
    seen = np.bincount(x - lo, minlength=hi - lo + 1) > 0
    u = np.flatnonzero(seen)
    remap = np.cumsum(seen) - 1
    return u + lo, remap[x - lo]


def price_frame(df: pd.DataFrame, rates: Rates) -> pd.DataFrame:
    """Add ``sku`` (provider/model as priced), ``status`` (see :data:`STATUS`), ``lc`` and the
    cost columns ``cost.<meter>`` and ``cost`` to normalised usage rows (in place; returned)."""
    n = len(df)
    prov = pd.Categorical(df["provider"])
    model = pd.Categorical(df["model"])
    tier = pd.Categorical(df["tier"])
    pair = prov.codes.astype(np.int64) * (len(model.categories) + 1) + model.codes
    upair, pinv = dense_unique(pair)
    entries = []
    sku_names = []
    for u in upair:
        pc, mc = divmod(int(u), len(model.categories) + 1)
        p = prov.categories[pc] if pc >= 0 else None
        m = model.categories[mc] if mc >= 0 and mc < len(model.categories) else None
        e = rates.entry(p, m)
        entries.append(e)
        sku_names.append(e.key if e is not None else (f"{p}/{m}" if p is not None else str(m)))
    status = np.zeros(n, dtype=np.int8)
    known = np.array([e is not None for e in entries], dtype=bool)
    status[~known[pinv]] = 1 if n else 0
    prompt = sum(df[k].to_numpy() for k in ("input_tokens", "cached_input_tokens", "cache_write_tokens",
                                             "cache_write_1h_tokens"))
    per_req = prompt / np.maximum(df["requests"].to_numpy(), 1.0)
    lc = df["long_context"].to_numpy().astype(np.int8)
    thresholds = np.array([e.spec.long_context.threshold if e is not None and e.spec.long_context else np.inf
                           for e in entries], dtype=float)
    lc = np.where(lc >= 0, lc, (per_req > thresholds[pinv]) if n else lc).astype(np.int8)
    combo = (pinv.astype(np.int64) * (len(tier.categories) + 1) + tier.codes) * 2 + lc
    ucombo, cinv = dense_unique(combo)
    table = np.full((len(ucombo) + 1, len(RATE_COLS)), np.nan)  # one row of rates per combination
    dated: list[tuple[np.ndarray, list]] = []
    no_price = np.zeros(len(ucombo) + 1, dtype=bool)
    day = df["day"].to_numpy()
    for j, c in enumerate(ucombo):
        rest, is_lc = divmod(int(c), 2)
        pi, tc = divmod(rest, len(tier.categories) + 1)
        e = entries[pi]
        if e is None:
            continue
        blocks = rates.blocks(e, str(tier.categories[tc]), bool(is_lc)) if tc < len(tier.categories) else None
        if not blocks:
            no_price[j] = True
        elif len(blocks) == 1 and blocks[0][0] < -10**6 and blocks[0][1] > 10**6:
            table[j] = blocks[0][2]
        else:  # price history: each row takes the block in force on its day
            dated.append((np.flatnonzero(cinv == j), blocks))
    status[no_price[cinv]] = 2
    R = {rc: table[cinv, i] for i, rc in enumerate(RATE_COLS)}
    for rows, blocks in dated:
        d = day[rows]
        hit = np.zeros(len(rows), dtype=bool)
        for lo, hi, vec in blocks:
            m = (d >= lo) & (d < hi)
            for i, rc in enumerate(RATE_COLS):
                R[rc][rows[m]] = vec[i]
            hit |= m
        status[rows[~hit]] = 2
    cost = {}
    for k, rc in TOKEN_RATE.items():
        tok = df[k].to_numpy()
        r = R[rc]
        missing = np.isnan(r) & (tok > 0)
        status[(status == 0) & missing] = 3
        cost[rc] = np.where(tok > 0, tok * np.nan_to_num(r) / 1e6, 0.0)
    tools = np.zeros(n)
    for k, rc in TOOL_COUNTS.items():
        calls = df[k].to_numpy()
        r = R[rc]
        status[(status == 0) & np.isnan(r) & (calls > 0)] = 4
        tools += np.where(calls > 0, calls * np.nan_to_num(r), 0.0)
    cost["tools"] = tools
    priced = status == 0
    total = np.zeros(n)
    for m in COST_METERS:
        v = np.where(priced, cost[m], np.nan)
        df[f"cost.{m}"] = v
        total = total + np.nan_to_num(v)
    df["cost"] = np.where(priced, total, np.nan)
    df["status"] = status
    df["lc"] = lc
    df["sku"] = pd.Categorical.from_codes(pinv, categories=pd.Index(sku_names).unique()) if len(set(sku_names)) == \
        len(sku_names) else pd.Categorical(np.array(sku_names, dtype=object)[pinv] if n else [])
    return df
