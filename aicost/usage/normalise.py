"""Normalise a raw chunk to aicost's usage columns, with every bad cell found and named.

The columns: day, provider and model, tier code, counts, long context, tags.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from aicost.base.errors import InputError, Problem
from aicost.usage.cells import _const, _num, _numbers, _show, _text, _truth, text_codes
from aicost.usage.days import _days
from aicost.usage.layouts import COUNTS, GEO_WORDS, IMAGE_TEXT, TIER_WORDS, USAGE_TIERS as TIERS, Layout

#: Counts above this on one row (tokens, requests, calls) are refused as not plausible; their
#: cost would overflow the exact decimal sums. A billed amount is bounded likewise.
MAX_COUNT = 1e15
MAX_BILLED = 1e12


def normalise(raw: pd.DataFrame, layout: Layout, tag_keys: list[str],
              broken: dict[int, str] | None = None) -> tuple[pd.DataFrame, list, np.ndarray]:
    """aicost columns from a raw chunk: (frame, problems, valid mask).

    Every check is one vectorised test over the chunk; only the rows that fail one are looked
    at one by one, to name them. Text columns stay text (Arrow strings), tiers become codes.
    ``broken`` names the rows the reader could not read (left empty), by their place: each is a
    problem of its own, and not checked further.
    """
    n = len(raw)
    if not isinstance(raw.index, pd.RangeIndex) or raw.index.start != 0:
        raw = raw.reset_index(drop=True)  # later chunks of a streamed reader count on from the first
    problems: list[tuple[int, str, str, str]] = []  # (row, column, message, kind of problem)
    bad = np.zeros(n, dtype=bool)
    out: dict[str, object] = {}

    def flag(mask: np.ndarray, column: str, message, kind=None) -> None:
        """Rows where ``mask`` holds are bad: ``message`` (text, or a function of the row) says why,
        ``kind`` (text, or a function of the row; default the message) is what --on-error skip counts."""
        nonlocal bad
        if not mask.any():
            return
        idx = np.flatnonzero(mask & ~bad)
        for i in idx[:1000]:  # the first thousand per column and chunk are named; all are counted
            text = message(i) if callable(message) else message
            problems.append((int(i), column, text, kind(i) if callable(kind) else (kind or text)))
        if len(idx) > 1000:
            more = f"... and {len(idx) - 1000} more rows like this"
            problems.append((int(idx[1000]), column, more, more))
        bad = bad | mask

    if broken:
        lost = np.zeros(n, dtype=bool)
        lost[list(broken)] = True
        flag(lost, "", lambda i: broken[int(i)], lambda i: broken[int(i)].split(":")[0])

    def text(s: pd.Series, column: str) -> pd.Series:
        """A text column; a cell holding an object or a list (JSON, Parquet structs) is named."""
        try:
            return _text(s)
        except TypeError:  # unhashable values
            odd = s.map(lambda x: isinstance(x, (dict, list, tuple, np.ndarray))).to_numpy(dtype=bool)
            flag(odd, column, lambda i: f"not a text value: {_kind(s.iloc[i])}", "not a text value")
            return _text(s.where(~odd, None))

    missing = [src for k, src in layout.columns.items() if k in ("timestamp", "model") and src not in raw.columns]
    if missing and n > len(broken or ()):
        raise InputError(Problem("", None, "", f"no column {missing[0]!r} in the log (layout {layout.name}; "
                                 f"columns: {', '.join(map(str, raw.columns[:20]))})"))
    # timestamp -> day number
    src = layout.columns.get("timestamp")
    ts = raw[src] if src in raw.columns else pd.Series([None] * n, dtype=object)
    day = _days(ts, layout.time_unit)
    flag(np.isnan(day), src or "timestamp", lambda i: f"not a date or ISO 8601 time: {_show(ts.iloc[i])}",
         "not a date or ISO 8601 time")
    out["day"] = day.astype(np.int64) if not bad.any() else np.nan_to_num(day).astype(np.int64)
    # names
    for k in ("provider", "model"):
        if k in layout.values:
            out[k] = _const(str(layout.values[k]), n)
        elif layout.columns.get(k) in raw.columns:
            out[k] = text(raw[layout.columns[k]], layout.columns[k])
        else:
            out[k] = _const(None, n)
    model = out["model"]
    flag(model.isna().to_numpy(), layout.columns.get("model", "model"), "no model named")
    geo = layout.columns.get("inference_geo")
    if geo in raw.columns:  # rows run in one geography are priced at the provider's variant for it
        out["provider"] = _in_geo(out["provider"], text(raw[geo], geo), geo, flag)
    # tier -> code (0 standard, 1 batch, 2 flex, 3 priority); an empty cell is standard
    if "tier" in layout.values:
        tier_text = _const(str(layout.values["tier"]), n)
    elif layout.columns.get("tier") in raw.columns:
        tier_text = text(raw[layout.columns["tier"]], layout.columns["tier"])
    else:
        tier_text = None
    if tier_text is None:
        codes = np.zeros(n, dtype=np.int8)
    else:
        codes = _tier_codes(tier_text)
    if layout.batch_flag and layout.batch_flag in raw.columns:
        codes = np.where(raw[layout.batch_flag].fillna(False).astype(bool).to_numpy(), 1, codes).astype(np.int8)
    if layout.speed_column and layout.speed_column in raw.columns:  # fast mode: a price the tables lack
        fast = (raw[layout.speed_column].astype(str).str.strip().str.lower() == "fast").to_numpy()
        codes = np.where(fast & (codes >= 0), TIERS.index("fast_mode"), codes).astype(np.int8)
    flag(codes == -2, layout.columns.get("tier", "tier"),
         lambda i: f"unknown tier {_show(tier_text.iloc[i])} (expected {', '.join(TIERS[:3])} or {TIERS[3]})",
         lambda i: f"unknown tier {_show(tier_text.iloc[i])}")
    out["tier"] = np.maximum(codes, 0).astype(np.int8)
    # counts
    for k in (*COUNTS, "billed_cost"):
        s = layout.columns.get(k)
        if k in layout.values:
            out[k] = np.full(n, float(layout.values[k]))
            continue
        if s is None or s not in raw.columns:
            out[k] = np.full(n, np.nan) if k == "billed_cost" else (np.ones(n) if k == "requests" else np.zeros(n))
            continue
        col = raw[s]
        v = _numbers(col)
        if v.dtype.kind == "f" and np.isnan(v).any():
            given = col.notna().to_numpy()
            flag(given & np.isnan(v), s, lambda i, col=col: f"not a number: {_show(col.iloc[i])}", "not a number")
            if k != "billed_cost":
                v = np.where(given | (k != "requests"), np.nan_to_num(v), 1.0)
        limit = MAX_BILLED if k == "billed_cost" else MAX_COUNT
        huge = np.abs(np.nan_to_num(v, nan=0.0)) > limit
        if huge.any():
            flag(huge, s, lambda i, col=col, v=v: (f"not a finite number: {_show(col.iloc[i])}" if np.isinf(v[i])
                                                   else f"too large: {_show(col.iloc[i])} (at most {limit:.0e})"),
                 lambda i, v=v: "not a finite number" if np.isinf(v[i]) else "too large")
            v = np.where(huge, 0.0, v)
        if k != "billed_cost":
            flag(v < 0, s, lambda i, v=v: f"negative ({_num(v[i])})", "negative")
        out[k] = v
    for k, parts in layout.subtract.items():
        for s in (parts,) if isinstance(parts, str) else parts:
            if s in raw.columns:
                part = np.nan_to_num(_numbers(raw[s]))
                flag(part > out[k] + 0.5, s, lambda i, k=k: f"more than the {layout.columns[k]} it is part of")
                out[k] = np.maximum(out[k] - part, 0.0)
    if any(layout.columns.get(k) in raw.columns or k in layout.values for k in IMAGE_TEXT):  # which image
        out["model"] = _with_image(out["model"], raw, layout, out["images"] > 0, text)
    # long context: stated per row (Anthropic's context_window, a long_context column) or left
    # to be inferred from the prompt size per request (-1)
    if layout.lc_column and layout.lc_column in raw.columns:
        out["long_context"] = (raw[layout.lc_column].astype(str) == layout.lc_value).to_numpy().astype(np.int8)
    elif "long_context" in layout.columns and layout.columns["long_context"] in raw.columns:
        lc_codes, lc_u = pd.factorize(raw[layout.columns["long_context"]], use_na_sentinel=True)
        lut = np.array([_truth(u) for u in lc_u] + [-1], dtype=np.int8)
        out["long_context"] = lut[lc_codes]
    elif layout.lc_column:  # buckets without the context window: no request counts to infer it from
        out["long_context"] = np.zeros(n, dtype=np.int8)
    else:
        out["long_context"] = np.full(n, -1, dtype=np.int8)
    # tags
    tags = _tags(raw, layout, tag_keys, text)
    for key in tag_keys:
        out[f"tag.{key}"] = tags.get(key, _const(None, n))
    frame = pd.DataFrame(out, copy=False)
    return frame, problems, ~bad


def _with_image(model: pd.Series, raw: pd.DataFrame, layout: Layout, has: np.ndarray, text) -> pd.Series:
    """Model names of rows with images carry the image's size and quality after a "#"
    ("dall-e-3#1024x1024/hd"), which the pricing reads (per-image prices depend on them)."""
    parts = []
    for k in IMAGE_TEXT:
        src = layout.columns.get(k)
        col = _const(str(layout.values[k]), len(raw)) if k in layout.values else \
            text(raw[src], src) if src in raw.columns else pd.Series([None] * len(raw), dtype=object)
        parts.append(col.fillna("").astype(str).str.strip().str.lower().to_numpy())
    tag = np.char.add(np.char.add(np.char.add("#", parts[0].astype(str)), "/"), parts[1].astype(str))
    return pd.Series(np.where(has & (tag != "#/"), model.fillna("").astype(str).to_numpy().astype(object) + tag,
                              model.to_numpy(dtype=object)), index=model.index, dtype=object).where(model.notna(), None)


_TIER_KEYS = list(TIER_WORDS)
_TIER_LUT = np.array([TIERS.index(TIER_WORDS[w]) for w in _TIER_KEYS] + [0], dtype=np.int8)


def _tier_codes(s: pd.Series) -> np.ndarray:
    """Tier codes per row (-2: not a tier word; an empty cell is standard). Arrow strings that
    are all exact tier words are looked up in C++; anything else goes through its distinct
    values (case and spaces ignored)."""
    if isinstance(s.dtype, pd.StringDtype) and getattr(s.dtype, "storage", "") == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        a = pa.array(s.array)
        idx = pc.index_in(a, value_set=pa.array(_TIER_KEYS, a.type))
        if idx.null_count == a.null_count:  # every given value is a tier word as written
            i = pc.fill_null(idx, len(_TIER_KEYS)).to_numpy(zero_copy_only=False)
            return _TIER_LUT[i]
    tc, tu = text_codes(s)
    words = [TIER_WORDS.get(str(u).strip().lower()) for u in tu]
    lut = np.array([TIERS.index(w) if w else -2 for w in words] + [0], dtype=np.int8)
    return lut[tc]  # code -1 (empty) takes the extra last entry: standard


def _in_geo(provider: pd.Series, geo: pd.Series, column: str, flag) -> pd.Series:
    """The provider as priced: ``<provider>-us`` where the row ran in the US only (see
    :data:`GEO_WORDS`); an empty cell is the provider's own prices; any other word is a problem."""
    gc, gu = text_codes(geo)
    words = [GEO_WORDS.get(str(u).strip().lower()) for u in gu]
    unknown = np.array([w is None for w in words] + [False])[gc]
    flag(unknown, column, lambda i: f"unknown inference geography {_show(geo.iloc[i])} (expected "
         f"{', '.join(GEO_WORDS)})", lambda i: f"unknown inference geography {_show(geo.iloc[i])}")
    suffix = np.array([w or "" for w in words] + [""], dtype=object)[gc]
    if not (suffix != "").any():
        return provider
    pc, pu = text_codes(provider)
    names = np.array([str(u) for u in pu] + [""], dtype=object)[pc]
    moved = (suffix != "") & (pc >= 0)
    names = np.where(moved, names + "-" + suffix, names)
    return _text(pd.Series(np.where(pc >= 0, names, None), dtype=object))


def _kind(x) -> str:
    return "an object" if isinstance(x, dict) else "a list"


def _tags(raw: pd.DataFrame, layout: Layout, keys: list[str], text) -> dict[str, pd.Series]:
    tags: dict[str, pd.Series] = {}
    for key in keys:
        src = layout.tag_source(key)
        if src is not None and src in raw.columns:
            tags[key] = text(raw[src], src)
    if layout.tag_list and layout.tag_list in raw.columns and any(k not in tags for k in keys):
        codes, uniques = pd.factorize(raw[layout.tag_list], use_na_sentinel=True)  # each distinct list once
        parsed = [_tag_pairs(c) for c in uniques]
        for key in keys:
            if key not in tags:
                vals = [d.get(key) for d in parsed]
                cats = sorted({v for v in vals if v is not None})
                lut = np.array([cats.index(v) if v is not None else -1 for v in vals] + [-1], dtype=np.int32)
                tags[key] = pd.Series(pd.Categorical.from_codes(lut[codes], categories=pd.Index(cats, dtype=object)))
    return tags


def _tag_pairs(v) -> dict:
    """LiteLLM request_tags: a JSON list such as ["team:search", "feature:rerank"]."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return {}
    items = v
    if isinstance(v, str):
        try:
            items = json.loads(v)
        except json.JSONDecodeError:
            items = [v]
    if isinstance(items, dict):
        return {str(k): str(x) for k, x in items.items()}
    out = {}
    for it in items if isinstance(items, (list, tuple, np.ndarray)) else []:
        k, sep, x = str(it).partition(":")
        if not sep:
            k, sep, x = str(it).partition("=")
        if sep:
            out[k.strip()] = x.strip()
    return out
