"""Import price data from LiteLLM's and pydantic genai-prices' files into aicost tables.

Both are read from a local file (no network); neither library is needed. The result is one
pricing table (plain data in aicost's version-1 format) per provider, each price carrying
where it came from and the check date, ready for :func:`to_yaml`.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from aicost.base.errors import InputError, Problem
from aicost.base.constants import TIERS, TOKENS_PER_MTOK

from aicost.inputs import import_media as M
from aicost.inputs.import_media import _dec, _litellm_tools, _tidy, _units, genai_media

MTOK = Decimal(TOKENS_PER_MTOK)

# ---- LiteLLM --------------------------------------------------------------------------------

#: aicost rate name -> LiteLLM per-token field (before tier and long-context suffixes)
LITELLM_RATES = {
    "input": "input_cost_per_token",
    "cached_input": "cache_read_input_token_cost",
    "cache_write": "cache_creation_input_token_cost",
    "cache_write_1h": "cache_creation_input_token_cost_above_1hr",
    "output": "output_cost_per_token",
    "reasoning": "output_cost_per_reasoning_token",
}
#: aicost tier -> LiteLLM field suffix
LITELLM_TIER_SUFFIX = {"standard": "", "batch": "_batches", "flex": "_flex", "priority": "_priority"}
#: LiteLLM provider -> aicost provider id
LITELLM_PROVIDERS = {"gemini": "google", "openai": "openai", "anthropic": "anthropic", "azure": "azure"}
_CHAT_MODES = {"chat", "responses", "realtime", None}
_ABOVE = re.compile(r"_above_(\d+)k_tokens")


def per_mtok(per_token: Any) -> Decimal | None:
    """A per-token float as an exact per-1M decimal: 1.25e-06 -> 1.25 (no binary noise)."""
    d = _dec(per_token)
    if d is None or not d.is_finite():
        return d  # a non-finite one is kept, so that validation names it (a price must be a finite number)
    return _tidy(d * MTOK)


def _litellm_rates(entry: dict, tier: str, above: str = "") -> dict | None:
    """Rates of one tier (optionally above a long-context threshold) from a LiteLLM entry."""
    suffix = LITELLM_TIER_SUFFIX[tier]
    out: dict[str, Decimal] = {}
    for ours, field in LITELLM_RATES.items():
        value = per_mtok(entry.get(f"{field}{above}{suffix}"))
        if value is not None:
            out[ours] = value
    if "input" not in out or "output" not in out:
        return None
    if out.get("cache_write") == out["input"]:
        del out["cache_write"]  # no premium: aicost bills writes at input when absent
    if out.get("reasoning") == out["output"]:
        del out["reasoning"]
    return out


def from_litellm(data: dict, providers: Iterable[str] | None = None, checked: date | None = None,
                 source: str = "LiteLLM model_prices_and_context_window.json",
                 skipped: list | None = None) -> dict[str, dict]:
    """aicost pricing tables (plain data, one per provider) from LiteLLM's price map. Entries of
    the providers wanted that cannot be expressed are added to ``skipped`` as (provider, model,
    why): a mode other than text generation, or no per-token input and output price."""
    if not isinstance(data, dict):
        raise InputError("LiteLLM data: expected a JSON object mapping model names to entries")
    wanted = set(providers) if providers else None
    checked = checked or date.today()
    tables: dict[str, dict] = {}
    lp_of = lambda e: str(e.get("litellm_provider", "")).lower()  # noqa: E731
    images = M.litellm_images(data, lp_of)
    for key in sorted(data):
        entry = data[key]
        if key == "sample_spec" or not isinstance(entry, dict):
            continue
        lp = lp_of(entry)
        provider = LITELLM_PROVIDERS.get(lp, re.sub(r"[^a-z0-9._-]", "-", lp))
        if not provider or (wanted is not None and provider not in wanted and lp not in wanted):
            continue
        model_id = key.split("/", 1)[1] if key.lower().startswith(lp + "/") else key
        kind = "chat" if entry.get("mode") in _CHAT_MODES else M.LITELLM_KINDS.get(entry.get("mode"))
        if kind == "image" and M.is_size_key(model_id):
            continue  # a per-image price: carried into its model
        if kind is None:
            if skipped is not None:
                units = _units(entry)
                skipped.append((provider, model_id, f"mode {entry.get('mode')!r}"
                                + (f" (priced {units})" if units else "")
                                + ": aicost prices text, audio, speech, images and embeddings only"))
            continue
        imgs = images.pop((lp, model_id), None)
        tiers = {t: r for t in TIERS if (r := M.tier_rates(entry, kind, LITELLM_TIER_SUFFIX[t], _litellm_rates(entry, t),
                                                          per_mtok, imgs if t == "standard" else None)) is not None}
        if kind == "image" and not any("per_image" in r for r in tiers.values()):
            if skipped is not None:
                skipped.append((provider, model_id, "an image model priced per image token, with no per-image prices "
                                                    "(size keys) and no image tokens per image in the source"))
            continue
        if not tiers:
            if skipped is not None:
                other = sorted(f for f in entry if ("cost_per" in f or f.endswith("_cost")) and entry[f] is not None)
                skipped.append((provider, model_id, "no per-token input and output price"
                                + (f" (it has {', '.join(other[:4])}{', ...' if len(other) > 4 else ''})"
                                   if other else "")))
            continue
        model: dict[str, Any] = {"kind": kind} if kind != "chat" else {}
        if entry.get("max_input_tokens"):
            model["context_window"] = int(entry["max_input_tokens"])
        has_cache = any("cached_input" in r for r in tiers.values())
        if entry.get("prompt_cache_min_tokens") is not None:
            model["min_cache_tokens"] = int(entry["prompt_cache_min_tokens"])
        elif has_cache:
            model["min_cache_tokens"] = 0
            model["note"] = "min_cache_tokens is not in the source: 0 means any prefix is cached; set the real minimum"
        if entry.get("deprecation_date"):  # LiteLLM's is the day the model stops being served
            try:
                model["retired"] = date.fromisoformat(str(entry["deprecation_date"]))
            except ValueError:
                pass
        model["tiers"] = tiers
        thresholds = sorted({int(m.group(1)) for f in entry for m in [_ABOVE.search(f)] if m
                             and f.startswith(("input_cost_per_token_above_", "output_cost_per_token_above_"))})
        if thresholds:  # the lowest threshold: above it the whole request is repriced
            n = thresholds[0]
            long = {t: r for t in TIERS if (r := _litellm_rates(entry, t, f"_above_{n}k_tokens")) is not None}
            if long:
                model["long_context"] = {"threshold": n * 1000, "tiers": long}
        tools = _litellm_tools(entry)
        if tools:
            model["tools"] = tools
        model["source"] = f"{source}, key {key}"
        table = tables.setdefault(provider, _table(provider, source, checked))
        table["models"][model_id] = model
    for (lp, model_id), by_size in sorted(images.items()):  # image models LiteLLM prices per image only
        provider = LITELLM_PROVIDERS.get(lp, re.sub(r"[^a-z0-9._-]", "-", lp))
        if not provider or (wanted is not None and provider not in wanted and lp not in wanted):
            continue
        table = tables.setdefault(provider, _table(provider, source, checked))
        table["models"].setdefault(model_id, {"kind": "image", "tiers": {"standard": {
            "input": Decimal(0), "output": Decimal(0), "per_image": by_size}},
            "source": f"{source}, per-image keys of {model_id}"})
    return tables


def _table(provider: str, source: str, checked: date) -> dict:
    return {"version": 1, "provider": provider, "name": provider, "currency": "USD", "source": source,
            "checked": checked, "models": {}}


# ---- genai-prices ---------------------------------------------------------------------------

_GENAI_RATES = {"input_mtok": "input", "cache_read_mtok": "cached_input", "cache_write_mtok": "cache_write",
                "output_mtok": "output"}
_GENAI_PROVIDERS = {"google": "google", "openai": "openai", "anthropic": "anthropic", "azure": "azure"}


def from_genai_prices(data: Any, providers: Iterable[str] | None = None, checked: date | None = None,
                      source: str = "pydantic/genai-prices data", skipped: list | None = None) -> dict[str, dict]:
    """aicost pricing tables from genai-prices data: its ``data.json`` (a list of providers)
    or one provider file (``prices/providers/*.yml``). Models that cannot be expressed (no
    per-token input and output price) are added to ``skipped`` as (provider, model, why)."""
    items = data if isinstance(data, list) else [data]
    if not all(isinstance(p, dict) and "models" in p for p in items):
        raise InputError("genai-prices data: expected a provider object, or a list of them, each with 'models'")
    wanted = set(providers) if providers else None
    tables: dict[str, dict] = {}
    for prov in items:
        pid = _GENAI_PROVIDERS.get(str(prov.get("id", "")), re.sub(r"[^a-z0-9._-]", "-", str(prov.get("id", "")).lower()))
        if not pid or (wanted is not None and pid not in wanted):
            continue
        pricing_url = (prov.get("pricing_urls") or [prov.get("pricing_url")])[0]
        table = tables.setdefault(pid, _table(pid, source, checked or date.today()))
        table["name"] = prov.get("name") or pid
        for m in prov.get("models") or []:
            model = _genai_model(m, source, pricing_url, checked)
            if model is not None:
                table["models"][str(m["id"])] = model
            elif skipped is not None:
                skipped.append((pid, str(m.get("id")), "no per-token input and output price, and no audio, speech "
                                                       "or embedding price (priced per image or per request, or with "
                                                       "no prices)"))
    return tables


def _genai_model(m: dict, source: str, pricing_url: str | None, checked: date | None) -> dict | None:
    prices = m.get("prices")
    if isinstance(prices, dict):
        dated = [(None, prices)]
    elif isinstance(prices, list):
        dated = []
        for cp in prices:
            constraint = cp.get("constraint") or {}
            if "start_time" in constraint:
                continue  # time-of-day (off-peak) prices are not modelled; the default price is kept
            start = constraint.get("start_date")
            dated.append((date.fromisoformat(str(start)) if start else None, cp.get("prices") or {}))
        dated.sort(key=lambda x: (x[0] is not None, x[0] or date.min))
    else:
        return None
    blocks, long_blocks, threshold = [], [], None
    kind = None
    for i, (start, p) in enumerate(dated):
        base, long, thr = _genai_rates(p)
        media = genai_media(p)
        if base is None and (media or (p.get("input_mtok") is not None and "embedding" in str(m.get("id")))):
            # media only (speech per character, transcription per hour), or an embedding model (input only)
            base = {"input": _tidy(Decimal(str(p.get("input_mtok") or 0))),
                    "output": _tidy(Decimal(str(p.get("output_mtok") or 0)))}
            kind = "embedding" if not media else "speech" if "per_1m_characters" in media else \
                "transcription" if "per_audio_minute" in media else None
        if base is not None:
            base.update(media)
        if base is None:
            continue
        end = dated[i + 1][0] if i + 1 < len(dated) else None
        for b in (base, long):
            if b is None:
                continue
            if start:
                b["effective_from"] = start
            if end:
                b["effective_to"] = end
        blocks.append(base)
        if long is not None:
            long_blocks.append(long)
            threshold = thr
    if not blocks:
        return None
    model: dict[str, Any] = {"kind": kind} if kind else {}
    if m.get("name"):
        model["name"] = str(m["name"])
    window = m.get("context_window") or m.get("max_tokens")  # older provider files call it max_tokens
    if window:
        model["context_window"] = int(window)
    if any("cached_input" in b for b in blocks):
        model["min_cache_tokens"] = 0
        model["note"] = "min_cache_tokens is not in the source: 0 means any prefix is cached; set the real minimum"
    model["tiers"] = {"standard": blocks[0] if len(blocks) == 1 else blocks}
    if long_blocks and threshold:
        model["long_context"] = {"threshold": threshold,
                                 "tiers": {"standard": long_blocks[0] if len(long_blocks) == 1 else long_blocks}}
    model["source"] = f"{source}, model {m.get('id')}" + (f" ({pricing_url})" if pricing_url else "")
    if m.get("prices_checked"):
        model["checked"] = date.fromisoformat(str(m["prices_checked"]))
    elif checked:
        model["checked"] = checked
    return model


def _genai_rates(p: dict) -> tuple[dict | None, dict | None, int | None]:
    base: dict[str, Decimal] = {}
    long: dict[str, Decimal] = {}
    threshold = None
    for theirs, ours in _GENAI_RATES.items():
        v = p.get(theirs)
        if v is None:
            continue
        if isinstance(v, dict):  # tiered: {base, tiers: [{start, price}]}; the first tier is long context
            base[ours] = _tidy(Decimal(str(v["base"])))
            tiers = v.get("tiers") or []
            if tiers:
                threshold = int(tiers[0]["start"])
                long[ours] = _tidy(Decimal(str(tiers[0]["price"])))
        else:
            base[ours] = _tidy(Decimal(str(v)))
    if "input" not in base or "output" not in base:
        return None, None, None
    if long:
        for k, v in base.items():
            long.setdefault(k, v)
    return base, (long or None), threshold


# ---- reading and writing --------------------------------------------------------------------

def read_source(path: Path) -> Any:
    """JSON or YAML from a local file, with a clear error when it is neither."""
    from aicost.inputs.yamlio import read_text

    from aicost.inputs.yamlio import load_text

    text = read_text(path, max_bytes=200 * 1024 * 1024)
    try:
        return json.loads(text, parse_constant=_not_finite, parse_float=_finite)
    except _NotFinite as exc:
        line = text.count("\n", 0, max(text.find(exc.text), 0)) + 1
        raise InputError(Problem(str(path), line, "", f"{exc.text}: not a finite number; a price must be one")) from None
    except RecursionError:
        raise InputError(Problem(str(path), None, "", "nested too deeply; refused")) from None
    except ValueError as exc:
        if text.lstrip()[:1] in ("{", "["):  # JSON, but not valid: say where
            raise InputError(Problem(str(path), getattr(exc, "lineno", None), "",
                                     f"not valid JSON: {getattr(exc, 'msg', exc)}")) from None
    return load_text(text, str(path)).data  # bounded: aliases, nesting


class _NotFinite(ValueError):
    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


def _not_finite(text: str):
    raise _NotFinite(text)


def _finite(text: str) -> float:
    x = float(text)
    if x != x or x in (float("inf"), float("-inf")):
        raise _NotFinite(text)
    return x


def to_yaml(table: dict, header: str = "") -> str:
    """A pricing table as aicost YAML, with the schema hint for editors."""
    import yaml

    class Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data):  # write shared values out in full, never as &anchors
            return True

    def decimal(dumper, v: Decimal):
        if not v.is_finite():  # written as YAML writes it, so that validation names it
            return dumper.represent_float(float(v))
        if v == v.to_integral_value():
            return dumper.represent_int(int(v))
        return dumper.represent_scalar("tag:yaml.org,2002:float", format(v, "f"))

    Dumper.add_representer(Decimal, decimal)
    Dumper.add_representer(date, lambda d, v: d.represent_scalar("tag:yaml.org,2002:timestamp", v.isoformat()))
    body = yaml.dump(table, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=120)
    lines = ["# yaml-language-server: $schema=../schema/pricing.schema.json"]
    lines += [f"# {h}" for h in header.splitlines() if h]
    return "\n".join(lines) + "\n" + body


def convert(kind: str, file: Path, providers: Iterable[str] = (), models: Iterable[str] = (),
            checked: date | None = None, skipped: list | None = None) -> dict[str, str]:
    """Import ``file`` and return ``{provider: YAML text}``, every table validated first; what
    could not be imported goes to ``skipped`` as (provider, model, why)."""
    from aicost.inputs.validate import validate
    from aicost.model.pricing import PricingFile
    from aicost.inputs.yamlio import load_text

    kinds = {"litellm": from_litellm, "genai-prices": from_genai_prices}
    if kind not in kinds:
        raise InputError(f"unknown import format {kind!r} (expected litellm or genai-prices)")
    data = read_source(Path(file))
    label = {"litellm": "LiteLLM", "genai-prices": "genai-prices (pydantic/genai-prices)"}[kind]
    left: list = []
    tables = kinds[kind](data, providers or None, checked, source=f"{label} {Path(file).name}", skipped=left)
    wanted = set(models)
    if wanted:
        for t in tables.values():
            t["models"] = {k: v for k, v in t["models"].items() if k in wanted}
        left = [x for x in left if x[1] in wanted]
    if skipped is not None:
        skipped.extend(sorted(left))
    tables = {p: t for p, t in tables.items() if t["models"]}
    if not tables:
        why = f"; skipped: {'; '.join(f'{m}: {w}' for _, m, w in left[:5])}" if left else ""
        raise InputError(f"{file}: no matching chat models with input and output prices{why}")
    texts, problems = {}, []
    for prov, table in sorted(tables.items()):
        text = to_yaml(table, f"Imported by aicost from {label} file {Path(file).name}; review before use.")
        try:
            validate(load_text(text, f"{prov}.yaml"), PricingFile)
        except InputError as exc:
            problems.extend(exc.problems)
        texts[prov] = text
    if problems:
        raise InputError(problems)
    return texts
