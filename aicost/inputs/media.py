"""Steps with audio, speech, images or embeddings against the models that run them: a model that
cannot bill what a step asks of it is a mistake in the scenario (``file:line``), never $0.

A step runs on every model under ``models:`` and every cascade stage, unless it is pinned to
its own ``model:``. Each named model must be able to price each kind of work in the step on
some provider and tier; a provider or tier that lacks the price leaves that option unpriced
with the reason (see aicost.engine.media).
"""

from __future__ import annotations

from typing import Any

from aicost.base.errors import Problem
from aicost.inputs.pricebook import ModelEntry, PriceBook
from aicost.inputs.yamlio import Document

KIND_NEEDS = {"transcription": "audio input (audio_input_minutes or audio_input_tokens)",
              "speech": "speech to make (characters, audio_output_minutes or audio_output_tokens)",
              "image": "images to generate (images_generated)"}


def _blocks(e: ModelEntry) -> list:
    return [b for blocks in e.spec.tiers.values() for b in blocks]


def _any(e: ModelEntry, field: str) -> bool:
    return any(getattr(b, field) is not None for b in _blocks(e))


def problems_of(e: ModelEntry, step: Any) -> list[str]:
    """What model entry ``e`` cannot bill in ``step`` (a validated Step), in words."""
    out = []
    kind = e.spec.kind
    audio_in = step.audio_input_minutes > 0 or step.audio_input_tokens > 0
    speech_tokens = step.audio_output_minutes > 0 or step.audio_output_tokens > 0
    speech = speech_tokens or step.characters > 0
    images_in, images_out = step.image_inputs > 0, step.images_generated > 0
    if kind == "embedding":
        if step.output_tokens > 0 or step.reasoning_tokens > 0 or audio_in or speech or images_in or images_out:
            out.append("is an embedding model: its steps take input tokens only (output_tokens: 0, no audio or "
                       "images)")
        return out
    if kind in KIND_NEEDS and not {"transcription": audio_in, "speech": speech, "image": images_out}[kind]:
        out.append(f"is {'an' if kind[0] in 'aeiou' else 'a'} {kind} model, and the step has no {KIND_NEEDS[kind]}")
    if audio_in:
        by_token, by_minute = _any(e, "audio_input"), _any(e, "per_audio_minute")
        per_min = e.spec.audio_tokens is not None and e.spec.audio_tokens.input is not None
        if not by_token and not by_minute:
            out.append("takes no audio input (no audio input price in the tables)")
        elif step.audio_input_minutes > 0 and by_token and not by_minute and not per_min:
            out.append("bills audio input per token and the tables give no audio tokens per minute: state "
                       "audio_input_tokens")
        elif step.audio_input_tokens > 0 and by_minute and not by_token and not per_min:
            out.append("bills audio input per minute: state audio_input_minutes")
    if speech:
        by_char, by_token = _any(e, "per_1m_characters"), _any(e, "audio_output")
        per_min = e.spec.audio_tokens is not None and e.spec.audio_tokens.output is not None
        if not by_char and not by_token:
            out.append("makes no speech (no audio output or per-character price in the tables)")
        elif by_char and not by_token and step.characters <= 0:
            out.append("bills speech per character: state characters")
        elif by_token and not by_char and not speech_tokens:
            out.append("bills speech per audio output token: state audio_output_minutes or audio_output_tokens")
        elif by_token and not by_char and step.audio_output_tokens <= 0 and not per_min:
            out.append("bills speech per audio output token and the tables give no audio tokens per minute: "
                       "state audio_output_tokens")
    if images_in and e.image_rule is None:
        out.append("has no image-token rule in the tables (it takes no images, or how it counts them is not "
                   "published)")
    if images_out:
        out += _generation(e, step)
    return out


def _generation(e: ModelEntry, step: Any) -> list[str]:
    size, quality = step.generated_image_size, step.image_quality
    offered: dict[str, set] = {}
    for b in _blocks(e):
        for s, by_q in (b.per_image or {}).items():
            offered.setdefault(s, set()).update(by_q)
    if _any(e, "image_output"):
        for s, by_q in (e.spec.image_output_tokens or {}).items():
            offered.setdefault(s, set()).update(by_q)
    if not offered:
        return ["generates no images (no per-image or image output price in the tables)"]
    if size not in offered:
        return [f"offers no {size} images (it offers {', '.join(sorted(offered))})"]
    if quality not in offered[size]:
        return [f"offers no '{quality}' quality at {size} (it offers {', '.join(sorted(offered[size]))})"]
    return []


def check(spec: Any, doc: Document, book: PriceBook, models: dict[str, list[ModelEntry]], blame) -> list[Problem]:
    """Every (step, model that runs it) pair whose model cannot bill the step's work."""
    out: list[Problem] = []
    stage_models = [(("cascades", name, "stages", i, "model"), st.model)
                    for name, c in spec.cascades.items() for i, st in enumerate(c.stages)]
    for j, step in enumerate(spec.attempt.steps):
        if step.model:
            runners = [(("attempt", "steps", j, "model"), step.model, book.resolve(step.model))]
        else:
            runners = [(("models", ref), ref, entries) for ref, entries in models.items()]
            runners += [(path, ref, book.resolve(ref)) for path, ref in stage_models]
        for path, ref, entries in runners:
            if not entries:
                continue  # an unknown model is reported on its own
            found = [problems_of(e, step) for e in entries]
            if all(found):  # no provider of this model can bill the step
                e = entries[0]
                out.append(blame(doc.problem(path, f"{ref} ({e.key}) {'; '.join(found[0])}: step "
                                                   f"'{step.name}' (line {doc.line_of(('attempt', 'steps', j))})")))
    return out
