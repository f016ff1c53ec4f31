"""Compare every option of one or more scenarios: load, evaluate, rank, explain."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from aicost.base import paths
from aicost.inputs import scenario as scenario_mod
from aicost.engine.evaluate import COST_METERS, INELIGIBLE, METERS, evaluate, latency_need_seconds
from aicost.engine.plan import TIER_LABEL, Plan, build_plan
from aicost.base.errors import InputError, Problem, did_you_mean
from aicost.inputs.pricebook import PriceBook
from aicost.results.compare import METRICS, OptionResult, Result, ScenarioResult, clean
from aicost.inputs.scenario import LoadedScenario


def plan_for(ls: LoadedScenario, book: PriceBook, as_of: date | None = None,
             tiers: Sequence[str] | None = None) -> Plan:
    spec = ls.plain
    chosen = [t for t in spec["options"]["tiers"] if not tiers or t in tiers]
    return build_plan(book, ls.models, chosen, spec["options"]["caching"], spec["caching"]["write_ttl"],
                      as_of or date.today(), {ref: m["tiers"] for ref, m in spec["models"].items()}, values=spec)


#: Prices checked longer ago than this (days before the pricing date) are flagged as stale.
DEFAULT_MAX_PRICE_AGE = 90


def compare_loaded(ls: LoadedScenario, book: PriceBook, as_of: date | None = None,
                   tiers: Sequence[str] | None = None, top: int | None = None,
                   max_price_age: int | None = DEFAULT_MAX_PRICE_AGE, samples: int | None = None,
                   seed: int | None = 0, progress=None, _sim: list | None = None) -> ScenarioResult:
    from aicost.inputs.pricebook import warnings_for

    plan = plan_for(ls, book, as_of, tiers)
    values = ls.plain  # read, never changed, by the point evaluation
    arrays = evaluate(plan, values)
    metrics = {k: v[:, 0].tolist() for k, v in arrays.items() if k != "flags"}  # one point: per-option lists
    metrics["flags"] = {k: v[:, 0].tolist() for k, v in arrays["flags"].items()}
    options = [_option_result(plan, metrics, i, values, book) for i in range(len(plan))]
    uncertainty = None
    if ls.ranges:
        uncertainty = {"ranges": [r.to_dict() for r in ls.ranges], "samples": None, "seed": None}
        if samples:
            from aicost.engine.sampling import simulate

            sim = simulate(plan, values, ls.ranges, samples, seed, progress=progress)
            for o, u in zip(options, sim["options"]):
                o.uncertainty = u
            uncertainty.update(samples=samples, seed=seed)
            if _sim is not None:
                _sim.append((options, sim["cps"]))
    options.sort(key=_rank_key)
    for rank, o in enumerate(options, 1):
        o.rank = rank
    if top is not None:
        options = options[:top]
    spec = ls.plain
    notes = []
    if not any(o.eligible for o in options):
        notes.append("no option is eligible and priced for this workload")
    if ls.ranges and not samples:
        notes.append(f"{len(ls.ranges)} ranged input(s) collapsed to their likely values; --samples N samples them")
    warnings = warnings_for(book, [(o.entry, o.tier) for o in plan.rows if o.price], plan.as_of, max_price_age)
    return ScenarioResult(
        warnings=warnings,
        name=spec["name"], file=ls.file, description=spec["description"].strip(),
        tasks_per_month=spec["volume"]["tasks_per_month"], latency_need=describe_latency(values["latency"]),
        as_of=plan.as_of.isoformat(), options=options, notes=notes, uncertainty=uncertainty,
        overrides=list(ls.overrides),
        assumptions={
            "hours_per_month": 730,
            "cache_hit_rate": spec["caching"]["hit_rate"],
            "cache_write_ttl": spec["caching"]["write_ttl"],
            "attempts_allowed": spec["quality"]["attempts_allowed"],
            "detection_rate": spec["quality"]["detection_rate"],
            "value_mode": "value_per_success" if spec["value"]["value_per_success"] is not None
            else "baseline_cost_per_task",
        },
    )


def run(scenarios: Sequence[str | Path] | None = None, pricing: Sequence[str | Path] = (),
        sets: Iterable[str] = (), as_of: date | None = None, tiers: Sequence[str] | None = None,
        providers: Sequence[str] | None = None, top: int | None = None,
        book: PriceBook | None = None, max_price_age: int | None = DEFAULT_MAX_PRICE_AGE,
        samples: int | None = None, seed: int | None = 0, progress=None) -> Result:
    """Compare the options of each scenario (the bundled default when none is given)."""
    book = book or PriceBook.load(pricing)
    refs = list(scenarios) if scenarios else [paths.DEFAULT_SCENARIO]
    sets = list(sets)
    results, problems = [], []
    for ref in refs:
        try:
            ls = scenario_mod.load(ref, book, sets, providers=providers)
            results.append(compare_designs(ls, book, as_of, tiers, top, max_price_age, providers, samples, seed,
                                           progress))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return Result(book.currency, results)


def compare_designs(ls: LoadedScenario, book: PriceBook, as_of: date | None = None,
                    tiers: Sequence[str] | None = None, top: int | None = None,
                    max_price_age: int | None = DEFAULT_MAX_PRICE_AGE, providers=None, samples: int | None = None,
                    seed: int | None = 0, progress=None) -> ScenarioResult:
    """Compare a scenario, or every option of every design variant it names, ranked together."""
    designs = scenario_mod.variants(ls, book, providers)
    if designs[0][0] is None:
        return compare_loaded(ls, book, as_of, tiers, top, max_price_age, samples, seed, progress)
    merged: ScenarioResult | None = None
    sims: list = []
    for name, design in designs:
        res = compare_loaded(design, book, as_of, tiers, None, max_price_age, samples, seed, progress, sims)
        for o in res.options:
            o.id = f"{o.id}@{name}"
            o.variant = name
        if merged is None:
            merged = res
            merged.assumptions["variants"] = {}
        else:
            merged.options += res.options
            merged.warnings = sorted(set(merged.warnings) | set(res.warnings))
        v = (ls.plain["variants"] or {}).get(name) or {}
        merged.assumptions["variants"][name] = {
            "description": v.get("description", "the scenario as written"), "set": list(v.get("set", [])),
            "fixed_monthly": v.get("fixed_monthly", 0.0), "one_time": v.get("one_time", 0.0)}
    if sims:  # the cheapest option across every design, on the same draws
        from aicost.engine.sampling import joint_p_cheapest

        p = joint_p_cheapest([cps for _, cps in sims])
        for o, v in zip([o for opts, _ in sims for o in opts], p):
            o.uncertainty["p_cheapest"] = float(v)
    merged.options.sort(key=_rank_key)
    for rank, o in enumerate(merged.options, 1):
        o.rank = rank
    if top is not None:
        merged.options = merged.options[:top]
    merged.notes = [n for n in merged.notes if not n.startswith("no option is eligible")]
    if not any(o.eligible for o in merged.options):
        merged.notes.append("no option is eligible and priced for this workload")
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


# ---- explaining one option ------------------------------------------------------------

PROBABILITIES = ("expected_attempts", "p_success", "p_silent_failure", "p_given_up")  # defined even when unpriced


def _rank_key(o: OptionResult):
    order = {"ok": 0, "ineligible": 1, "unpriced": 2}[o.status]
    cps = o.metrics.get("cost_per_success")
    return (order, cps is None, cps if cps is not None else 0.0, o.id)


def _option_result(plan: Plan, m: dict, i: int, values: dict, book: PriceBook | None = None) -> OptionResult:
    opt = plan.options[i]
    if opt.kind == "gpu":
        return _gpu_result(plan, m, i, values)
    flags = {k: bool(v[i]) for k, v in m["flags"].items()}
    reasons = _reasons(plan, i, flags, values, m)
    unpriced = [r for key, r in reasons if key not in INELIGIBLE]
    inelig = [r for key, r in reasons if key in INELIGIBLE]
    priced = not math.isnan(m["cost_per_attempt"][i]) and not unpriced
    status = "ok" if priced and not inelig else ("unpriced" if not priced and not inelig else "ineligible")
    if flags["not_offered"]:
        status = "ineligible"
    reason = "; ".join(inelig + unpriced) or None
    metrics = {k: clean(m[k][i]) if priced else None for k in METRICS}
    if not priced:  # probabilities do not depend on prices
        for k in PROBABILITIES:
            metrics[k] = clean(m[k][i])
    notes = []
    if metrics.get("p_success") == 0.0:
        notes.append("no successful outcomes: the model's p_success is 0")
    if priced and metrics.get("payback_months") is None and values["value"]["build_cost"] > 0:
        notes.append("no payback: the monthly net benefit is not positive")
    if priced or status == "ineligible":
        notes += _workflow_notes(plan, i, m, values, book)
    meters = {
        "cost": {k: clean(m[f"meter_cost.{k}"][i]) if priced else None for k in COST_METERS},
        "tokens": {k: clean(m[f"meter_tokens.{k}"][i]) for k in METERS},
    }
    price = None
    if opt.kind == "hosted" and opt.price is not None:
        p = opt.price
        price = {"source": p.source, "checked": p.checked.isoformat(), "file": p.file, "line": p.line,
                 "discount_percent": float(p.discount_percent) if p.discount_percent is not None else None}
    extra = {"stages": list(opt.stage_labels)} if opt.kind == "cascade" else None
    return OptionResult(
        id=opt.id, kind=opt.kind, provider=opt.provider, model=opt.model, tier=opt.tier, caching=opt.caching,
        status=status, reason=reason, metrics=metrics, meters=meters, notes=notes, price=price, cascade=extra,
    )


GPU_REASONS = {"too_slow": "too slow for the latency need", "latency_over_need": "estimated latency exceeds the need",
               "over_rate_limit": "over a rate limit", "context_too_long": "the prompt exceeds the context window",
               "not_offered": "not offered"}


def _gpu_result(plan: Plan, m: dict, i: int, values: dict) -> OptionResult:
    opt = plan.options[i]
    fits = not bool(m["flags"]["no_fit"][i])
    metrics = {k: clean(m[k][i]) if fits else None for k in METRICS}
    for k in PROBABILITIES:
        metrics[k] = clean(m[k][i])
    notes = []
    if opt.ceiling:
        notes.append("throughput is a max-load ceiling or an estimate: an interactive latency need is not "
                     "guaranteed at this load")
    if opt.estimated:
        notes.append("throughput is a roofline estimate (no measured profile for this model, GPU and precision)")
    if metrics.get("p_success") == 0.0:
        notes.append("no successful outcomes: the model's p_success is 0")
    reason, status = None, "ok"
    if not fits:
        need = "more GPUs than max_gpus_per_replica"
        reason = f"{opt.model} in {opt.precision.upper()} does not fit on {need} x {opt.gpu_name}"
        status = "ineligible"
    else:
        other = [k for k in INELIGIBLE if k != "no_fit" and bool(m["flags"][k][i])]
        if other:
            status, reason = "ineligible", "; ".join(GPU_REASONS.get(k, k.replace("_", " ")) for k in other)
        elif bool(m["flags"]["no_tool_price_self_hosted"][i]):
            # tool calls (web search, file search, code sessions) need a service the fleet does not include
            status = "unpriced"
            reason = "unpriced: the steps use hosted tools (web search, file search or code sessions), which a " \
                     "self-hosted model has no price for"
            metrics = {k: metrics[k] if k in PROBABILITIES else None for k in metrics}
    gpu = {
        "gpu": opt.gpu, "gpu_name": opt.gpu_name, "gpus_per_replica": opt.gpus_per_replica,
        "gpus_per_instance": opt.gpus_per_instance, "precision": opt.precision, "scaling": opt.scaling,
        "per_gpu_hour": opt.per_gpu_hour,
        "replicas": clean(m["replicas"][i]) if fits else None,
        "gpu_hours": clean(m["gpu_hours"][i]) if fits else None,
        "utilisation": clean(m["utilisation"][i]) if fits else None,
        "cost_per_mtok_output": clean(m["cost_per_mtok_output"][i]) if fits else None,
        "gpu_monthly_cost": clean(m["gpu_monthly_cost"][i]) if fits else None,
        "throughput": [s[4] for s in opt.steps], "estimated": opt.estimated, "ceiling": opt.ceiling,
        "offer": {"source": opt.offer.source, "checked": str(opt.offer.checked), "where": opt.offer.where,
                  "label": opt.offer.spec.label, "instance": opt.offer.spec.instance},
    }
    meters = {
        "cost": {k: clean(m[f"meter_cost.{k}"][i]) if fits and status != "unpriced" else None
                 for k in COST_METERS},
        "tokens": {k: clean(m[f"meter_tokens.{k}"][i]) for k in METERS},
    }
    return OptionResult(id=opt.id, kind="gpu", provider=opt.provider, model=opt.model, tier=opt.tier, caching=False,
                        status=status, reason=reason, metrics=metrics, meters=meters,
                        notes=notes, price=None, gpu=gpu)


def _rows_of(plan: Plan, i: int) -> list[int]:
    opt = plan.options[i]
    return list(opt.rows) if opt.kind == "cascade" else [i]


def _label(plan: Plan, i: int) -> str:
    opt = plan.options[i]
    return opt.name if opt.kind == "cascade" else f"{opt.provider}/{opt.model}"


def _reasons(plan: Plan, i: int, flags: dict, values: dict, m: dict) -> list[tuple[str, str]]:
    opt = plan.options[i]
    tier = TIER_LABEL.get(opt.tier, opt.tier)
    rows = _rows_of(plan, i)
    stage = (lambda r: f"stage {rows.index(r) + 1} ({plan.rows[r].provider}/{plan.rows[r].model} on "
                       f"{TIER_LABEL[plan.rows[r].tier]}): ") if opt.kind == "cascade" else (lambda r: "")
    out = []
    if flags["not_offered"]:
        r = next(r for r in rows if not plan.offered[r, 0])
        row = plan.rows[r]
        steps = [s["name"] for s in values["attempt"]["steps"] if s.get("model") or s.get("tier")]
        where = f" (step {', '.join(steps)})" if steps and row.entry.offers(row.tier) else ""
        out.append(("not_offered", f"{stage(r)}{_who(row)}{row.model} offers no {TIER_LABEL[row.tier]} tier{where}"
                    if not opt.kind == "cascade" or True else ""))
        return out
    if flags["too_slow"]:
        out.append(("too_slow", f"{tier} may take up to {_duration(float(m['tier_latency'][i]))}; "
                                f"the latency need is {describe_latency(values['latency'])}"))
    if flags["latency_over_need"]:
        bound = "at least " if m["latency_lower_bound"][i] else ""
        out.append(("latency_over_need", f"estimated latency {bound}{m['latency_seconds'][i]:.1f} s per attempt "
                                         f"exceeds the need ({describe_latency(values['latency'])})"))
    if flags["over_rate_limit"]:
        out.append(("over_rate_limit", _over_limit(plan, m, i)))
    if flags["context_too_long"]:
        biggest = max(float(s["input_tokens"]) for s in values["attempt"]["steps"])
        window = min(float(plan.context_window[r, 0]) for r in rows)
        out.append(("context_too_long", f"a {biggest:,.0f}-token prompt exceeds the {int(window):,}-token context "
                                        f"window"))
    if flags["no_cached_price"]:
        out.append(("no_cached_price", f"unpriced: no published cached-input rate for {_label(plan, i)} on {tier}"))
    if flags["no_long_context_price"]:
        thr = min(float(plan.threshold[r, 0]) for r in rows)
        out.append(("no_long_context_price", f"unpriced: no published {tier} rate for prompts above {int(thr):,} "
                                             f"tokens"))
    for key, what in (("no_web_search_price", "web-search"), ("no_file_search_price", "file-search"),
                      ("no_code_session_price", "code-session")):
        if flags[key]:
            out.append((key, f"unpriced: no {what} price for {_label(plan, i)} in the price tables"))
    if flags["no_storage_price"]:
        out.append(("no_storage_price", f"unpriced: no vector-storage price for {plan.rows[rows[0]].provider}"))
    if flags["no_fallback_price"]:
        out.append(("no_fallback_price", "unpriced: no Standard price to fall back to"))
    return out


def _workflow_notes(plan: Plan, i: int, m: dict, values: dict, book: PriceBook | None = None) -> list[str]:
    """What an option's figures assume about tiers and latency (said only where it applies)."""
    opt = plan.options[i]
    tb = values["tier_behaviour"]
    notes = []
    tiers = {plan.rows[r].tier for r in _rows_of(plan, i)}
    if "flex" in tiers and tb["flex_refusal_share"] > 0:
        then = "sent to Standard at Standard prices" if tb["on_flex_refusal"] == "standard" else \
            "retried later (not billed; answers take longer)"
        notes.append(f"assumes {tb['flex_refusal_share']:.0%} of Flex calls are refused for capacity and {then}")
    if "batch" in tiers and tb["batch_expiry_share"] > 0:
        then = "sent to Standard at Standard prices" if tb["on_batch_expiry"] == "standard" else \
            "resubmitted (up to a second 24-hour window)"
        notes.append(f"assumes {tb['batch_expiry_share']:.0%} of Batch requests expire and are {then}")
    if "batch" in tiers and opt.kind == "hosted":
        per_day = m["calls_per_attempt"][i] * m["expected_attempts"][i] * values["volume"]["tasks_per_month"] \
            / (730 / 24)
        rule = book.tier_rule(opt.provider, "batch") if book else None
        max_req = rule.max_requests_per_file if rule and rule.max_requests_per_file else 50_000
        max_mb = float(rule.max_file_mb) if rule and rule.max_file_mb else 200.0
        # request size estimated at 4 bytes per input token plus 400 bytes of JSONL framing (estimated)
        per_request = 4 * m["daily_input_tokens"][i] / max(per_day, 1e-9) + 400
        files = max(math.ceil(per_day / max_req), math.ceil(per_day * per_request / (max_mb * 1e6)))
        notes.append(f"Batch: about {per_day:,.0f} requests a day, {max(files, 1)} file(s) a day at "
                     f"{max_req:,} requests / {max_mb:g} MB each (size estimated)")
    lat = m["latency_seconds"][i]
    if values["latency"].get("p95_seconds") is not None and tiers <= {"standard", "priority"}:
        if math.isnan(lat):
            notes.append("latency not estimated: the price tables give no speed for this model and tier")
        elif m["latency_lower_bound"][i]:
            notes.append(f"estimated latency at least {lat:.1f} s per attempt (output at the tables' median speed + "
                         f"tools; no time to first token in the tables)")
        else:
            notes.append(f"estimated latency {lat:.1f} s per attempt (time to first token + output at the tables' "
                         f"median speed + tools)")
    return notes


def _over_limit(plan: Plan, m: dict, i: int) -> str:
    rows = _rows_of(plan, i)
    lim = {k: min(float(v[r, 0]) for r in rows) for k, v in plan.limits.items()}
    parts = []
    for key, label, limit in (("peak_rpm", "requests/min", lim["rpm"]), ("peak_tpm", "tokens/min", lim["tpm"]),
                              ("daily_input_tokens", "input tokens/day in the Batch queue", lim["queue"])):
        have = float(m[key][i])
        if have > limit:
            parts.append(f"peak {have:,.0f} {label} exceeds the limit of {limit:,.0f} (x{math.ceil(have / limit)} needed)")
    return ("; ".join(parts) + ": more keys or projects, a higher usage tier, Batch, or GPUs would fit") if parts else ""


def _who(opt) -> str:
    """'azure/' before a model a reseller or variant offers; nothing for the model's maker."""
    return f"{opt.provider}/" if opt.entry.multiplier != 1 or opt.provider not in ("openai", "anthropic", "google") else ""


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:g} h"
    if seconds >= 60:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def describe_latency(lat: dict) -> str:
    if lat.get("p95_seconds") is not None:
        return f"p95 {float(lat['p95_seconds']):g} s (interactive)"
    if lat.get("minutes") is not None:
        return f"within {float(lat['minutes']):g} min"
    return f"a {float(lat['deadline_hours']):g} h deadline"


__all__ = ["run", "compare_loaded", "plan_for", "latency_need_seconds"]
