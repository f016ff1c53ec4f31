"""Helpers of the evaluation: the retry outcomes of rows and self-hosted options, and array
splicing (kept apart from aicost.engine.evaluate)."""

from __future__ import annotations

from typing import Any

import numpy as np

from aicost.base.constants import DAYS_PER_MONTH, MEDIA_METERS, MEDIA_TOKEN_METERS
from aicost.engine import formulas as F
from aicost.engine.attempt import pt


def _quality(values: dict, source: tuple, key: str) -> np.ndarray:
    """p_success, detection_rate, attempts_allowed or format_failure_rate of one row or self-hosted
    option: a stage's own figure, then its effort level's, then the model's, then quality's."""
    q = values["quality"]
    v, level = None, None
    if source[0] == "stage":
        _, cascade, i, model = source
        stage = values["cascades"][cascade]["stages"][i]
        v, level = stage.get(key), stage.get("effort")
        m = values["models"].get(model) or {}
    elif source[0] == "models":
        m = values["models"][source[1]]
        level = source[2] if len(source) > 2 else None
    elif source[0] == "failover":  # resilience.failover: its own p_success, else the model's
        fo = (values.get("resilience") or {}).get("failover") or {}  # (a mix's load is measured without it)
        v = fo.get(key) if key == "p_success" else None
        m = values["models"].get(source[1]) or {}
    else:
        m = values["self_hosted"]["models"][source[1]]
    if v is None and level is not None:
        v = ((m.get("effort") or {}).get(level) or {}).get(key)
    if v is None:
        v = m.get(key)
    if v is None:
        v = q.get(key, 0.0)
    return pt(v)


def wide(a: Any, shape: tuple) -> np.ndarray:
    """``a`` seen as ``shape``: itself when it is an array of that shape, else a read-only
    broadcast view (np.broadcast_to costs more than the small arrays it is often given)."""
    return a if type(a) is np.ndarray and a.shape == shape else np.broadcast_to(a, shape)


def _stack(rows: list) -> np.ndarray:
    rows = [np.asarray(r, dtype=float) for r in rows]
    shape = np.broadcast_shapes(*(r.shape for r in rows)) if rows else (1,)
    return np.stack([np.broadcast_to(r, shape) for r in rows]).reshape(len(rows), -1)


def _outcomes(values: dict, sources: list[tuple]):
    if not sources:
        return [np.zeros((0, 1))] * 4
    uniq = list(dict.fromkeys(sources))  # a source asked many times (Designs.each): its figures read once
    p = _stack([_quality(values, s, "p_success") for s in uniq])
    d = _stack([_quality(values, s, "detection_rate") for s in uniq])
    k = _stack([_quality(values, s, "attempts_allowed") for s in uniq])
    f = _stack([_quality(values, s, "format_failure_rate") for s in uniq])
    out = F.retry_outcomes(p, F.caught_share(p, d, f), k)
    if len(uniq) == len(sources):
        return out
    where = {s: i for i, s in enumerate(uniq)}
    at = np.asarray([where[s] for s in sources])
    return [np.asarray(x)[at] for x in out]


def _named(want) -> tuple:
    """The figures ``evaluate``'s ``want`` names (none: the whole result)."""
    return () if want is None else (want,) if isinstance(want, str) else tuple(want)


def skipped(meters: bool, want) -> set[str]:
    """The optional parts (``_OPTIONAL``) no figure named needs: ``evaluate`` leaves them out."""
    return set() if meters or want is None else set(_OPTIONAL) - {n for w in _named(want) for n in _NEEDS.get(w, ())}


def latency_read(values: dict, want) -> bool:
    """Whether the hosted rows' latency is read: a need in seconds or minutes (its flags), or the
    figure itself named; a deadline in hours is judged by the tiers' own latency alone."""
    need = values["latency"]
    return "latency_seconds" in _named(want) or need.get("p95_seconds") is not None or \
        need.get("minutes") is not None


def fleet_lean(meters: bool, want) -> bool:
    """Whether the GPU fleets' replica counts and utilisation can be left out (NaN): figures named
    (``want``) and neither of them among them; they are a quarter of a GPU option's cost a point."""
    return not meters and want is not None and not {"replicas", "utilisation"} & set(_named(want))


def volume_per_option_ok(plan, values: dict) -> bool:
    """Whether ``evaluate`` takes a volume per option (a 2-D ``tasks_per_month``, one row per option
    of the plan in its own order, see ``Designs.each``): not where one option's load reaches
    another's figures (a request mix, provisioned spill, shared fine-tuning, failover)."""
    return not plan.segments and not (plan.ptu and np.any(plan.ptu["on"])) and not values.get("fine_tuning") \
        and not values.get("resilience")


def gpu_volumes(plan, values: dict, tasks):
    """The self-hosted rows' tasks a month: ``tasks`` itself, or its last rows where each option has
    its own volumes."""
    if np.ndim(tasks) < 2 or np.shape(tasks)[0] == 1:  # one volume for all (pt: a row of points)
        return tasks
    if not volume_per_option_ok(plan, values) or np.shape(tasks)[0] != len(plan.options):
        raise ValueError("a volume per option: only for a plan in its own order, without a request mix, "
                         "provisioned throughput, fine-tuning or failover")
    return tasks[len(plan.options) - len(plan.gpu_quality):]


def _put_tail(arr: np.ndarray, start: int, tail) -> np.ndarray:
    """A new (options, points) array: ``arr`` with rows ``start:`` replaced by ``tail``, as wide as
    the wider of the two."""
    arr = np.asarray(arr, dtype=float)
    width = np.broadcast_shapes((1, arr.shape[-1]), (1, np.shape(tail)[-1] if np.ndim(tail) == 2 else 1))[1]
    out = np.array(np.broadcast_to(arr, (arr.shape[0], width)))
    out[start:] = np.broadcast_to(tail, out[start:].shape)
    return out


def _finish(plan, out: dict, flags: dict, n: int) -> dict[str, Any]:
    full = np.broadcast_shapes(*(np.shape(v) for v in out.values()), *(np.shape(f) for f in flags.values()),
                               (n, 1))
    result: dict[str, Any] = {key: wide(np.asarray(v, dtype=float), full) for key, v in out.items()}
    result["flags"] = {key: wide(f, full) for key, f in flags.items()}
    if plan.select is not None:
        idx = np.asarray(plan.select, dtype=int)
        result = {k: (v[idx] if k != "flags" else {f: a[idx] for f, a in v.items()}) for k, v in result.items()}
    return result


#: The figures :func:`evaluate` computes only when they (or the whole result) are wanted.
_NEEDS = {"cost_per_success": ("per_outcome",), "cost_per_resolved_task": ("per_outcome", "resolved"),
          "total_cost_per_success": ("total",), "payback_months": ("roi", "payback"),
          **{k: ("roi",) for k in ("monthly_benefit", "net_monthly", "roi")}}
#: The parts :func:`evaluate` may leave out (the figures of ``_NEEDS``).
_OPTIONAL = frozenset({"per_outcome", "resolved", "roi", "payback", "total"})


def latency_need_seconds(latency: dict) -> np.ndarray:
    if latency.get("p95_seconds") is not None:
        return pt(latency["p95_seconds"])
    if latency.get("minutes") is not None:
        return pt(latency["minutes"]) * 60.0
    return pt(latency["deadline_hours"]) * 3600.0


#: The token meters that are input (what a Batch queue's enqueued-token limit counts).
INPUT_METERS = ("input", "cached_input", "cache_write", "embedding", "image_input", "cached_image_input",
                "audio_input", "cached_audio_input")


def _load(values: dict, tasks, A_load, tok_load: dict, unused: set, calls_per_attempt, lim: dict, strict: bool):
    """The busiest minute's requests and tokens, a day's input tokens, and where they are over the
    option's rate limits (per minute only when ``strict``: no resilience section takes the excess)."""
    peak = tasks * A_load / (F.HOURS_PER_MONTH * 60.0) * pt(values["volume"]["peak_to_average"])
    with np.errstate(all="ignore"):
        tokens_per_attempt = np.where(A_load > 0, sum(v for k, v in tok_load.items() if f"tok.{k}" not in unused and (
            k not in MEDIA_METERS or k in MEDIA_TOKEN_METERS)) / A_load, 0.0)
        # every input token a Batch queue holds: text, embedding, image and audio input
        input_per_attempt = np.where(A_load > 0, sum(tok_load[k] for k in INPUT_METERS if f"tok.{k}" not in unused)
                                     / A_load, 0.0)
    peak_rpm, peak_tpm = peak * calls_per_attempt, peak * tokens_per_attempt
    daily_input = tasks * A_load * input_per_attempt / DAYS_PER_MONTH
    # with resilience: stated, the requests over a per-minute limit fail over or are lost (priced above)
    over = (daily_input > lim["queue"]) | (((peak_rpm > lim["rpm"]) | (peak_tpm > lim["tpm"])) & strict)
    return peak_rpm, peak_tpm, daily_input, over
