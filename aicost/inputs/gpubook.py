"""The GPU book: GPU types, rental offers, open models and serving profiles, with their places."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aicost.base.errors import Problem, did_you_mean
from aicost.inputs.yamlio import Document


@dataclass
class Sourced:
    """A frozen entry of a GPU table and where it was read (for messages and provenance)."""

    spec: Any
    doc: Document
    path: tuple
    source: str
    checked: Any

    @property
    def where(self) -> str:
        return f"{self.doc.file}:{self.doc.line_of(self.path)}"


@dataclass
class GpuBook:
    gpus: dict[str, Sourced] = field(default_factory=dict)
    offers: list[Sourced] = field(default_factory=list)
    models: dict[str, Sourced] = field(default_factory=dict)
    profiles: list[Sourced] = field(default_factory=list)
    currency: str | None = None
    files: list[str] = field(default_factory=list)

    def add(self, spec: Any, doc: Document) -> list[Problem]:
        """Add one validated (frozen) GPU file; references are checked after all files are in."""
        problems = []
        self.files.append(doc.file)
        if self.currency is not None and spec.currency != self.currency:
            problems.append(doc.problem(("currency",), f"GPU tables mix currencies ({self.currency} elsewhere)"))
        self.currency = spec.currency

        def wrap(x, path):
            return Sourced(x, doc, path, x.source or spec.source, x.checked or spec.checked)

        for k, g in spec.gpus.items():
            self.gpus[k] = wrap(g, ("gpus", k))
        for k, m in spec.models.items():
            self.models[k] = wrap(m, ("models", k))
        self.offers += [wrap(o, ("offers", i)) for i, o in enumerate(spec.offers)]
        self.profiles += [wrap(p, ("profiles", i)) for i, p in enumerate(spec.profiles)]
        return problems

    def check(self) -> list[Problem]:
        """Every offer and profile must name a known GPU type and model."""
        problems = []
        for o in self.offers:
            if o.spec.gpu not in self.gpus:
                problems.append(o.doc.problem(o.path + ("gpu",), f"unknown GPU '{o.spec.gpu}'"
                                                                  f"{did_you_mean(o.spec.gpu, self.gpus)}"))
        for p in self.profiles:
            if p.spec.gpu not in self.gpus:
                problems.append(p.doc.problem(p.path + ("gpu",), f"unknown GPU '{p.spec.gpu}'"
                                                                  f"{did_you_mean(p.spec.gpu, self.gpus)}"))
            if p.spec.model not in self.models:
                problems.append(p.doc.problem(p.path + ("model",), f"unknown model '{p.spec.model}'"
                                                                    f"{did_you_mean(p.spec.model, self.models)}"))
            elif p.spec.precision not in self.models[p.spec.model].spec.weight_bytes:
                problems.append(p.doc.problem(p.path + ("precision",),
                                              f"model '{p.spec.model}' has no {p.spec.precision} weight size"))
        return problems

    def profiles_for(self, model: str, gpu: str, precision: str) -> list[Sourced]:
        return [p for p in self.profiles
                if p.spec.model == model and p.spec.gpu == gpu and p.spec.precision == precision]
