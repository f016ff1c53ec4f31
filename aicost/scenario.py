"""Load a scenario file, apply ``--set`` overrides, validate it and resolve its models."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from . import paths
from .errors import InputError, Problem
from .model import validate
from .model.scenario import Scenario
from .overrides import Override, apply
from .pricing import ModelEntry, PriceBook
from .yamlio import Document, display_name, dotted, load_file


@dataclass
class LoadedScenario:
    spec: Scenario
    doc: Document
    models: dict[str, list[ModelEntry]]
    overrides: list[Override] = field(default_factory=list)

    @property
    def file(self) -> str:
        return self.doc.file

    def values(self) -> dict:
        """The scenario as plain data for the engine (numbers may later become arrays)."""
        return self.spec.model_dump(mode="python")


def find(ref: str | Path) -> Path:
    """A scenario path, or the name of a bundled scenario (``support-assistant``)."""
    p = Path(ref)
    if p.exists() or p.suffix in (".yaml", ".yml") or "/" in str(ref):
        return p
    bundled = paths.bundled_scenarios()
    if str(ref) in bundled:
        return bundled[str(ref)]
    from .errors import did_you_mean

    raise InputError(
        Problem(str(ref), None, "", "no such file or bundled scenario" + did_you_mean(str(ref), bundled)
                + f"; bundled: {', '.join(bundled)}")
    )


def load(ref: str | Path, book: PriceBook, sets: Iterable[str | Override] = (),
         providers: Iterable[str] | None = None) -> LoadedScenario:
    path = find(ref)
    name = display_name(path) if Path(ref).exists() else (str(ref) if "/" in str(ref) else f"{path.name} (bundled)")
    doc = load_file(path, name)
    overrides = [s if isinstance(s, Override) else Override.parse(s) for s in sets]
    data = doc.data
    touched: dict[tuple, Override] = {}
    if overrides:
        if not isinstance(data, dict):
            raise InputError(doc.problem((), "expected a mapping of keys at the top level"))
        data = copy.deepcopy(data)
        touched = apply(data, overrides)
    try:
        spec = validate(doc, Scenario, data)
    except InputError as exc:
        raise InputError([_blame(p, touched) for p in exc.problems]) from None
    models = resolve_models(spec, doc, book, touched, providers)
    return LoadedScenario(spec, doc, models, overrides)


def _blame(problem: Problem, touched: dict[tuple, Override]) -> Problem:
    """A problem under a path that --set changed is reported against the --set, not the file."""
    for path, ov in touched.items():
        d = dotted(path)
        if problem.path == d or problem.path.startswith(d + ".") or problem.path.startswith(d + "["):
            return Problem(f"--set {ov.text}", None, problem.path, problem.message)
    return problem


def resolve_models(spec: Scenario, doc: Document, book: PriceBook, touched=None,
                   only: Iterable[str] | None = None) -> dict[str, list[ModelEntry]]:
    problems: list[Problem] = []
    providers = list(only) if only else spec.options.providers
    if only:
        for prov in providers:
            if prov not in book.providers:
                from .errors import did_you_mean

                problems.append(Problem("--provider", None, "", f"unknown provider '{prov}'{did_you_mean(prov, book.providers)}"))
    elif providers:
        for i, prov in enumerate(providers):
            if prov not in book.providers:
                from .errors import did_you_mean

                problems.append(doc.problem(("options", "providers", i),
                                            f"unknown provider '{prov}'{did_you_mean(prov, book.providers)}"))
    out: dict[str, list[ModelEntry]] = {}
    for ref in spec.models:
        entries = book.resolve(ref, providers)
        if not entries:
            if book.resolve(ref):
                msg = f"model '{ref}' is not offered by the providers chosen in options.providers"
            else:
                msg = f"unknown model '{ref}'{book.suggest(ref)}"
            problems.append(_blame(doc.problem(("models", ref), msg), touched or {}))
        out[ref] = entries
    if problems:
        raise InputError(problems)
    return out
