"""One option's figures from the engine's arrays: status, metrics, meters, and the reasons and
notes behind them as notices (codes with fields; :mod:`aicost.report.explain` words them)."""

from __future__ import annotations

import math

import numpy as np
from typing import Any

from aicost.base.constants import BATCH_MAX_FILE_MB, BATCH_MAX_REQUESTS_PER_FILE, DAYS_PER_MONTH
from aicost.base.notices import Notice
from aicost.base.constants import MEDIA_METERS
from aicost.engine.evaluate import COST_METERS, INELIGIBLE, METERS

#: Meters counted in their own unit, not tokens (minutes, characters, images): ``meters.units``.
UNIT_METERS = tuple(k for k, v in MEDIA_METERS.items() if v[2] != "Tokens")

#: Why a model is offered on no tier on the day priced (ineligible, with the day).
NOT_SERVED = ("retired", "not_released")
#: Reasons that rule an option out (the rest leave it unpriced).
OUT = INELIGIBLE + NOT_SERVED + ("routed_over_limit",)
from aicost.engine.plan import Plan
from aicost.inputs.pricebook import PriceBook
from aicost.results.compare import METRICS, PROBABILITIES, OptionResult, clean


def latency_need(lat: dict) -> Notice:
    """The scenario's latency need as a notice (its kind and value)."""
    for kind in ("p95_seconds", "minutes", "deadline_hours"):
        if lat.get(kind) is not None:
            return Notice.of("latency_need", kind=kind, value=float(lat[kind]))
    raise ValueError("a latency need has one of p95_seconds, minutes or deadline_hours")


def option_result(plan: Plan, m: dict, i: int, values: dict, book: PriceBook | None = None,
                  segments: list | None = None) -> OptionResult:
    """One option's result; on a request mix, ``segments`` holds each segment's (name, plan, values,
    figures) at the point, so that a reason names the segment it holds on, with that segment's figures."""
    opt = plan.options[i]
    if opt.kind == "gpu":
        return _gpu_result(plan, m, i, values)
    flags = {k: bool(v[i]) for k, v in m["flags"].items()}
    reasons = _reasons(plan, i, flags, values, m, book)
    if segments and opt.kind != "routed":
        reasons = [r for r in reasons if r.code == "over_rate_limit"] + _segment_reasons(segments, i, book)
    unpriced = [r for r in reasons if r.code not in OUT]
    inelig = [r for r in reasons if r.code in OUT]
    # a tier the model does not offer has no price, even where an attempt uses no tokens
    priced = not math.isnan(m["cost_per_attempt"][i]) and not unpriced and not flags["not_offered"]
    status = "ok" if priced and not inelig else ("unpriced" if not priced and not inelig else "ineligible")
    if flags["not_offered"]:
        status = "ineligible"
    metrics: dict[str, float | None] = {k: clean(m[k][i]) if priced else None for k in METRICS}
    if not priced:  # probabilities do not depend on prices
        for k in PROBABILITIES:
            metrics[k] = clean(m[k][i])
    notes = []
    if metrics.get("p_success") == 0.0:
        notes.append(Notice.of("no_successes"))
    if priced and metrics.get("payback_months") is None and values["value"]["build_cost"] > 0:
        notes.append(Notice.of("no_payback"))
    resilience = resilience_info(plan, i, m, values, book)  # outages and 429s (None without resilience:)
    if (priced or status == "ineligible") and opt.kind != "routed":
        notes += _workflow_notes(plan, i, m, values, book, resilience)
    meters = {
        "cost": {k: clean(m[f"meter_cost.{k}"][i]) if priced else None
                 for k in COST_METERS + tuple(x for x in ("router", "failover") if f"meter_cost.{x}" in m)},
        "tokens": {k: clean(m[f"meter_tokens.{k}"][i]) for k in METERS if k not in UNIT_METERS},
        "units": {k: clean(m[f"meter_tokens.{k}"][i]) for k in UNIT_METERS},
    }
    price = None
    if opt.kind == "hosted" and opt.price is not None:
        p = opt.price
        price = {"source": p.source, "checked": p.checked.isoformat(), "file": p.file, "line": p.line,
                 "discount_percent": float(p.discount_percent) if p.discount_percent is not None else None}
    extra = {"stages": list(opt.stage_labels)} if opt.kind == "cascade" else None
    ptu = getattr(opt, "provisioned", None)
    return OptionResult(
        id=opt.id, kind=opt.kind, provider=opt.provider, model=opt.model,
        tier=f"ptu-{ptu[0]}-{ptu[1]}" if ptu else opt.tier, caching=opt.caching,
        status=status, reasons=inelig + unpriced, metrics=metrics, meters=meters, notes=notes, price=price,
        cascade=extra, latency_lower_bound=_lower_bound(m, i), provisioned=_ptu_info(plan, m, i, ptu, book),
        effort=getattr(opt, "effort", None), resilience=resilience if priced else None,
    )


def _ptu_info(plan: Plan, m: dict, i: int, ptu: tuple | None, book: PriceBook | None) -> dict | None:
    """A provisioned option's reservation: its size, use, spill-over and the price it is billed at."""
    if not ptu:
        return None
    dep, term = ptu
    price = book.providers["azure"].provisioned[dep] if book is not None else None
    return {"deployment": dep, "term": term, "ptus": clean(m["ptus"][i]),
            "utilisation": clean(m["ptu_utilisation"][i]), "spill_share": clean(m["spill_share"][i]),
            "reservation_monthly": clean(m["meter_cost.provisioned"][i]) if "meter_cost.provisioned" in m else None,
            "price_per_ptu": float(getattr(price, term)) if price is not None else None,
            "source": price.source if price is not None else None}


def _lower_bound(m: dict, i: int) -> bool:
    return bool(m["latency_lower_bound"][i]) and not math.isnan(m["latency_seconds"][i])


def _gpu_result(plan: Plan, m: dict, i: int, values: dict) -> OptionResult:
    opt = plan.options[i]
    chosen = clean(m["gpus_per_replica"][i])  # the replica size whose fleet costs least at this volume
    alt = next((a for a in opt.alts if a[0] == chosen), None)
    if alt is not None:
        n_gpus, _, note, batch, estimated = alt
        throughput = [note] * len(opt.steps)
    else:
        n_gpus, batch, estimated, throughput = opt.gpus_per_replica, opt.batch, opt.estimated, [s[4] for s in opt.steps]
    lat = values["latency"]
    need = latency_need(lat) if lat.get("deadline_hours") is None else None
    fits = not bool(m["flags"]["no_fit"][i])
    metrics = {k: clean(m[k][i]) if fits else None for k in METRICS}
    for k in PROBABILITIES:
        metrics[k] = clean(m[k][i])
    notes = []
    if estimated:
        notes.append(Notice.of("gpu_estimated"))
    if metrics.get("p_success") == 0.0:
        notes.append(Notice.of("no_successes"))
    reasons, status = [], "ok"
    if not fits:
        reasons = [Notice.of("no_fit", model=opt.model, precision=opt.precision, gpu=opt.gpu_name)]
        status = "ineligible"
    else:
        other = [k for k in INELIGIBLE if k not in ("no_fit", "latency_over_need") and k in m["flags"] and bool(m["flags"][k][i])]
        if bool(m["flags"]["latency_over_need"][i]) or (opt.batch == 0 and need is not None):
            # even a replica running one request at a time takes longer than the need allows
            reasons.append(Notice.of("gpu_too_slow", seconds=float(np.max(m["latency_seconds"][i])), need=need,
                                     gpus=n_gpus, gpu=opt.gpu_name))
        if other:
            reasons.append(Notice.of("gpu_ineligible", flags=tuple(other)))
        if reasons:
            status = "ineligible"
        elif bool(m["flags"]["no_tool_price_self_hosted"][i]):
            # tool calls (web search, file search, code sessions) need a service the fleet does not include
            status = "unpriced"
            reasons = [Notice.of("no_tool_price_self_hosted")]
            metrics = {k: metrics[k] if k in PROBABILITIES else None for k in metrics}
    gpu = {
        "gpu": opt.gpu, "gpu_name": opt.gpu_name, "gpus_per_replica": int(n_gpus) if n_gpus else None,
        "gpus_per_instance": opt.gpus_per_instance, "precision": opt.precision, "scaling": opt.scaling,
        "per_gpu_hour": opt.per_gpu_hour,
        "replicas": clean(m["replicas"][i]) if fits else None,
        "gpu_hours": clean(m["gpu_hours"][i]) if fits else None,
        "utilisation": clean(m["utilisation"][i]) if fits else None,
        "cost_per_mtok_output": clean(m["cost_per_mtok_output"][i]) if fits else None,
        "gpu_monthly_cost": clean(m["gpu_monthly_cost"][i]) if fits else None,
        "throughput": throughput, "estimated": estimated,
        "batch": round(batch, 1) if fits else None,
        "replica_sizes": [{"gpus": n, "output_tokens_per_s_per_gpu": round(tps, 1),
                           "cost_per_mtok_output_at_full_use": round(opt.per_gpu_hour / (tps * 3600.0) * 1e6, 4),
                           "latency_seconds": round(lat_s, 3), "meets_need": ok, "estimated": est,
                           "chosen": n == n_gpus}
                          for n, tps, lat_s, ok, est in opt.sizes],
        "offer": {"source": opt.offer.source, "checked": str(opt.offer.checked), "where": opt.offer.where,
                  "label": opt.offer.spec.label, "instance": opt.offer.spec.instance},
    }
    meters = {
        "cost": {k: clean(m[f"meter_cost.{k}"][i]) if fits and status != "unpriced" else None
                 for k in COST_METERS},
        "tokens": {k: clean(m[f"meter_tokens.{k}"][i]) for k in METERS if k not in UNIT_METERS},
        "units": {k: clean(m[f"meter_tokens.{k}"][i]) for k in UNIT_METERS},
    }
    return OptionResult(id=opt.id, kind="gpu", provider=opt.provider, model=opt.model, tier=opt.tier, caching=False,
                        status=status, reasons=reasons, metrics=metrics, meters=meters,
                        notes=notes, price=None, gpu=gpu, latency_lower_bound=_lower_bound(m, i))


def _rows_of(plan: Plan, i: int) -> list[int]:
    opt = plan.options[i]
    return list(opt.rows) if opt.kind == "cascade" else [i]


def _label(plan: Plan, i: int) -> str:
    opt = plan.options[i]
    return opt.name if opt.kind == "cascade" else f"{opt.provider}/{opt.model}"


def _reasons(plan: Plan, i: int, flags: dict, values: dict, m: dict, book: PriceBook | None) -> list[Notice]:
    opt = plan.options[i]
    rows = _rows_of(plan, i)
    need = latency_need(values["latency"])
    out = []
    for key, metric, limit in (("below_min_success", "p_success", "min_success"),
                               ("over_silent_failure", "p_silent_failure", "max_silent_failure")):
        if flags.get(key):
            out.append(Notice.of(key, have=float(m[metric][i]), limit=float(values["quality"][limit])))
    if opt.kind == "routed":  # a request mix routed by segment: no option serves some segment, or no router price
        if flags.get("no_route"):
            out.append(Notice.of("no_route"))
        if flags.get("misroute_unservable"):
            out.append(Notice.of("misroute_unservable"))
        if flags.get("over_rate_limit"):
            out.append(Notice.of("routed_over_limit"))
        if flags.get("no_router_price"):
            out.append(Notice.of("no_router_price", label=str((plan.router or {}).get("label"))))
        return out
    if flags["not_offered"]:
        r = next(r for r in rows if not plan.offered[r, 0])
        row = plan.rows[r]
        steps = [s["name"] for s in values["attempt"]["steps"] if s.get("model") or s.get("tier")]
        stage = {}
        if opt.kind == "cascade":
            stage = {"stage": (rows.index(r) + 1, row.provider, row.model, row.tier)}
        spec = row.entry.spec
        if not row.entry.served(plan.as_of):
            code, day = ("retired", spec.retired) if spec.retired and plan.as_of >= spec.retired \
                else ("not_released", spec.available_from)
            out.append(Notice.of(code, label=f"{row.provider}/{row.model}", date=day.isoformat(),
                                 file=row.entry.doc.file, line=row.entry.doc.line_of(("models", row.model)), **stage))
            return out
        out.append(Notice.of("not_offered", provider=row.provider, resold=_resold(row, book), model=row.model, tier=row.tier,
                             steps=tuple(steps) if steps and row.entry.offers(row.tier) else (), **stage))
        return out
    if flags["too_slow"]:
        slowest = max(rows, key=lambda r: float(plan.tier_latency[r, 0]))  # a cascade: its slowest stage's tier
        out.append(Notice.of("too_slow", tier=plan.rows[slowest].tier, seconds=float(m["tier_latency"][i]), need=need))
    if flags["latency_over_need"]:
        out.append(Notice.of("latency_over_need", seconds=float(m["latency_seconds"][i]),
                             lower_bound=bool(m["latency_lower_bound"][i]), need=need))
    if flags.get("latency_unknown"):
        slow = [r for r in rows if any(np.isnan(st["speed"][r, 0]) for st in plan.steps)] or rows
        row = plan.rows[slow[0]]
        out.append(Notice.of("latency_unknown", label=f"{row.provider}/{row.model}", tier=row.tier, need=need))
    if flags["over_rate_limit"]:
        out.append(_over_limit(plan, m, i))
    if flags["context_too_long"]:
        # the largest prompt of any step: its input, retrieved context and the history of its last turn
        biggest = max(float(s["input_tokens"]) + float(s["retrieved_tokens"])
                      + (float(s["turns"]) - 1) * (float(s["turn_input_tokens"]) + float(s["output_tokens"]))
                      for s in values["attempt"]["steps"])
        window = min(float(plan.context_window[r, 0]) for r in rows)
        out.append(Notice.of("context_too_long", tokens=biggest, window=int(window)))
    if flags["no_cached_price"]:
        out.append(Notice.of("no_cached_price", label=_label(plan, i), tier=opt.tier))
    if flags.get("over_capacity"):
        out.append(Notice.of("over_capacity", ptus=float(m["ptus"][i]), spill=float(m["spill_share"][i])))
    if flags.get("no_embedding_price"):
        out.append(Notice.of("no_embedding_price", model=str(values["retrieval"].get("embedding_model")),
                             tier=str(values["retrieval"].get("embedding_tier"))))
    if flags.get("no_training_price"):
        out.append(Notice.of("no_training_price", label=_label(plan, i)))
    if flags.get("no_spill_price"):
        out.append(Notice.of("no_spill_price"))
    if flags.get("no_failover_price"):
        out.append(Notice.of("no_failover_price"))
    if flags.get("no_media_price"):
        out.append(_media_reason(plan, rows, values))
    if flags["no_long_context_price"]:
        thr = min(float(plan.threshold[r, 0]) for r in rows)
        out.append(Notice.of("no_long_context_price", tier=opt.tier, threshold=int(thr)))
    for key in ("no_web_search_price", "no_file_search_price", "no_code_session_price"):
        if flags[key]:
            out.append(Notice.of(key, label=_label(plan, i)))
    if flags["no_storage_price"]:
        out.append(Notice.of("no_storage_price", provider=plan.rows[rows[0]].provider))
    if flags.get("no_cache_storage_price"):
        out.append(Notice.of("no_cache_storage_price", label=_label(plan, i)))
    if flags["no_fallback_price"]:
        out.append(Notice.of("no_fallback_price"))
    return out


def _segment_reasons(segments: list, i: int, book: PriceBook | None) -> list[Notice]:
    """Why an option is out on a mix: the reasons of each segment it is out on, each naming it."""
    out = []
    for name, p, v, m in segments:
        flags = {k: bool(f[i]) and k != "over_rate_limit" for k, f in m["flags"].items()}  # (judged on the mix)
        for r in _reasons(p, i, flags, v, m, book):
            out.append(Notice.of(r.code, **{**r.fields, "segment": name}))
    return out


def _media_reason(plan: Plan, rows: list[int], values: dict) -> Notice:
    """The first row and step whose media have no price, and what is missing."""
    from aicost.engine.media import MEDIA_FACTS, missing

    for r in rows:
        for j, step in enumerate(values["attempt"]["steps"]):
            facts = {k: float(plan.steps[j][k][r, 0]) for k in MEDIA_FACTS}
            what = missing(facts, step)
            if what:
                row = plan.rows[r]
                return Notice.of("no_media_price", label=f"{row.provider}/{row.model}", tier=row.tier,
                                 what=tuple(what), step=step["name"])
    row = plan.rows[rows[0]]
    return Notice.of("no_media_price", label=f"{row.provider}/{row.model}", tier=row.tier, what=("a unit",),
                     step=values["attempt"]["steps"][0]["name"])


def _workflow_notes(plan: Plan, i: int, m: dict, values: dict, book: PriceBook | None = None,
                    resilience: dict | None = None) -> list[Notice]:
    """What an option's figures assume about tiers and latency (said only where it applies)."""
    opt = plan.options[i]
    tb = values["tier_behaviour"]
    notes = []
    tiers = {plan.rows[r].tier for r in _rows_of(plan, i)}
    if "flex" in tiers and tb["flex_refusal_share"] > 0:
        notes.append(Notice.of("flex_refusal", share=tb["flex_refusal_share"], then=tb["on_flex_refusal"]))
    if "batch" in tiers and tb["batch_expiry_share"] > 0:
        notes.append(Notice.of("batch_expiry", share=tb["batch_expiry_share"], then=tb["on_batch_expiry"]))
    if "batch" in tiers and opt.kind == "hosted":
        per_day = m["calls_per_attempt"][i] * m["expected_attempts"][i] * values["volume"]["tasks_per_month"] \
            / DAYS_PER_MONTH
        rule = book.tier_rule(opt.provider, "batch") if book else None
        max_req = rule.max_requests_per_file if rule and rule.max_requests_per_file else BATCH_MAX_REQUESTS_PER_FILE
        max_mb = float(rule.max_file_mb) if rule and rule.max_file_mb else BATCH_MAX_FILE_MB
        # request size estimated at 4 bytes per input token plus 400 bytes of JSONL framing (estimated)
        per_request = 4 * m["daily_input_tokens"][i] / max(per_day, 1e-9) + 400
        files = max(math.ceil(per_day / max_req), math.ceil(per_day * per_request / (max_mb * 1e6)))
        notes.append(Notice.of("batch_files", per_day=float(per_day), files=max(files, 1), max_requests=max_req,
                               max_mb=max_mb))
    notes += _resilience_notes(resilience)
    lat = m["latency_seconds"][i]
    if values["latency"].get("p95_seconds") is not None and tiers <= {"standard", "priority"}:
        if math.isnan(lat):
            notes.append(Notice.of("latency_not_estimated"))
        else:
            notes.append(Notice.of("latency_estimate", seconds=float(lat), lower_bound=bool(m["latency_lower_bound"][i])))
    return notes


def resilience_info(plan: Plan, i: int, m: dict, values: dict, book: PriceBook | None = None) -> dict | None:
    """Outages and 429s on one option: the shares served, failed over, lost and refused; the lowest
    usage tier (or the projects at the account's tier) that holds the busiest minute, where the
    model publishes its limits. None without a resilience: section."""
    res = values.get("resilience")
    if not res or plan.options[i].kind not in ("hosted", "cascade"):
        return None
    fo = res.get("failover")
    info: dict = {"availability": _avail(plan, i, values), "refused_share": clean(m["refused_share"][i]),
                  "failed_over_share": clean(m["failed_over_share"][i]), "lost_share": clean(m["lost_share"][i]),
                  "failover": fo["model"] if fo else None,
                  "failover_provider": plan.rows[plan.failover[False]].provider if plan.failover else None,
                  "failover_model": plan.rows[plan.failover[False]].model if plan.failover else None,
                  "failover_provider_name": book.provider_names(plan.rows[plan.failover[False]].provider)[0]
                  if plan.failover and book is not None else None,
                  "retry_wait_seconds": float(res["backoff_seconds"]) * (2 ** int(res["retries"]) - 1)}
    row = plan.options[i] if plan.options[i].kind == "hosted" else plan.rows[plan.options[i].rows[0]]
    table = row.entry.spec.rate_limits
    if table is not None and row.tier != "batch" and row.provider in (res.get("usage_tier") or {}):
        rpm, tpm = float(m["peak_rpm"][i]), float(m["peak_tpm"][i])
        need = {t: max(rpm / float(v.rpm), tpm / float(v.tpm)) for t, v in sorted(table.tiers.items())}
        tier = res["usage_tier"][row.provider]
        info["usage_tier"] = {"model": f"{row.provider}/{row.model}", "tier": tier,
                              "lowest_that_fits": next((t for t, x in need.items() if x <= 1.0), None),
                              "projects_at_tier": max(1, math.ceil(need[tier])) if tier in need else None,
                              "top_tier": max(need), "projects_at_top_tier": max(1, math.ceil(need[max(need)]))}
    return info


def _resilience_notes(info: dict | None) -> list[Notice]:
    """The resilience figures as notes (said only where something fails over, is lost or is limited)."""
    if info is None:
        return []
    out = []
    moved, lost = info["failed_over_share"] or 0.0, info["lost_share"] or 0.0
    if moved > 0 or lost > 0:
        out.append(Notice.of("failover", outage=1.0 - info["availability"], refused=info["refused_share"] or 0.0,
                             moved=moved, lost=lost, to=info["failover"], wait=info["retry_wait_seconds"]))
    u = info.get("usage_tier")
    if u:
        out.append(Notice.of("usage_tier_fit", model=u["model"], lowest=u["lowest_that_fits"], tier=u["tier"],
                             projects=u["projects_at_tier"], top=u["top_tier"], top_projects=u["projects_at_top_tier"]))
    return out


def _avail(plan: Plan, i: int, values: dict) -> float:
    from aicost.engine.resilience import availability

    opt = plan.options[i]
    row = opt if opt.kind == "hosted" else plan.rows[opt.rows[0]]
    return float(np.min(availability(values, row)))


def _over_limit(plan: Plan, m: dict, i: int) -> Notice:
    rows = _rows_of(plan, i)
    lim = {k: min(float(v[r, 0]) for r in rows) for k, v in plan.limits.items()}
    over: list[tuple[str, float, float, int]] = []
    for key, limit in (("peak_rpm", lim["rpm"]), ("peak_tpm", lim["tpm"]), ("daily_input_tokens", lim["queue"])):
        have = float(m[key][i])
        if have > limit:
            over.append((key, have, limit, math.ceil(have / limit)))
    return Notice.of("over_rate_limit", over=tuple(over))


def _resold(opt: Any, book: PriceBook | None) -> bool:
    """Whether a reseller or a variant (Azure, a Data Zone) offers the model, not its maker."""
    info = book.providers.get(opt.provider) if book is not None else None
    return opt.entry.multiplier != 1 or (info is not None and info.resells is not None)
