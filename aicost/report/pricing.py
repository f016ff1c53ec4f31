"""Text view of one model's full price entry (``aicost pricing show``)."""

from __future__ import annotations

from typing import Any

from aicost.report.rows import _text

LABEL = {"input": "input", "cached_input": "cached input", "cache_write": "cache write (5m)",
         "cache_write_1h": "cache write (1h)", "output": "output", "reasoning": "reasoning",
         "audio_input": "audio input", "cached_audio_input": "cached audio input", "audio_output": "audio output",
         "image_input": "image input", "cached_image_input": "cached image input", "image_output": "image output", "per_audio_minute": "per audio minute",
         "per_1m_characters": "per 1M characters"}


def render_validation(v: Any, **_: Any) -> str:
    return (f"ok: {len(v.files)} files, {v.models} models, {v.tier_prices} tier prices; {v.gpu_types} GPU "
            f"types, {v.gpu_offers} offers, {v.open_models} open models, {v.serving_profiles} profiles\n")


def render_show(card: Any, **_: Any) -> str:
    items, currency = card.models, card.currency
    out: list[str] = []
    for n, m in enumerate(items):
        if n:
            out.append("")
        title = f"{m['provider']}/{m['model']}" + (f"  ({m['name']})" if m.get("name") else "")
        out.append(title)
        out.append(f"  {m['provider_name']} · {m['file']}:{m['line']} · prices as of {m['as_of']}, {currency} per 1M tokens")
        facts = []
        if m.get("aliases"):
            facts.append("aliases " + ", ".join(m["aliases"]))
        if m.get("context_window"):
            facts.append(f"context window {m['context_window']:,}")
        if m.get("min_cache_tokens") is not None:
            facts.append(f"caches prompts from {m['min_cache_tokens']:,} tokens")
        if m.get("available_from"):
            facts.append(f"released {m['available_from']}")
        if m.get("deprecated"):
            facts.append(f"deprecated {m['deprecated']}")
        if m.get("retired"):
            facts.append(f"retired {m['retired']}")
        if m.get("multiplier"):
            facts.append(f"priced at {_text(m['multiplier'])} x the base table")
        if facts:
            out.append("  " + " · ".join(facts))
        if not m["tiers"] and (m.get("retired") or m.get("available_from")):
            out.append(f"  not served on {m['as_of']}: no price (--as-of a day it was served shows its rates)")
        sections = [("", m["tiers"])]
        if m.get("long_context"):
            sections.append((f" above {m['long_context']['threshold']:,} prompt tokens", m["long_context"]["tiers"]))
        for suffix, tiers in sections:
            for tier, p in tiers.items():
                rates = ", ".join(f"{LABEL[k]} {_text(p[k])}" for k in LABEL if k in p)
                if p.get("per_image"):
                    rates += ("; " if rates else "") + "per image " + ", ".join(
                        f"{size} {q} {_text(v)}" for size, by_q in p["per_image"].items() for q, v in by_q.items())
                out.append(f"  {tier}{suffix}: {rates}")
                out.append(f"      source: {p['source']} (checked {p['checked']}; {p['file']}:{p['line']})")
        for h in m.get("history") or []:
            span = f"{h['effective_from'] or '…'} to {h['effective_to'] or '…'}"
            rates = ", ".join(f"{LABEL[k]} {_text(h[k])}" for k in LABEL if k in h)
            out.append(f"  history {h['tier']} {span}: {rates}")
        if m.get("kind") and m["kind"] != "chat":
            out.append(f"  kind: {m['kind']}")
        if m.get("audio_tokens_per_minute"):
            out.append("  audio tokens a minute: " + ", ".join(f"{k} {_text(v)}"
                                                              for k, v in m["audio_tokens_per_minute"].items()))
        if m.get("image_tokens"):
            out.append("  input images: " + ", ".join(f"{k} {_text(v)}" for k, v in m["image_tokens"].items()))
        if m.get("image_output_tokens"):
            out.append("  image output tokens per image: " + ", ".join(
                f"{size} {q} {n}" for size, by_q in m["image_output_tokens"].items() for q, n in by_q.items()))
        if m.get("rate_limits"):
            rl = m["rate_limits"]
            out.append("  rate limits by usage tier (requests/min / tokens/min / Batch queue tokens): " + "; ".join(
                f"{t}: {x['rpm']:,.0f} / {x['tpm']:,.0f} / " + (f"{x['batch_queue_tokens']:,.0f}"
                                                                if "batch_queue_tokens" in x else "—")
                for t, x in rl["tiers"].items()) + f" (source: {rl['source']}, checked {rl['checked']})")
        if m.get("cache_storage_per_mtok_hour") is not None:
            out.append(f"  cache storage: {_text(m['cache_storage_per_mtok_hour'])} per 1M tokens per hour")
        for name, t in (m.get("tools") or {}).items():
            fee = ", ".join(f"{k} {_text(v)}" for k, v in t.items() if k not in ("source", "checked", "note"))
            out.append(f"  tool {name}: {fee}" + (f" (source: {t['source']})" if t.get("source") else ""))
        for tier, r in (m.get("tier_rules") or {}).items():
            facts = ", ".join(f"{k} {_text(v)}" for k, v in r.items() if k not in ("source", "checked", "note"))
            if facts:
                out.append(f"  {tier} rule: {facts}")
    return "\n".join(out) + "\n"
