"""Notices in words: the one place reasons, notes and warnings become sentences.

Each code in :data:`SAY` maps to a function of the notice's fields. The core never writes these
sentences and nothing matches on them; a new code needs a line here (a test checks every code
the core emits has one).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable

from aicost.base.constants import TIER_LABEL
from aicost.base.notices import Notice
from aicost.results.compare import Because


def duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:g} h"
    if seconds >= 60:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


def latency_need(n: Notice) -> str:
    if n["kind"] == "p95_seconds":
        return f"p95 {n['value']:g} s (interactive)"
    if n["kind"] == "minutes":
        return f"within {n['value']:g} min"
    return f"a {n['value']:g} h deadline"


def _stage(n: Notice) -> str:
    if not n.get("stage"):
        return ""
    k, provider, model, tier = n["stage"]
    return f"stage {k} ({provider}/{model} on {TIER_LABEL[tier]}): "


def _not_offered(n: Notice) -> str:
    where = f" (step {', '.join(n['steps'])})" if n.get("steps") else ""
    stage = ""
    if n.get("stage"):
        k, provider, model, tier = n["stage"]
        stage = f"stage {k} ({provider}/{model} on {TIER_LABEL[tier]}): "
    who = f"{n['provider']}/" if n["resold"] else ""
    return f"{stage}{who}{n['model']} offers no {TIER_LABEL[n['tier']]} tier{where}"


def _throughput(n: Notice) -> str:
    """Where a GPU replica's speed comes from: the calibration and the nearest measurement."""
    scope = {"model": "its own measurements", "gpu": "other models' measurements on this GPU",
             "all": "measurements on other GPUs", "none": "no measurement (nominal efficiencies)"}[n["scope"]]
    head = (f"{'measured' if n['measured'] else 'estimated'}: {n['precision']} on {n['gpus']} GPU(s) at a batch of "
            f"{n['batch']:g}, the roofline x {n['factor']:.2f} from {scope}")
    near = n["nearest"]
    if not near:
        return head
    return (f"{head} ({n['engine']}, {n['profiles']} profile(s); nearest: {near['model']} on {near['gpus']}x "
            f"{near['gpu']} at {near['input_tokens']}/{near['output_tokens']}, "
            f"{near['output_tokens_per_s']:,.0f} tok/s, {near['label']}; {near['source']})")


def _over_limit(n: Notice) -> str:
    labels = {"peak_rpm": "requests/min", "peak_tpm": "tokens/min",
              "daily_input_tokens": "input tokens/day in the Batch queue"}
    parts = [f"peak {have:,.0f} {labels[key]} exceeds the limit of {limit:,.0f} (x{times} needed)"
             for key, have, limit, times in n["over"]]
    return ("; ".join(parts) + ": more keys or projects, a higher usage tier, Batch, or GPUs would fit") if parts else ""


def _failover(n: Notice) -> str:
    causes = [c for c in (f"outages ({n['outage']:.2%} of the time)" if n["outage"] > 0 else "",
                          f"429s ({n['refused']:.2%} of requests over the rate limit at busy hours)"
                          if n["refused"] > 0 else "") if c]
    what = [w for w in (f"{n['moved']:.2%} of requests fail over to {n['to']}" if n["moved"] > 0 else "",
                        f"{n['lost']:.2%} are given up" if n["lost"] > 0 else "") if w]
    return f"{' and '.join(causes)}: {', '.join(what)} after retries that wait {n['wait']:g} s (not billed)"


def _flex_refusal(n: Notice) -> str:
    then = "sent to Standard at Standard prices" if n["then"] == "standard" else \
        "retried later (not billed; answers take longer)"
    return f"assumes {n['share']:.0%} of Flex calls are refused for capacity and {then}"


def _batch_expiry(n: Notice) -> str:
    then = "sent to Standard at Standard prices" if n["then"] == "standard" else \
        "resubmitted (up to a second 24-hour window)"
    return f"assumes {n['share']:.0%} of Batch requests expire and are {then}"


SAY: dict[str, Callable[[Notice], str]] = {
    # why an option is out (ineligible)
    "not_offered": _not_offered,
    "retired": lambda n: f"{_stage(n)}{n['label']} was retired on {n['date']}: the provider no longer serves it "
                         f"({n['file']}:{n['line']}); --as-of an earlier day prices it as it was",
    "not_released": lambda n: f"{_stage(n)}{n['label']} was not released until {n['date']} "
                              f"({n['file']}:{n['line']})",
    "too_slow": lambda n: f"{TIER_LABEL.get(n['tier'], n['tier'])} may take up to {duration(n['seconds'])}; "
                          f"the latency need is {latency_need(n['need'])}",
    "latency_over_need": lambda n: f"estimated latency {'at least ' if n['lower_bound'] else ''}{n['seconds']:.1f} s "
                                   f"per attempt exceeds the need ({latency_need(n['need'])})",
    "latency_unknown": lambda n: f"latency unknown: the price tables give no speed for {n['label']} on "
                                 f"{TIER_LABEL.get(n['tier'], n['tier'])}, and the need is "
                                 f"{latency_need(n['need'])}; add speeds: (output_tokens_per_s, ttft_seconds) for it "
                                 f"in a --pricing table",
    "over_rate_limit": _over_limit,
    "below_min_success": lambda n: f"quality floor: {n['have']:.1%} of tasks succeed, under min_success "
                                   f"{n['limit']:.1%}",
    "over_silent_failure": lambda n: f"quality floor: {n['have']:.1%} of tasks fail unnoticed, over "
                                     f"max_silent_failure {n['limit']:.1%}",
    "context_too_long": lambda n: f"a {n['tokens']:,.0f}-token prompt exceeds the {n['window']:,}-token context "
                                  f"window",
    "no_fit": lambda n: f"{n['model']} in {n['precision'].upper()} does not fit on more GPUs than "
                        f"max_gpus_per_replica x {n['gpu']}",
    "gpu_too_slow": lambda n: f"too slow: {n['seconds']:.1f} s per attempt even running one request at a time on "
                              f"{n['gpus']}x {n['gpu']} (estimated), over the need ({latency_need(n['need'])})",
    "gpu_ineligible": lambda n: "; ".join(GPU_REASONS.get(k, k.replace("_", " ")) for k in n["flags"]),
    # why an option has no price (unpriced)
    "no_cached_price": lambda n: f"caching not offered: {n['label']} publishes no cached-input rate on "
                                 f"{TIER_LABEL.get(n['tier'], n['tier'])} (the uncached option prices it without)",
    "no_long_context_price": lambda n: f"unpriced: no published {TIER_LABEL.get(n['tier'], n['tier'])} rate for "
                                       f"prompts above {n['threshold']:,} tokens",
    "no_web_search_price": lambda n: f"unpriced: no web-search price for {n['label']} in the price tables",
    "no_file_search_price": lambda n: f"unpriced: no file-search price for {n['label']} in the price tables",
    "no_code_session_price": lambda n: f"unpriced: no code-session price for {n['label']} in the price tables",
    "over_capacity": lambda n: f"over capacity: {n['ptus']:,.0f} PTUs leave {n['spill']:.1%} of the load unserved "
                               f"at the busiest hours, and spillover is off",
    "no_embedding_price": lambda n: f"unpriced: no {n['tier']} price for the embedding model {n['model']} "
                                    f"(retrieval.embedding_model) to re-embed the corpus",
    "misroute_unservable": lambda n: "the router's misroutes would send some requests to an option that cannot serve "
                                     "them (too long a prompt, too slow, not offered or unpriced there)",
    "routed_over_limit": lambda n: "the requests routed to one of its options pass that option's rate limit",
    "no_route": lambda n: "no option is eligible and priced for some segment of the mix, so none can be routed to",
    "no_router_price": lambda n: f"unpriced: no price for the router's model {n['label']} on its tier",
    "no_failover_price": lambda n: "unpriced: the failover model has no price on its tier",
    "no_training_price": lambda n: f"unpriced: no training price for {n['label']} in the price tables "
                                   f"(fine_tuning: names it)",
    "no_spill_price": lambda n: "unpriced: the load above a Regional reservation would spill to Regional "
                                "pay-as-you-go, whose rates are not in the tables",
    "no_media_price": lambda n: f"unpriced: {n['label']} on {TIER_LABEL.get(n['tier'], n['tier'])} has no price for "
                                f"{' and '.join(n['what'])} (step '{n['step']}')",
    "no_storage_price": lambda n: f"unpriced: no vector-storage price for {n['provider']}",
    "no_fallback_price": lambda n: "unpriced: no Standard price to fall back to",
    "no_cache_storage_price": lambda n: f"unpriced: no explicit-cache storage price for {n['label']} "
                                        f"(caching.explicit_hours is set)",
    "no_tool_price_self_hosted": lambda n: "unpriced: the steps use hosted tools (web search, file search or code "
                                           "sessions), which a self-hosted model has no price for",
    # what an option's figures assume
    "no_successes": lambda n: "no successful outcomes: the model's p_success is 0",
    "no_payback": lambda n: "no payback: the monthly net benefit is not positive",
    "flex_refusal": _flex_refusal,
    "failover": _failover,
    "usage_tier_fit": lambda n: (f"{n['model']}'s busiest minute fits from usage tier {n['lowest']}"
                                 if n["lowest"] is not None else
                                 f"{n['model']}'s busiest minute fits no single usage tier: {n['top_projects']} "
                                 f"projects at tier {n['top']}")
                                + (f"; at tier {n['tier']} it needs {n['projects']} project(s)"
                                   if n["projects"] is not None else ""),
    "batch_expiry": _batch_expiry,
    "batch_files": lambda n: f"Batch: about {n['per_day']:,.0f} requests a day, {n['files']} file(s) a day at "
                             f"{n['max_requests']:,} requests / {n['max_mb']:g} MB each (size estimated)",
    "latency_not_estimated": lambda n: "latency not estimated: the price tables give no speed for this model and tier",
    "latency_estimate": lambda n: (f"estimated latency at least {n['seconds']:.1f} s per attempt (output at the "
                                   f"tables' median speed + tools; no time to first token in the tables)")
    if n["lower_bound"] else (f"estimated latency {n['seconds']:.1f} s per attempt (time to first token + output "
                              f"at the tables' median speed + tools)"),
    "throughput_calibrated": _throughput,
    "throughput_no_fit": lambda n: "does not fit",
    "gpu_estimated": lambda n: "throughput is estimated: the roofline calibrated on measurements, none of them "
                               "of this model, GPU and replica size at about these lengths",
    # about a scenario
    "none_eligible": lambda n: "no option is eligible and priced for this workload",
    "dominated_first": lambda n: f"{n['best']} is shown first: {n['leader']} ranks higher by this figure but costs "
                                 f"more a month with no more successful outcomes",
    "ranges_collapsed": lambda n: f"{n['count']} ranged input(s) collapsed to their likely values; --samples N "
                                  f"samples them",
    "latency_need": latency_need,
    "as_written": lambda n: "the scenario as written",
    # budget checks (``aicost check``)
    "budget": lambda n: _budget(n),
    "spend": lambda n: _spend(n),
    "spend_unseen": lambda n: f"no row of the log has {n['tag']} in any month: a typo in the limit's value? (the "
                              f"values are those of the tag '{n['by']}')",
    "none_eligible_budget": lambda n: f"no option is eligible and priced, so {n['budget']} cannot be checked",
    "not_checkable": lambda n: f"{n['option']} cannot be checked: "
                               f"{plain(n['reasons']) or n['metric'] + ' is not defined for this option'}",
    "input_error": lambda n: n["problem"],
    "no_budget": lambda n: "no budget: block",
    "new_in_baseline": lambda n: "new: not in the baseline, so there is no change to check",
    "baseline_missing": lambda n: f"{n['metric'].replace('_', ' ')} cannot be compared with the baseline (unpriced "
                                  f"or missing)",
    "increase": lambda n: _increase(n),
    # breakeven
    "cheaper_throughout": lambda n: f"{n['option']} is cheaper over the whole range",
    "never_both_usable": lambda n: "no point of the range has both options usable",
    # export
    "not_exported": lambda n: f"{n['scenario']}: {n['option']} is {n['status']} ({plain(n['reasons'])}); not exported",
    "exported_anyway": lambda n: f"{n['scenario']}: exporting {n['option']} as named, though it is {n['status']} "
                                 f"({plain(n['reasons'])})",
    # allocate
    "shared_unallocated": lambda n: f"{n['item']}: no tagged usage in {n['month']}, so its cost is unallocated",
    # price warnings
    "deprecated": lambda n: f"{n['model']} was deprecated on {n['date']} ({n['file']}:{n['line']})",
    "price_stale": lambda n: f"{n['model']} {n['tier']} price was checked {n['age']} days before {n['as_of']} "
                             f"(limit {n['limit']}; {n['file']}:{n['line']})",
}

#: Metrics in words (the Best line, tornado charts, the sensitivity line).
METRIC_NAMES = {"total_cost_per_success": "total cost per successful outcome",
                "cost_per_success": "cost per successful outcome", "cost_per_resolved_task": "cost per resolved task",
                "monthly_cost": "monthly cost", "net_monthly": "net monthly value", "roi": "ROI",
                "cost_per_attempt": "cost per attempt"}


def best_line(s: Any, currency: str) -> tuple[str, str] | None:
    """The answer for a scenario: (the best option's id, the rest of the sentence), naming the
    figure the options were ranked by; None when no option is eligible and priced."""
    best = s.best
    if best is None:
        return None
    m = best.metrics
    text = (f"at {figure('total_cost_per_success', m['total_cost_per_success'], currency)} total per successful "
            f"outcome ({figure('cost_per_success', m['cost_per_success'], currency)} from AI and review), "
            f"{figure('monthly_cost', m['monthly_cost'], currency)}/month, ROI {figure('roi', m['roi'])}")
    return best.id, f"{text} (ranked by {METRIC_NAMES[s.rank_by]})"


def figure(metric: str | None, x: float | None, currency: str = "USD") -> str:
    """A metric's value as shown: a percentage for ROI, else money."""
    from aicost.report.numbers import money, pct

    if x is None or x != x or x in (float("inf"), float("-inf")):
        return "—"
    if metric == "latency_seconds":
        return f"{x:,.1f} s"
    return pct(x) if metric == "roi" else money(x, currency)


def _spend(n: Notice) -> str:
    cur = n["currency"]
    a, lim, end = figure("monthly_cost", n["actual"], cur), figure("monthly_cost", n["limit"], cur), \
        figure("monthly_cost", n["month_end"], cur)
    head = f"spent {a} in {n['month']} (to {n['through']})"
    if n.get("unpriced"):
        head += f", and {n['unpriced']:,} requests with no price (not counted: the spend is at least this)"
    if n["status"] == "failed":
        return f"{head}, over its monthly limit of {lim} by {figure('monthly_cost', n['actual'] - n['limit'], cur)}"
    tail = f"; at the trend the month ends at {end}"
    if n["status"] == "warning":
        return f"{head}, within its limit of {lim} so far{tail}" + (", over the limit" if n["month_end"] > n["limit"]
                                                                   else "")
    return f"{head}, within its limit of {lim}{tail}"


def _budget(n: Notice) -> str:
    metric, kind, actual, limit, cur = n["metric"], n["kind"], n["actual"], n["limit"], n["currency"]
    what = ("latency" if metric == "latency_seconds" else metric.replace("_", " ")) + \
        (f" (P{n['percentile']})" if n["percentile"] else "")
    a, lim = figure(metric, actual, cur), figure(metric, limit, cur)
    if n.get("lower_bound"):  # no time to first token in the tables: the estimate is a floor
        a = f"at least {a}"
    if n["status"] == "failed":
        if kind == "max":
            rel = f" (+{(actual - limit) / limit:.1%})" if limit > 0 else ""
            text = f"{what} {a} is over the budget of {lim} by {figure(metric, actual - limit, cur)}{rel}"
        else:
            text = f"{what} {a} is below the minimum of {lim}"
    elif n["status"] == "warning":
        text = f"{what} {a} is past the warning level {figure(metric, n['warn_level'], cur)} (limit {lim})"
    else:
        text = f"{what} {a} is within the {'budget' if kind == 'max' else 'minimum'} of {lim}"
    if n["ineligible"] is not None:
        text += f"; note: {n['option']} is ineligible here ({plain(n['ineligible'])})"
    return text


def _rule(allowed: str | float) -> str:
    return allowed if isinstance(allowed, str) else f"{allowed:g}"


def _increase(n: Notice) -> str:
    metric, was, now, cur = n["metric"], n["was"], n["now"], n["currency"]
    change = now - was
    rel = f" ({change / was:+.1%})" if was else ""
    text = (f"{metric.replace('_', ' ')} went from {figure(metric, was, cur)} to {figure(metric, now, cur)}: "
            f"{'+' if change >= 0 else '−'}{figure(metric, abs(change), cur)}{rel}, allowed +{_rule(n['allowed'])}")
    if n["baseline_option"]:
        text += f" (the baseline judged {n['baseline_option']})"
    return text


#: Why usage rows are unpriced (the codes of aicost.usage.price.STATUS).
UNPRICED_USAGE = {"unknown_model": "unknown model",
                  "no_price_on_tier": "no price on this tier on this day",
                  "fast_mode": "Anthropic's fast mode, which the price tables do not price",
                  "not_served": "the model was not served on this day (before its release or from its retirement, "
                                "as the price table dates them)",
                  "no_price_for_token_kind": "no price for a token kind it uses (cached input or 1-hour cache write)",
                  "no_price_for_tool": "no price for a tool it calls",
                  "priced_by_contract": "a tier priced by contract, with no per-token price (OpenAI Scale Tier: "
                                        "prepaid token-per-minute units, https://openai.com/api-scale-tier/)",
                  "no_price_in_geography": "no price for this model in this inference geography (the tables "
                                           "price US-only inference for Claude 4.6 and later only)",
                  "no_public_price": "a tier with no published per-token price (Anthropic's priority_on_demand and "
                                     "flex_discount usage tiers)",
                  "no_price_for_unit": "no price for a unit it uses on this tier (audio, speech, images), or generated "
                                       "images without the size and quality that price them"}

GPU_REASONS = {"too_slow": "too slow for the latency need", "latency_over_need": "estimated latency exceeds the need",
               "over_rate_limit": "over a rate limit", "context_too_long": "the prompt exceeds the context window",
               "not_offered": "not offered", "below_min_success": "succeeds less often than quality.min_success",
               "over_silent_failure": "fails unnoticed more often than quality.max_silent_failure",
               "media_self_hosted": "the steps send or make audio or images, which a self-hosted open text model "
                                    "is not priced for"}


def say(n: Notice) -> str:
    """One notice as a sentence (on a request mix, naming the segment it holds on)."""
    text = SAY[n.code](n)
    return f"on segment '{n.get('segment')}': {text}" if n.get("segment") else text


def says(notices: Iterable[Notice]) -> list[str]:
    return [say(n) for n in notices]


def reason(o: Any) -> str | None:
    """Why an option is ineligible or unpriced, as one line (``None`` when it is ok)."""
    return "; ".join(say(n) for n in o.reasons) or None


def plain(x: Any) -> Any:
    """A result's data with every notice in words (for JSON and DataFrames)."""
    if isinstance(x, Notice):
        return say(x)
    if isinstance(x, Because):
        return "; ".join(say(n) for n in x) or None
    if isinstance(x, dict):
        return {k: plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [plain(v) for v in x]
    return x
