"""Checks of a pricing table beyond its schema (dated blocks, media prices), and a model's image rule."""

from __future__ import annotations

from datetime import date
from typing import Any

from aicost.base.errors import Problem
from aicost.inputs.yamlio import Document


def _image_rule(raw: Any, frozen: Any, spec: Any) -> Any:
    """A model's image rule: its own (``image_tokens: null`` says it takes no images), else the
    file's for a chat model."""
    if "image_tokens" in raw.model_fields_set:
        return frozen.image_tokens
    return spec.image_tokens if frozen.kind == "chat" else None


def _check_media(spec: Any, doc: Document) -> list[Problem]:
    """Generated-image prices need their unit: a size and quality priced per image or in tokens."""
    problems = []
    for mid, m in spec.models.items():
        tiers = [(t, i, b) for t, bs in m.tiers.items() for i, b in enumerate(bs)]
        if m.kind == "image" and not any(b.per_image or (b.image_output is not None and m.image_output_tokens)
                                         for _, _, b in tiers):
            problems.append(doc.problem(("models", mid), "an image model needs per_image prices, or image_output "
                                                         "with image_output_tokens"))
        for t, i, b in tiers:
            if b.image_output is not None and not m.image_output_tokens and m.kind == "image":
                problems.append(doc.problem(("models", mid, "tiers", t), "image_output needs the model's "
                                                                        "image_output_tokens (tokens per image)"))
        if m.kind == "embedding" and any(b.output for _, _, b in tiers):
            problems.append(doc.problem(("models", mid), "an embedding model has no output price (give output: 0)"))
    return problems


def _check_history(spec: Any, doc: Document) -> list[Problem]:
    """Dated blocks of one tier must not overlap, and each must end after it starts."""
    problems = []
    for mid, m in spec.models.items():
        groups = [(("models", mid, "tiers", t), rs) for t, rs in m.tiers.items()]
        if m.long_context:
            groups += [(("models", mid, "long_context", "tiers", t), rs) for t, rs in m.long_context.tiers.items()]
        for path, blocks in groups:
            spans = []
            for i, b in enumerate(blocks):
                lo, hi = b.effective_from or date.min, b.effective_to or date.max
                if lo >= hi:
                    problems.append(doc.problem(path + (i,), "effective_to must come after effective_from"))
                spans.append((lo, hi, i))
            spans.sort()
            for (lo1, hi1, i1), (lo2, hi2, i2) in zip(spans, spans[1:]):
                if lo2 < hi1:
                    problems.append(doc.problem(path + (i2,), f"dated prices overlap (with entry {i1 + 1})"))
    return problems
