"""The economics of ``domain.md``, written once over numpy arrays that broadcast.

Every function takes arrays (or floats) and returns arrays; one scenario, a million-point
sweep and Monte Carlo samples all go through these same lines. Money is in the price
table's currency; token rates are per 1M tokens. Missing prices are NaN and make only the
results that need them NaN (callers report those as unpriced, never as $0).
"""

from __future__ import annotations

import numpy as np

from aicost.base.constants import HOURS_PER_MONTH, TOKENS_PER_MTOK  # noqa: F401  (HOURS_PER_MONTH re-exported)

MTOK = float(TOKENS_PER_MTOK)


def _where_used(amount, rate):
    """``amount * rate`` where amount > 0, else 0: a missing (NaN) rate only matters if used."""
    amount = np.asarray(amount, dtype=float)
    if not np.isnan(rate).any():
        return amount * rate
    with np.errstate(all="ignore"):
        return np.where(amount > 0, amount * rate, 0.0)


def call_tokens(input_tokens, cached_prefix, hit_rate, caching_on, min_cache_tokens):
    """Split one call's prompt into fresh, cache-read and cache-write tokens.

    ::

        cacheable = C if C >= min_cache_tokens else 0      (0 when caching is off)
        cached    = h * cacheable
        written   = (1 - h) * cacheable
        fresh     = I - cached - written

    Example: I = 3,000, C = 2,000, h = 0.8, minimum 1,024 -> cached 1,600, written 400,
    fresh 1,000.
    """
    cacheable = np.where(np.asarray(cached_prefix) >= min_cache_tokens, cached_prefix, 0.0) * caching_on
    cached = hit_rate * cacheable
    written = (1.0 - hit_rate) * cacheable
    fresh = input_tokens - cached - written
    return fresh, cached, written


def call_cost(fresh, cached, written, output_tokens, reasoning_tokens, rates):
    """Cost of one call by meter, from token counts and per-1M rates.

    ::

        cost = ( fresh * input + cached * cached_input + written * cache_write
               + O * output + R * reasoning ) / 1e6  (MTOK)

    ``rates`` maps ``input, cached_input, cache_write, output, reasoning`` to arrays; a
    missing rate is NaN. Returns a dict of per-meter costs (same keys).
    Example: 1,000 fresh at $1.25, 1,600 cached at $0.125, 400 written at $1.25 and 300
    output at $10 -> 0.00125 + 0.0002 + 0.0005 + 0.003 = $0.00495.
    """
    return {
        "input": _where_used(fresh, rates["input"]) / MTOK,
        "cached_input": _where_used(cached, rates["cached_input"]) / MTOK,
        "cache_write": _where_used(written, rates["cache_write"]) / MTOK,
        "output": _where_used(output_tokens, rates["output"]) / MTOK,
        "reasoning": _where_used(reasoning_tokens, rates["reasoning"]) / MTOK,
    }


def retry_outcomes(p, d, k):
    """Expected attempts and outcome probabilities of the retry model.

    A failed attempt is caught with probability ``d`` and retried while attempts remain
    (at most ``k``); otherwise it slips through. With ``q = (1 - p) * d``::

        A = (1 - q^k) / (1 - q)      (A = k when q = 1)
        S = p * A                    success
        U = (1 - p) * (1 - d) * A    silent failure
        G = q^k                      given up;  S + U + G = 1

    Example: p = 0.8, d = 1, k = 3 -> q = 0.2, A = 1.24, S = 0.992, U = 0, G = 0.008.
    """
    p = np.asarray(p, dtype=float)
    q = (1.0 - p) * d
    qk = q**k
    with np.errstate(all="ignore"):
        a = np.where(q < 1.0, (1.0 - qk) / np.where(q < 1.0, 1.0 - q, 1.0), k * np.ones_like(q))
    s = p * a
    u = (1.0 - p) * (1.0 - d) * a
    return a, s, u, qk


def caught_share(p, d, f):
    """The share of failed attempts caught, with failures split by kind: a share ``f`` of attempts
    fails on format (a parser or schema catches every one), the rest of the failures on content
    (caught at ``d``). ``f`` is at most the failures, ``1 - p``::

        d_eff = (f + (1 - p - f) * d) / (1 - p)      (d where p = 1)

    Example: p = 0.9, f = 0.04, d = 0.5 -> (0.04 + 0.06 * 0.5) / 0.1 = 0.7.
    """
    p, d, f = (np.asarray(x, dtype=float) for x in (p, d, f))
    if not np.any(f):
        return d
    fail = 1.0 - p
    f = np.minimum(f, fail)
    with np.errstate(all="ignore"):
        return np.where(fail > 0, (f + (fail - f) * d) / np.where(fail > 0, fail, 1.0), d)


def task_costs(attempts, cost_attempt, s, u, g, review_share, cost_per_review, human_cost_per_task):
    """Per-task costs: AI, review of delivered outputs, and people finishing given-up tasks.

    ::

        ai_cost       = A * cost_attempt
        review_cost   = review_share * (S + U) * cost_per_review
        fallback_cost = G * human_cost_per_task
    """
    ai = attempts * cost_attempt
    review = review_share * (s + u) * cost_per_review
    fallback = g * human_cost_per_task
    return ai, review, fallback


def per_outcome(ai, review, fallback, s, g, per_resolved: bool = True):
    """The two headline figures; NaN where undefined (no success, nothing resolved).

    ::

        cost per successful outcome = (ai_cost + review_cost) / S
        cost per resolved task      = task_cost / (S + G)

    ``per_resolved=False``: the first only (the second NaN), for a caller that reads no other.
    """
    with np.errstate(all="ignore"):
        cps = np.where(s > 0, (ai + review) / np.where(s > 0, s, 1.0), np.nan)
        if not per_resolved:
            return cps, np.nan
        resolved = s + g
        cprt = np.where(resolved > 0, (ai + review + fallback) / np.where(resolved > 0, resolved, 1.0), np.nan)
    return cps, cprt


def monthly_and_roi(tasks, variable, fixed, s, value_per_success, baseline_cost, build_cost, horizon,
                    with_payback: bool = True):
    """Monthly cost, benefit, ROI over the horizon and payback in months.

    ``variable`` is the month's cost that scales with the work: ``tasks * task_cost`` for a
    hosted API; for rented GPUs, the fleet's cost plus the people costs per task.

    ::

        monthly_cost = variable + fixed
        benefit      = tasks * S * value_per_success        (value mode)
                     = tasks * baseline_cost_per_task       (people-baseline mode)
        net          = benefit - monthly_cost
        ROI          = (H * net - build) / (build + H * monthly_cost)
        payback      = build / net months   (undefined when net <= 0)

    Exactly one of ``value_per_success`` / ``baseline_cost`` is given (the other is None).
    In baseline mode the people costs that remain (reviews, fallback) are already inside
    ``monthly_cost``, so they are subtracted once. ``with_payback=False``: payback left NaN.
    """
    monthly = variable + fixed
    if value_per_success is not None:
        benefit = tasks * s * value_per_success
    else:
        benefit = tasks * baseline_cost * np.ones_like(s)
    net = benefit - monthly
    with np.errstate(all="ignore"):
        denom = build_cost + horizon * monthly
        roi = np.where(denom > 0, (horizon * net - build_cost) / np.where(denom > 0, denom, 1.0), np.nan)
        payback = np.where(net > 0, build_cost / np.where(net > 0, net, 1.0), np.nan) if with_payback else np.nan
    return monthly, benefit, net, roi, payback


def total_per_success(monthly, build_cost, horizon, tasks, s):
    """Total cost per successful outcome: everything the month costs for an option, over the
    month's successful outcomes -- the figure that ranks options by default.

    ::

        total_cost_per_success = (monthly_cost + build_cost / horizon) / (tasks * S)

    ``monthly`` already holds the AI, review and human-fallback costs, fixed costs, storage, GPU
    fleets, and a design variant's own monthly cost and one-time cost spread over the horizon.
    Units: currency per successful outcome. Undefined (NaN) when there are no successful outcomes
    (``tasks * S = 0``) or no horizon.

    Worked example (the README's): monthly $768.276, build $2,000 over 12 months, 10,000 tasks at
    S = 0.992: (768.276 + 166.667) / 9,920 = $0.0942483 per successful outcome, against $0.0512375
    from AI and review alone.
    """
    with np.errstate(all="ignore"):
        outcomes = tasks * s
        spread = np.where(horizon > 0, build_cost / np.where(horizon > 0, horizon, 1.0), np.nan)
        return np.where(outcomes > 0, (monthly + spread) / np.where(outcomes > 0, outcomes, 1.0), np.nan)
