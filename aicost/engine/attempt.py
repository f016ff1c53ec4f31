"""One attempt on each hosted row: cost by meter, tokens, latency and the flags of what has no
price, over every step and turn (the arrays broadcast over sweep points and samples)."""

from __future__ import annotations

from typing import Any

import numpy as np

from aicost.base.constants import MEDIA_METERS
from aicost.engine import formulas as F
from aicost.engine import media
from aicost.engine.plan import RATE_KEYS, Plan

TEXT_METERS = ("input", "cached_input", "cache_write", "output", "reasoning")
#: Every usage meter of a hosted attempt: text tokens, then audio, speech, images and embeddings.
METERS = (*TEXT_METERS, *MEDIA_METERS)


def pt(x: Any) -> np.ndarray:
    """A scenario number as an array that broadcasts against (options, points)."""
    a = np.asarray(x, dtype=float)
    return a.reshape(1, -1) if a.ndim == 1 else a


def attempt_rows(plan: Plan, values: dict, tokens_wanted: bool = True, latency_wanted: bool = True) -> dict[str, Any]:
    """Per hosted row: one attempt's cost by meter, tokens, latency and the unpriced flags
    (``tokens_wanted=False``: the token counts are left at 0, ``latency_wanted=False`` the latency,
    for a figure that reads none)."""
    nr = len(plan.rows)
    h = pt(values["caching"]["hit_rate"])
    tb = values["tier_behaviour"]
    flex_std = tb["on_flex_refusal"] == "standard"
    batch_std = tb["on_batch_expiry"] == "standard"
    cost: dict[str, Any] = {m: 0.0 for m in (*METERS, "tools")}
    tokens: dict[str, Any] = {m: 0.0 for m in METERS}
    flags = {k: np.zeros((nr, 1), bool) for k in ("need_cached", "need_long", "too_long", "no_web", "no_file",
                                                   "no_code", "no_fallback", "no_media")}
    latency: Any = 0.0
    lower = np.zeros((nr, 1), bool)
    from aicost.engine.traffic import footprints  # (it imports pt from here)

    feet = footprints(plan, values)
    for s, step in enumerate(values["attempt"]["steps"]):
        a = plan.steps[s]
        calls = pt(step["calls"])
        turns = pt(step["turns"])
        i0 = pt(step["input_tokens"])
        out, reas = pt(step["output_tokens"]), pt(step["reasoning_tokens"])
        fin: Any = 1.0
        foot = feet[s]
        if foot is not None:  # each row's model: its tokenizer, verbosity and effort level
            fin, out, reas = foot["input"], out * foot["output"], foot["reasoning"]
            i0 = i0 * fin
        per_turn_new = pt(step["turn_input_tokens"]) * fin + out  # a later turn adds its input and the last answer
        web = pt(step["web_searches"])
        content_tokens = 0.0 if step["search_content_tokens"] is None else pt(step["search_content_tokens"])
        search_tokens = web * np.where(a["web_content"] == 2.0, a["web_block"],
                                       np.where(a["web_content"] == 1.0, content_tokens, 0.0))
        share = np.where(a["flex"], pt(tb["flex_refusal_share"]) if flex_std else 0.0, 0.0)
        share = np.where(a["batch"], pt(tb["batch_expiry_share"]) if batch_std else 0.0, share)
        max_turns = int(np.max(turns)) if np.size(turns) else 1
        has_media = media.uses_media(step)
        emb = a["embedding"] > 0  # an embedding model's input tokens are its own meter
        any_emb = bool(np.any(emb))
        for t in range(1, max_turns + 1):
            on = turns >= t  # this turn happens (for points where turns < t it is skipped)
            history = (t - 1) * per_turn_new
            inp = i0 + history + pt(step["retrieved_tokens"]) * fin + search_tokens
            cacheable = pt(step["cached_prefix_tokens"]) * fin if t == 1 else i0 + (t - 2) * per_turn_new
            long = inp > a["threshold"]
            fresh, cached, written = F.call_tokens(inp, cacheable, h, plan.caching, a["min_cache"])
            if np.any(long):
                tier_rates = {k: np.where(long, a[f"long_{k}"], a[k]) for k in RATE_KEYS}
            else:  # no prompt reaches a long-context threshold: the base rates throughout
                tier_rates = {k: a[k] for k in RATE_KEYS}
            c_tier = F.call_cost(fresh, cached, written, out, reas, tier_rates)
            weight = calls * on
            if np.any(share > 0):
                std_rates = {k: np.where(long, a[f"std_long_{k}"], a[f"std_{k}"]) if np.any(long) else a[f"std_{k}"]
                             for k in RATE_KEYS}
                c_std = F.call_cost(fresh, cached, written, out, reas, std_rates)
                c = {m: np.where(share > 0, (1 - share) * c_tier[m] + share * c_std[m], c_tier[m]) for m in TEXT_METERS}
                flags["no_fallback"] = flags["no_fallback"] | ((share > 0) & np.isnan(a["std_input"]))
            else:
                c = c_tier
            once = np.ndim(weight) == 0 and weight == 1.0  # one call of this turn at every point: as is
            for m, tok in zip(TEXT_METERS, (fresh, cached, written, out, reas)):
                # a call that is not made costs nothing, whatever its rates (0 x NaN would make it unpriced)
                add = c[m] if once else np.where(weight > 0, weight * c[m], 0.0)
                if m == "input" and any_emb:
                    cost["embedding"] = cost["embedding"] + np.where(emb, add, 0.0)
                    tokens["embedding"] = tokens["embedding"] + np.where(emb, weight * tok, 0.0)
                    add, tok = np.where(emb, 0.0, add), np.where(emb, 0.0, tok)
                cost[m] = cost[m] + add
                if tokens_wanted:
                    tokens[m] = tokens[m] + (tok if once else weight * tok)
            if has_media:
                mc, mq, bad, need_cached = media.turn(a, step, t, h, plan.caching, pt)
                for m in mc:
                    cost[m] = cost[m] + np.where(weight > 0, weight * mc[m], 0.0)
                    tokens[m] = tokens[m] + weight * mq[m]
                flags["no_media"] = flags["no_media"] | (bad & (weight > 0))
                flags["need_cached"] = flags["need_cached"] | (need_cached & (weight > 0))
            # flags are per point: a swept or sampled input can make an option unpriced at some points only
            # no cached-input rate where the tier has an input rate (a missing long-context price is its
            # own reason, not a missing cache price)
            flags["need_cached"] = flags["need_cached"] | (on & (cached > 0) & np.isnan(tier_rates["cached_input"])
                                                           & ~np.isnan(tier_rates["input"]) & (calls > 0))
            flags["need_long"] = flags["need_long"] | (on & long & np.isnan(a["long_input"]) & (calls > 0))
            flags["too_long"] = flags["too_long"] | (on & (inp > a["context_window"]) & (calls > 0))
        n_turns = calls * turns
        fees: Any = 0.0
        for count, fee, flag in ((web, a["web_fee"], "no_web"), (pt(step["file_searches"]), a["file_fee"], "no_file"),
                                 (pt(step["code_sessions"]), a["code_fee"], "no_code")):
            used = (count > 0) & (calls > 0)
            flags[flag] = flags[flag] | (used & np.isnan(fee))
            with np.errstate(all="ignore"):
                fees = fees + np.where(used, n_turns * count * fee, 0.0)
        cost["tools"] = cost["tools"] + fees
        if not latency_wanted:
            continue
        with np.errstate(all="ignore"):  # a missing time to first token counts as 0: a lower bound
            per_call = np.nan_to_num(a["ttft"], nan=0.0) + (out + reas) / a["speed"]
        lower = lower | (np.isnan(a["ttft"]) & (calls > 0))
        # per turn: a user waits for each answer; a step that is not called adds nothing
        latency = latency + np.where(calls > 0, calls * (per_call + pt(step["tool_seconds"])), 0.0)
    return {"cost": cost, "tokens": tokens, "flags": flags, "latency": latency, "latency_lower_bound": lower}
