"""Load a scenario file, apply ``--set`` overrides, validate it and resolve its models."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from aicost.base import paths
from aicost.base.errors import InputError, Problem, did_you_mean
from aicost.inputs.pricebook import ModelEntry, PriceBook
from aicost.inputs.yamlio import Document, display_name, dotted, load_file


if TYPE_CHECKING:  # pragma: no cover
    from aicost.model.scenario import Scenario


@dataclass
class LoadedScenario:
    """A validated scenario. ``plain`` is what the engine and reports read; ``spec`` (the
    pydantic model) is kept only while the scenario is being loaded."""

    spec: "Scenario | None"
    doc: Document
    models: dict[str, list[ModelEntry]]
    overrides: list[str] = field(default_factory=list)  # the --set texts applied, as given
    plain: dict = field(default_factory=dict, repr=False)  # spec as plain data, dumped once
    ranges: list = field(default_factory=list)  # ranged inputs (aicost.inputs.ranges.Range); plain holds likely values

    def __post_init__(self) -> None:
        if not self.plain:
            self.plain = self.spec.model_dump(mode="python")

    @property
    def file(self) -> str:
        return self.doc.file

    def values(self) -> dict:
        """The scenario as plain data for the engine (a fresh copy: numbers may become arrays)."""
        return copy.deepcopy(self.plain)


def find(ref: str | Path) -> Path:
    """A scenario path, or the name of a bundled scenario (``support-assistant``)."""
    p = Path(ref)
    if p.exists() or p.suffix in (".yaml", ".yml") or "/" in str(ref):
        return p
    bundled = paths.bundled_scenarios()
    if str(ref) in bundled:
        return bundled[str(ref)]
    raise InputError(
        Problem(str(ref), None, "", "no such file or bundled scenario" + did_you_mean(str(ref), bundled)
                + f"; bundled: {', '.join(bundled)}")
    )


def load(ref: str | Path, book: PriceBook, sets: Iterable = (),
         providers: Iterable[str] | None = None) -> LoadedScenario:
    """Load and validate a scenario; a validated one is reused from the cache while its file,
    the overrides and the price tables are unchanged (see :mod:`aicost.inputs.cache`)."""
    from aicost.inputs import cache

    path = find(ref)
    sets = list(sets)
    providers = list(providers) if providers else None
    key = cache.key("scenario", [path], extra=(str(ref), book.cache_key,
                                                *(s if isinstance(s, str) else s.text for s in sets),
                                                "|providers:", *(providers or [])))
    hit = cache.get(key) if book.cache_key else None
    if isinstance(hit, tuple) and len(hit) == 6:
        spec, doc, keys, overrides, plain, ranges = hit
        try:
            models = {ref: [book.models[k] for k in ks] for ref, ks in keys.items()}
            return LoadedScenario(spec, doc, models, overrides, plain, ranges)
        except KeyError:
            pass
    ls = _load(ref, path, book, sets, providers)
    if book.cache_key:  # model entries are stored as keys into the book, not copies of it
        keys = {r: [(e.provider, e.id) for e in es] for r, es in ls.models.items()}
        cache.put(key, (None, ls.doc, keys, ls.overrides, ls.plain, ls.ranges))
    return ls


def _load(ref, path: Path, book: PriceBook, sets: list, providers) -> LoadedScenario:
    from aicost.inputs.validate import validate
    from aicost.model.scenario import Scenario

    name = f"{path.name} (bundled)" if not Path(ref).exists() and path.exists() else display_name(path)
    doc = load_file(path, name)
    data = doc.data
    touched: dict = {}
    texts = [s if isinstance(s, str) else s.text for s in sets]
    if sets:
        from aicost.inputs.overrides import Override, apply

        overrides = [s if isinstance(s, Override) else Override.parse(s) for s in sets]
        if not isinstance(data, dict):
            raise InputError(doc.problem((), "expected a mapping of keys at the top level"))
        data = copy.deepcopy(data)
        touched = apply(data, overrides)
    data, ranges, range_problems = _lift_ranges(data, doc)
    for r in [r for r in ranges if r.path and r.path[0] == "variants"]:
        ranges.remove(r)  # a design's own costs are single figures: ranges go in the scenario's fields
        range_problems.append(doc.problem(r.path, "a range cannot be given inside variants: (give it in the "
                                                  "scenario's own field, which every design shares)"))
    try:
        spec = validate(doc, Scenario, data)
    except InputError as exc:
        problems = [_blame(p, touched) for p in exc.problems + range_problems]
        problems += _unknown_models(data, doc, book, touched, providers)
        raise InputError(problems, more=exc.more) from None
    if range_problems:
        raise InputError([_blame(p, touched) for p in range_problems])
    models = resolve_models(spec, doc, book, touched, providers)
    return _filtered(LoadedScenario(spec, doc, models, texts, ranges=ranges), providers)


def _filtered(ls: LoadedScenario, providers: list[str] | None) -> LoadedScenario:
    """--provider acts as options.providers for everything built from the scenario (cascade stages too)."""
    if providers:
        ls.plain["options"]["providers"] = list(providers)
    return ls


def _lift_ranges(data, doc: Document):
    """Ranges out of the data (the likely values stay); see :mod:`aicost.inputs.ranges`."""
    if not isinstance(data, dict):
        return data, [], []
    from aicost.model.scenario import Scenario
    from aicost.inputs.ranges import extract

    dist = (data.get("uncertainty") or {}).get("distribution", "pert") if isinstance(data.get("uncertainty"), dict) \
        else "pert"
    return extract(data, doc, Scenario, dist if dist in ("pert", "triangular") else "pert")


def _blame(problem: Problem, touched: dict) -> Problem:
    """A problem under a path that --set changed is reported against the --set, not the file."""
    for path, ov in touched.items():
        d = dotted(path)
        if problem.path == d or problem.path.startswith(d + ".") or problem.path.startswith(d + "["):
            return Problem(f"--set {ov.text}", None, problem.path, problem.message)
    return problem


def _unknown_models(data, doc: Document, book: PriceBook, touched, providers) -> list[Problem]:
    """Unknown model names, found even when the rest of the file did not validate."""
    models = data.get("models") if isinstance(data, dict) else None
    if not isinstance(models, dict):
        return []
    return [_blame(doc.problem(("models", ref), f"unknown model '{ref}'{book.suggest(ref)}"), touched or {})
            for ref in models if not book.resolve(str(ref))]


def _check_workflow(spec: Any, doc: Document, book: PriceBook, touched) -> list[Problem]:
    """Steps pinned to a model, and cascade stages: the model must exist and offer the tier."""
    out = []

    def check(path, model, tier):
        hits = book.resolve(model)
        if not hits:
            out.append(_blame(doc.problem(path + ("model",), f"unknown model '{model}'{book.suggest(model)}"), touched))
            return
        if tier is not None and not hits[0].offers(tier):
            offered = [t for t in hits[0].spec.tiers if hits[0].offers(t)]
            out.append(_blame(doc.problem(path + ("tier",), f"{hits[0].key} offers no {tier} tier (it offers "
                                                            f"{', '.join(offered)})"), touched))

    for i, step in enumerate(spec.attempt.steps):
        if step.model:
            check(("attempt", "steps", i), step.model, step.tier)
    stage_models = {st.model for c in spec.cascades.values() for st in c.stages}
    emb = spec.retrieval.embedding_model
    if emb and not book.resolve(emb):
        out.append(_blame(doc.problem(("retrieval", "embedding_model"), f"unknown model '{emb}'{book.suggest(emb)}"),
                          touched))
    for ref in spec.fine_tuning:
        if ref not in spec.models and ref not in stage_models:
            out.append(_blame(doc.problem(("fine_tuning", ref), f"'{ref}' is not under models: (or a cascade stage): "
                                                                f"list the fine-tuned model to compare it"), touched))
    from aicost.inputs.traffic import check_traffic

    out += [_blame(p, touched) for p in check_traffic(spec, doc)]
    if spec.router is not None:
        check(("router",), spec.router.model, spec.router.tier)
    for name, seg in spec.segments.items():
        for i, step in enumerate((seg.attempt.steps if seg.attempt else [])):
            if step.model:
                check(("segments", name, "attempt", "steps", i), step.model, step.tier)
        for ref, sm in seg.models.items():
            where = ("segments", name, "models", ref)
            if ref not in spec.models:
                out.append(_blame(doc.problem(where, f"'{ref}' is not under models: (a segment gives the success "
                                                     f"rates of the models compared)"), touched))
            elif spec.models[ref].effort and sm.p_success is not None and not sm.effort:
                out.append(_blame(doc.problem(where, f"'{ref}' lists effort levels: give this segment's p_success per "
                                                     f"level, under effort:"), touched))
    fo = spec.resilience.failover if spec.resilience else None
    if fo is not None:
        check(("resilience", "failover"), fo.model, fo.tier)
        if fo.p_success is None and fo.model not in spec.models:
            out.append(_blame(doc.problem(("resilience", "failover"), f"give p_success (the model '{fo.model}' is "
                                                                      f"not listed under models:)"), touched))
    for name, c in spec.cascades.items():
        for i, st in enumerate(c.stages):
            path = ("cascades", name, "stages", i)
            check(path, st.model, st.tier)
            levels = (spec.models[st.model].effort or {}) if st.model in spec.models else {}
            if st.effort is not None and st.effort not in levels:
                out.append(_blame(doc.problem(path + ("effort",), f"'{st.model}' lists no effort level "
                                              f"'{st.effort}' under models:" + (f" (it lists {', '.join(levels)})"
                                                                               if levels else "")), touched))
            if st.p_success is None and st.model not in spec.models:
                out.append(_blame(doc.problem(path, f"give p_success (the model '{st.model}' is not listed under "
                                                    f"models:)"), touched))
    return out


def _check_self_hosted(spec: Any, doc: Document, book: PriceBook, touched) -> list[Problem]:
    sh = spec.self_hosted
    if sh is None:
        return []
    g = book.gpus
    out = []
    for ref in sh.models:
        if ref not in g.models:
            out.append(_blame(doc.problem(("self_hosted", "models", ref), f"unknown open model '{ref}'"
                                          f"{did_you_mean(ref, g.models)}"), touched))
    for i, gpu in enumerate(sh.gpus or []):
        if gpu not in g.gpus:
            out.append(_blame(doc.problem(("self_hosted", "gpus", i), f"unknown GPU '{gpu}'{did_you_mean(gpu, g.gpus)}"),
                              touched))
    providers = {o.spec.provider for o in g.offers}
    for i, prov in enumerate(sh.providers or []):
        if prov not in providers:
            out.append(_blame(doc.problem(("self_hosted", "providers", i), f"no GPU offers from '{prov}'"
                                          f"{did_you_mean(prov, providers)}"), touched))
    if sh.engines is not None:
        from aicost.base.engines import engine_family

        engines = {engine_family(p.spec.engine) for p in g.profiles}
        for i, name in enumerate(sh.engines):
            if name not in engines:
                out.append(_blame(doc.problem(("self_hosted", "engines", i), f"no serving profile measured on "
                                              f"'{name}'{did_you_mean(name, engines)}"), touched))
    return out


def resolve_models(spec: Any, doc: Document, book: PriceBook, touched=None,
                   only: Iterable[str] | None = None) -> dict[str, list[ModelEntry]]:
    problems: list[Problem] = []
    providers = list(only) if only else spec.options.providers
    if only:
        for prov in providers:
            if prov not in book.providers:
                problems.append(Problem("--provider", None, "", f"unknown provider '{prov}'{did_you_mean(prov, book.providers)}"))
    elif providers:
        for i, prov in enumerate(providers):
            if prov not in book.providers:
                problems.append(doc.problem(("options", "providers", i),
                                            f"unknown provider '{prov}'{did_you_mean(prov, book.providers)}"))
    out: dict[str, list[ModelEntry]] = {}
    seen: dict[str, str] = {}  # model key -> the first name it was listed under
    for ref in spec.models:
        entries = book.resolve(ref, providers)
        for e in entries:  # a model and its dated alias are one model: two options with one id otherwise
            if e.key in seen and seen[e.key] != ref:
                first = doc.line_of(("models", seen[e.key]))
                problems.append(_blame(doc.problem(("models", ref), f"'{ref}' is {e.key}, already listed as "
                                                   f"'{seen[e.key]}'" + (f" (line {first})" if first else "")
                                                   + ": list each model once"), touched or {}))
            seen.setdefault(e.key, ref)
        if not entries and only and book.resolve(ref):
            continue  # --provider is a filter: a model the chosen providers lack drops out
        if not entries:
            if book.resolve(ref):
                msg = f"model '{ref}' is not offered by the providers chosen in options.providers"
            else:
                msg = f"unknown model '{ref}'{book.suggest(ref)}"
            problems.append(_blame(doc.problem(("models", ref), msg), touched or {}))
        for i, tier in enumerate(spec.models[ref].tiers or []):
            for e in entries:
                if not e.offers(tier):
                    offered = [t for t in e.spec.tiers if e.offers(t)]
                    problems.append(_blame(doc.problem(("models", ref, "tiers", i),
                                                       f"{e.key} offers no {tier} tier (it offers {', '.join(offered)})"),
                                           touched or {}))
        out[ref] = entries
    problems += _check_self_hosted(spec, doc, book, touched or {})
    problems += _check_workflow(spec, doc, book, touched or {})
    from aicost.inputs import media

    problems += media.check(spec, doc, book, out, lambda p: _blame(p, touched or {}))
    if not out and not problems and spec.models:
        problems.append(Problem("--provider", None, "", f"none of the scenario's models is offered by "
                                f"{', '.join(providers or [])}"))
    if problems:
        raise InputError(problems)
    return out


def variants(ls: LoadedScenario, book: PriceBook, providers: Iterable[str] | None = None) -> list[tuple[str | None, LoadedScenario]]:
    """The scenario's design variants, each loaded and validated like the file itself.

    Without variants: ``[(None, ls)]``. With them: the design as written (``base``), then each
    variant: the base data, the variant's ``set:`` overrides (reported at the variant's line
    when wrong), its own monthly cost plus its one-time cost spread over the horizon.
    """
    if not ls.plain.get("variants"):
        return [(None, ls)]
    from aicost.inputs.validate import validate
    from aicost.model.scenario import Scenario
    from aicost.inputs.overrides import Override, apply

    out: list[tuple[str | None, LoadedScenario]] = [("base", ls)]
    problems: list[Problem] = []
    doc = ls.doc
    for name, v in ls.plain["variants"].items():
        data = copy.deepcopy(doc.data)
        data.pop("variants", None)
        touched: dict = {}
        base_sets = [Override.parse(t) for t in ls.overrides]
        try:
            touched.update(apply(data, base_sets))
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        failed = False
        own: list[tuple] = []  # the paths the variant's own set: changes (re-applied over a sweep's values)
        for i, text in enumerate(v["set"]):
            where = ("variants", name, "set", i)
            try:
                changed = apply(data, [Override.parse(text)])
                own += [p for p in changed if p not in own]
                touched.update({p: _VariantSet(doc, where, text) for p in changed})
            except InputError as exc:
                failed = True
                for p in exc.problems:
                    problems.append(doc.problem(where, p.message))
        data, v_ranges, range_problems = _lift_ranges(data, doc)
        problems.extend(range_problems)
        try:
            spec = validate(doc, Scenario, data)
            models = resolve_models(spec, doc, book, touched, providers)
        except InputError as exc:
            for p in exc.problems:
                problems.append(_variant_blame(p, touched))
            continue
        if failed:
            continue
        design = _filtered(LoadedScenario(spec, doc, models, list(ls.overrides) + list(v["set"]), ranges=v_ranges),
                           list(providers) if providers else None)
        # the design's own costs stay apart from the scenario's (a sweep of value.fixed_monthly keeps them)
        design.plain["variant"] = {"name": name, "fixed_monthly": float(v["fixed_monthly"]),
                                   "one_time": float(v["one_time"]), "paths": own}
        out.append((name, design))
    if problems:
        raise InputError(problems)
    return out


class _VariantSet:
    """Where a variant's override stands in the file, for problems it causes."""

    def __init__(self, doc: Document, where: tuple, text: str):
        self.doc, self.where, self.text = doc, where, text


def _variant_blame(problem: Problem, touched: dict) -> Problem:
    for path, who in touched.items():
        d = dotted(path)
        if problem.path == d or problem.path.startswith((d + ".", d + "[")):
            if isinstance(who, _VariantSet):
                return who.doc.problem(who.where, f"{problem.path}: {problem.message} (from '{who.text}')")
            return _blame(problem, {path: who})
    return problem
