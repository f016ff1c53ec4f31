"""``aicost compare``: every option of one or more scenarios, evaluated and ranked."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from aicost.base.clock import pricing_day
from aicost.analyses.options import latency_need, option_result
from aicost.base import paths
from aicost.base.constants import DEFAULT_MAX_PRICE_AGE, HOURS_PER_MONTH
from aicost.base.errors import InputError, did_you_mean
from aicost.base.notices import Notice
from aicost.engine.designs import Designs
from aicost.engine.evaluate import evaluate
from aicost.engine.plan import Plan, build_plan
from aicost.inputs import scenario as scenario_mod
from aicost.analyses.price_warnings import warning_order, warnings_for
from aicost.inputs.pricebook import PriceBook
from aicost.inputs.scenario import LoadedScenario
from aicost.results.compare import CompareResult, OptionResult, ScenarioResult, clean, rank_key


def plan_for(ls: LoadedScenario, book: PriceBook, as_of: date | None = None,
             tiers: Sequence[str] | None = None) -> Plan:
    spec = ls.plain
    chosen = [t for t in spec["options"]["tiers"] if not tiers or t in tiers]
    return build_plan(book, ls.models, chosen, spec["options"]["caching"], spec["caching"]["write_ttl"],
                      as_of or pricing_day(), {ref: m["tiers"] for ref, m in spec["models"].items()}, values=spec)


def compare_loaded(ls: LoadedScenario, book: PriceBook, as_of: date | None = None,
                   tiers: Sequence[str] | None = None, top: int | None = None,
                   max_price_age: int | None = DEFAULT_MAX_PRICE_AGE, samples: int | None = None,
                   seed: int | None = 0, progress=None, _sim: list | None = None,
                   rank_by: str | None = None, plan: Plan | None = None) -> ScenarioResult:
    """One design of a scenario: every option evaluated and ranked by ``rank_by`` (default: the
    scenario's ``options.rank_by``, the total cost per successful outcome); ``plan``: the design's
    plan when the caller has it already (:func:`designs_for`)."""
    ranking = rank_by or ls.plain["options"]["rank_by"]
    plan = plan or plan_for(ls, book, as_of, tiers)
    values = ls.plain  # read, never changed, by the point evaluation
    arrays = evaluate(plan, values)
    metrics = {k: v[:, 0].tolist() for k, v in arrays.items() if k != "flags"}  # one point: per-option lists
    metrics["flags"] = {k: v[:, 0].tolist() for k, v in arrays["flags"].items()}
    seg = _segment_points(plan, values)  # a request mix: each segment as single options see it
    points = [p[:4] for p in seg] if seg else None
    options = [option_result(plan, metrics, i, values, book, points) for i in range(len(plan))]
    uncertainty: dict[str, Any] | None = None
    if ls.ranges:
        uncertainty = {"ranges": [r.to_dict() for r in ls.ranges], "samples": None, "seed": None}
        if samples:
            uncertainty = {**uncertainty, "samples": samples, "seed": seed}
            if _sim is not None:  # one design of several: compare_designs samples them all together
                _sim.append((list(options), plan, values, ls.ranges))
            else:
                from aicost.engine.sampling import simulate

                for o, u in zip(options, simulate([(plan, values, ls.ranges)], samples, seed, progress=progress)[0]):
                    o.uncertainty = u
    routing = _routing(plan, values, options, ranking, [p[4] for p in seg]) if seg else None
    options.sort(key=lambda o: rank_key(o, ranking))
    demoted = first_not_dominated(options)
    for rank, o in enumerate(options, 1):
        o.rank = rank
    if routing is not None:
        single = next((o for o in options if o.eligible and o.kind != "routed"
                       and o.metrics.get(ranking) is not None), None)
        routed = next(o for o in options if o.kind == "routed")
        mine, theirs = routed.metrics.get("monthly_cost"), single.metrics.get("monthly_cost") if single else None
        if single is not None and routed.eligible and mine is not None and theirs is not None:
            routing["best_single"] = {"option": single.id, "monthly_cost": theirs}
            routing["routed_monthly_cost"] = mine
            routing["saves_per_month"] = theirs - mine
    if top is not None:
        options = options[:top]
    spec = ls.plain
    notes = [demoted] if demoted is not None else []
    if not any(o.eligible for o in options):
        notes.append(Notice.of("none_eligible"))
    if ls.ranges and not samples:
        notes.append(Notice.of("ranges_collapsed", count=len(ls.ranges)))
    warnings = warnings_for(book, [(o.entry, o.tier) for o in plan.rows if o.price], plan.as_of, max_price_age,
                            tools=tools_used(values), offers=[o.offer for o in plan.options if o.kind == "gpu"])
    return ScenarioResult(
        warnings=warnings, rank_by=ranking,
        name=spec["name"], file=ls.file, description=spec["description"].strip(),
        tasks_per_month=spec["volume"]["tasks_per_month"], latency_need=latency_need(values["latency"]),
        as_of=plan.as_of.isoformat(), options=options, notes=notes, uncertainty=uncertainty, routing=routing,
        overrides=list(ls.overrides),
        assumptions={
            "hours_per_month": int(HOURS_PER_MONTH),
            "cache_hit_rate": spec["caching"]["hit_rate"],
            "cache_write_ttl": spec["caching"]["write_ttl"],
            "attempts_allowed": spec["quality"]["attempts_allowed"],
            "detection_rate": spec["quality"]["detection_rate"],
            "value_mode": "value_per_success" if spec["value"]["value_per_success"] is not None
            else "baseline_cost_per_task",
            # every tier on the same statistic: medians; a tier known only by a guaranteed floor (Priority's
            # SLA), or not at all (Priority), counts as no slower than Standard's median
            "latency_statistic": "median",
        },
    )


def _segment_points(plan: Plan, values: dict) -> list | None:
    """Each segment of a request mix at the scenario's point, as the engine evaluates it for single
    options: (name, plan, values, per-option lists, the arrays)."""
    if not plan.segments:
        return None
    from aicost.engine.segments import singles

    out = []
    used, _, ms = singles(plan, values, meters=True)
    for (name, p), v, arrays in zip(plan.segments, used, ms):
        m = {k: a[:, 0].tolist() for k, a in arrays.items() if k != "flags"}
        m["flags"] = {k: a[:, 0].tolist() for k, a in arrays["flags"].items()}
        out.append((name, p, v, m, arrays))
    return out


def _routing(plan: Plan, values: dict, options: list[OptionResult], ranking: str, ms: list[dict]) -> dict[str, Any]:
    """A request mix: each segment's share and best option, and the router; the routed option's
    stages name the options it sends to."""
    from aicost.engine.segments import choices, router_fee

    picks = choices(plan, values, ms)
    routed = next(o for o in options if o.kind == "routed")
    routed.cascade = {"stages": [p["option"] for p in picks if p["option"]]}
    router = values.get("router")
    return {"rank_by": ranking, "segments": picks,
            "router": {**router, "label": (plan.router or {}).get("label"),
                       "cost_per_task": clean(float(np.ravel(router_fee(plan, values))[0])),
                       # with one segment there is nowhere else to send a request
                       "misrouted_tasks_per_month": (1 - router["accuracy"]) * values["volume"]["tasks_per_month"]
                       if len(plan.segments) > 1 else 0.0}
            if router else None}


def tools_used(values: dict) -> list[str]:
    """The priced tools a workload calls: web and file search, code sessions, vector storage."""
    steps = values["attempt"]["steps"]
    used = [name for name, key in (("web_search", "web_searches"), ("file_search", "file_searches"),
                                   ("code_session", "code_sessions"))
            if any(float(np.max(s[key])) > 0 for s in steps)]
    return used + (["vector_storage"] if float(np.max(values.get("retrieval", {}).get("vector_store_gb", 0.0))) > 0
                   else [])


def run(scenarios: Sequence[str | Path] | None = None, pricing: Sequence[str | Path] = (),
        sets: Iterable[str] = (), as_of: date | None = None, tiers: Sequence[str] | None = None,
        providers: Sequence[str] | None = None, top: int | None = None,
        book: PriceBook | None = None, max_price_age: int | None = DEFAULT_MAX_PRICE_AGE,
        samples: int | None = None, seed: int | None = 0, progress=None, rank_by: str | None = None) -> CompareResult:
    """Compare the options of each scenario (the bundled default when none is given)."""
    book = book or PriceBook.load(pricing)
    refs = list(scenarios) if scenarios else [paths.DEFAULT_SCENARIO]
    sets = list(sets)
    results, problems, more = [], [], 0
    for ref in refs:
        try:
            ls = scenario_mod.load(ref, book, sets, providers=providers)
            results.append(compare_designs(ls, book, as_of, tiers, top, max_price_age, providers, samples, seed,
                                           progress, rank_by))
        except InputError as exc:
            problems.extend(exc.problems)
            more += exc.more
    if problems:
        raise InputError(problems, more=more)
    return CompareResult(book.currency, results)


def compare_designs(ls: LoadedScenario, book: PriceBook, as_of: date | None = None,
                    tiers: Sequence[str] | None = None, top: int | None = None,
                    max_price_age: int | None = DEFAULT_MAX_PRICE_AGE, providers=None, samples: int | None = None,
                    seed: int | None = 0, progress=None, rank_by: str | None = None,
                    plans: list[Plan] | None = None) -> ScenarioResult:
    """Compare a scenario, or every option of every design variant it names, ranked together
    (``plans``: each design's, from :func:`designs_for` with the same arguments, when at hand)."""
    designs = scenario_mod.variants(ls, book, providers)
    if designs[0][0] is None:
        return compare_loaded(ls, book, as_of, tiers, top, max_price_age, samples, seed, progress,
                              rank_by=rank_by, plan=plans[0] if plans else None)
    sims: list = []
    results = []
    for k, (name, design) in enumerate(designs):
        res = compare_loaded(design, book, as_of, tiers, None, max_price_age, samples, seed, progress, sims,
                             rank_by=rank_by, plan=plans[k] if plans else None)
        for o in res.options:
            o.id = f"{o.id}@{name}"
            o.variant = name
        results.append((name, res))
    merged = results[0][1]
    merged.assumptions["variants"] = {}
    for name, res in results:
        if res is not merged:
            merged.options += res.options
            merged.warnings = sorted(set(merged.warnings) | set(res.warnings), key=warning_order)
        v = (ls.plain["variants"] or {}).get(name) or {}
        merged.assumptions["variants"][name] = {
            "description": v.get("description", Notice.of("as_written")), "set": list(v.get("set", [])),
            "fixed_monthly": v.get("fixed_monthly", 0.0), "one_time": v.get("one_time", 0.0)}
    if sims:  # every design on the same draws, a chunk at a time: p_cheapest is the cheapest of them all
        from aicost.engine.sampling import simulate

        summaries = simulate([(plan, values, ranges) for _, plan, values, ranges in sims], samples or 0, seed,
                             progress=progress)
        for (opts, *_), summary in zip(sims, summaries):
            for o, u in zip(opts, summary):  # opts: each design's options in plan order
                o.uncertainty = u
    merged.options.sort(key=lambda o: rank_key(o, merged.rank_by))
    demoted = first_not_dominated(merged.options)
    merged.notes = [n for n in merged.notes if n.code != "dominated_first"]
    if demoted is not None:
        merged.notes.append(demoted)
    for rank, o in enumerate(merged.options, 1):
        o.rank = rank
    if top is not None:
        merged.options = merged.options[:top]
    merged.notes = [n for n in merged.notes if n.code != "none_eligible"]
    if not any(o.eligible for o in merged.options):
        merged.notes.append(Notice.of("none_eligible"))
    return merged


def find_option(ids: list[str], name: str) -> tuple[int | None, str | None]:
    """An option named by its id or the unique end of it (``gpt-5-mini:standard:cached``):
    (index, None), or (None, why not)."""
    if name in ids:
        return ids.index(name), None
    hits = [i for i, x in enumerate(ids) if x.endswith(name) or x.split("/", 1)[-1] == name]
    if len(hits) == 1:
        return hits[0], None
    if hits:
        return None, f"'{name}' matches {len(hits)} options: give the full id (" + ", ".join(ids[i] for i in hits[:3]) \
            + ("…" if len(hits) > 3 else "") + ")"
    return None, f"no option '{name}' in this scenario{did_you_mean(name, ids)}"


__all__ = ["run", "compare_loaded", "compare_designs", "designs_for", "plan_for", "find_option"]


def first_not_dominated(options: list[OptionResult]) -> Notice | None:
    """Keep the first place for an option no other eligible option beats on both counts (costs no
    more a month and delivers at least as many successful outcomes, one of them strictly): under
    a ranking that leaves costs out (cost per success, per resolved task), the leader is moved
    behind the first such option, and a notice says so. The default ranking never needs it."""
    ok = [o for o in options if o.eligible and o.metrics.get("monthly_cost") is not None
          and o.metrics.get("p_success") is not None]

    def figures(o: OptionResult) -> tuple[float, float]:
        return float(o.metrics["monthly_cost"] or 0.0), float(o.metrics["p_success"] or 0.0)

    def beaten(a: OptionResult) -> OptionResult | None:
        ma, sa = figures(a)
        for b in ok:
            mb, sb = figures(b)
            if b is not a and mb <= ma and sb >= sa and (mb < ma or sb > sa):
                return b
        return None

    if not ok or beaten(ok[0]) is None:
        return None
    leader = ok[0]
    best = next((o for o in ok if beaten(o) is None), None)
    if best is None:
        return None
    options.remove(best)
    options.insert(options.index(leader), best)
    return Notice.of("dominated_first", leader=leader.id, best=best.id)


def designs_for(ls: LoadedScenario, book: PriceBook, as_of: date | None = None,
                tiers: Sequence[str] | None = None, providers=None) -> tuple[Designs, list[str]]:
    """Every design of a scenario (the base and each variant) as one list of options for the
    engine, and the options' ids as ``compare`` names them (``id@variant`` when there are variants)."""
    parts, ids = [], []
    for name, design in scenario_mod.variants(ls, book, providers):
        plan = plan_for(design, book, as_of, tiers)
        parts.append((plan, design.values()))
        ids += [o.id if name is None else f"{o.id}@{name}" for o in plan.options]
    return Designs(parts), ids
