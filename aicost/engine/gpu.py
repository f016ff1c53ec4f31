"""Serving an open model on rented GPUs: memory fit, throughput, fleet size and monthly cost.

The "Rented GPUs" section of domain.md. Static choices (replica size, which measured profile)
are made once per option; the monthly arithmetic runs over numpy arrays like the rest of the
engine, so sweeps and samples reuse it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aicost.base.constants import HOURS_PER_MONTH

#: Share of device memory available for weights and KV cache (the rest: activations,
#: CUDA graphs, fragmentation). vLLM's default gpu_memory_utilization is 0.9.
MEMORY_USABLE = 0.9
#: Sequences that must fit at once for a replica to count as serving (memory fit).
MIN_BATCH = 8
#: Efficiencies of the nominal roofline (gpu-economics.md §2.3: MBU 0.5-0.6 at small batch,
#: prefill MFU 0.5-0.7); calibrated per engine and GPU in :mod:`aicost.engine.throughput`.
MBU, MFU_DECODE, MFU_PREFILL = 0.6, 0.5, 0.6
KV_BYTES = {"fp8": 1.0}  # KV cache bytes per element by precision; 2 (BF16/FP16) otherwise


def weight_bytes(model, precision: str) -> float:
    return model.params_b * 1e9 * model.weight_bytes[precision]


def kv_bytes_per_token(model, precision: str) -> float:
    """K and V of one token in one layer: 2 x kv_heads x head_dim x bytes per element."""
    return 2.0 * model.kv_heads * model.head_dim * KV_BYTES.get(precision, 2.0)


def kv_bytes(model, precision: str, context_tokens: float) -> float:
    """The KV cache of one sequence of ``context_tokens``: full-attention layers hold every token,
    sliding-window layers at most their window.

    ::

        KV = per_token x (full_layers x ctx + sliding_layers x min(ctx, window))

    Example: gpt-oss-20b (24 layers, half of them on a 128-token window; 8 KV heads of 64, BF16 KV)
    at 8,000 tokens: 2,048 B x (12 x 8,000 + 12 x 128) = 199.8 MB, not the 393.2 MB of 24 full layers.
    """
    sliding: int = getattr(model, "sliding_layers", 0) or 0
    window: float = getattr(model, "sliding_window", None) or context_tokens  # (no window: nothing is capped)
    held = (model.layers - sliding) * context_tokens + sliding * min(context_tokens, window)
    return kv_bytes_per_token(model, precision) * held


def min_gpus(model, gpu, precision: str, context_tokens: float, max_gpus: int = 8) -> int | None:
    """Smallest tensor-parallel group (1, 2, 4, 8, ...) that holds the weights plus the KV cache
    of ``MIN_BATCH`` sequences of ``context_tokens``; None when even ``max_gpus`` cannot.

    Example: Llama 3.3 70B in BF16 is 141 GB of weights; one 80 GB GPU offers 72 GB, so it
    does not fit; with 8 x 6,000-token sequences of KV (16 GB) it needs 4 GPUs.
    """
    need = weight_bytes(model, precision) + MIN_BATCH * kv_bytes(model, precision, context_tokens)
    n = 1
    while n <= max_gpus:
        if need <= n * gpu.memory_gb * 1e9 * MEMORY_USABLE:
            return n
        n *= 2
    return None


def _flops(gpu, precision: str) -> float:
    if precision == "fp8" and gpu.fp8_tflops:
        return gpu.fp8_tflops * 1e12
    return gpu.bf16_tflops * 1e12


def seconds_per_request(base_seconds, prefill_share, base_in, base_out, input_tokens, output_tokens):
    """Replica-seconds per request at other lengths: the measured (or estimated) time at the
    profile's lengths, its prefill part scaled by input and its decode part by output tokens.

    ::

        t = t_p * (a * I / I_p + (1 - a) * O / O_p)
    """
    return base_seconds * (prefill_share * input_tokens / base_in + (1.0 - prefill_share) * output_tokens / base_out)


#: Hours of a billing increment at or above which a fleet cannot follow the day (a term: reserved).
MONTH_HOURS = HOURS_PER_MONTH


def day_shape(peak_to_average, hours=None) -> np.ndarray:
    """The day's load by hour, mean 1 (last axis 24). Given ``hours`` (24 figures), those scaled
    to mean 1; else a working day from ``peak_to_average``: the peak for ``min(8, 24 / peak)``
    hours from 09:00 and an even load the rest of the day.

    Example: peak_to_average 2 gives 8 hours at 2.0 and 16 at 0.5 (mean 1).
    """
    if hours is not None:
        h = np.asarray(hours, dtype=float)
        return h / h.mean()
    ptoa = np.asarray(peak_to_average, dtype=float)[..., None]
    h_p = np.minimum(8.0, 24.0 / ptoa)
    full, frac = np.floor(h_p), h_p - np.floor(h_p)
    with np.errstate(all="ignore"):
        base = np.where(h_p < 24.0, np.maximum(0.0, (24.0 - h_p * ptoa) / (24.0 - h_p)), 1.0)
    idx = np.arange(24) - 9.0
    return np.where((idx >= 0) & (idx < full), ptoa,
                    np.where(idx == full, ptoa * frac + base * (1.0 - frac), base))


def day_columns(peak_to_average, hours=None) -> tuple[np.ndarray, np.ndarray]:
    """The day as runs of equal load in order around the clock: (loads, hours each lasts), on a
    last axis. A stated day: its own runs; a working day from ``peak_to_average`` (an array when it
    is sampled): three runs, the peak, the hour that leaves it, and the rest of the day. The same
    day as :func:`day_shape`, hour for hour."""
    if hours is not None:
        return _runs(day_shape(None, hours))
    ptoa = np.asarray(peak_to_average, dtype=float)
    h_p = np.minimum(8.0, 24.0 / ptoa)
    full, frac = np.floor(h_p), h_p - np.floor(h_p)
    with np.errstate(all="ignore"):
        base = np.where(h_p < 24.0, np.maximum(0.0, (24.0 - h_p * ptoa) / (24.0 - h_p)), 1.0)
    leaving = ptoa * frac + base * (1.0 - frac)
    peak = np.where(full > 0, ptoa, leaving)  # no whole hour at the peak: the hour that leaves it is the top
    loads = np.stack([peak, leaving, base], axis=-1)
    return loads, np.stack([full, np.ones_like(full), 23.0 - full], axis=-1)


def _gpus_for(replicas, gpus_per_replica, gpus_per_instance):
    """GPUs rented for whole instances holding ``replicas`` (an instance holds floor(per_instance /
    per_replica) replicas; a replica bigger than an instance takes whole instances)::

        GPUs = ceil(replicas / per) x unit,   per = floor(per_instance / per_replica), unit = per_instance
                                              (a bigger replica: per = 1, unit = ceil(per_replica / per_instance) x per_instance)
    """
    gpr, gpi = np.asarray(gpus_per_replica, dtype=float), np.asarray(gpus_per_instance, dtype=float)
    with np.errstate(all="ignore"):
        small = gpr <= gpi
        per = np.where(small, np.maximum(np.floor(gpi / gpr), 1.0), 1.0)
        unit = np.where(small, gpi, np.ceil(np.round(gpr / gpi, 9)) * gpi)
        return np.ceil(np.round(replicas / per, 9)) * unit


def fleet(busy_replica_hours, gpus_per_replica, gpus_per_instance, always_on, min_replicas, target_util,
          day, increment_hours=1.0, cold_start_hours=0.0, lean: bool = False):
    """Paid GPU-hours a month, replicas, utilisation and the GPUs held at the day's peak (arrays
    broadcast; ``day``: the load by hour,
    mean 1, on a last axis of 24).

    ::

        replicas(h)  = max(min, ceil(busy / 730 * day(h) / target))        autoscaled, hour by hour
        replicas     = max(min, ceil(busy / 730 * max(day) / target))      always-on, all month
        GPUs         = whole instances holding those replicas
        billed       = GPUs held in each billing increment at the increment's peak (a term such as
                       a reservation: the month's peak all month), plus cold_start x GPUs started
        GPU-hours    = sum over the day x 730 / 24

    ``lean``: replicas and utilisation left out (NaN), for a caller that reads neither.
    """
    busy = np.asarray(busy_replica_hours, dtype=float)
    gpr = np.asarray(gpus_per_replica, dtype=float)
    inc = np.asarray(increment_hours, dtype=float)
    if isinstance(day, tuple) and not np.any((inc > 1) & (inc < 24)):
        return _fleet_by_runs(busy, gpr, np.asarray(gpus_per_instance, dtype=float), np.asarray(always_on),
                              np.asarray(min_replicas, dtype=float), np.asarray(target_util, dtype=float),
                              day, inc, np.asarray(cold_start_hours, dtype=float), lean)
    if isinstance(day, tuple):
        raise ValueError("billing windows need the day hour by hour (day_shape), not its runs")
    held, replicas_h, hours = held_gpus(busy, gpus_per_replica, gpus_per_instance, always_on, min_replicas,
                                        target_util, day, increment_hours)
    with np.errstate(all="ignore"):
        cols = range(held.shape[-1])  # a few runs of the day: column by column beats a reduction over them
        started = sum(np.maximum(held[..., c] - held[..., c - 1], 0.0) for c in cols)
        gpu_hours = (sum(held[..., c] * hours[c] for c in cols) + started * np.asarray(cold_start_hours)) \
            * HOURS_PER_MONTH / 24.0
        replicas = sum(replicas_h[..., c] * hours[c] for c in cols) / 24.0
        utilisation = np.where(gpu_hours > 0, busy * gpr / np.where(gpu_hours > 0, gpu_hours, 1), 0.0)
        peak = _top(held)
    return gpu_hours, replicas, utilisation, peak


def _fleet_by_runs(busy, gpr, gpi, always_on, min_replicas, target_util, day, inc, cold_start_hours, lean=False):
    """:func:`fleet` over the day's runs one at a time, never holding (options, points, runs)."""
    loads, hours = day
    runs = np.shape(loads)[-1]
    mean = busy / HOURS_PER_MONTH
    keep = runs <= 6  # a few runs: each computed once and kept; many: computed again rather than held
    with np.errstate(all="ignore"):
        kept: dict[int, Any] = {}

        def replicas_at(c):
            if c in kept:
                return kept[c]
            r = _replicas(mean, loads[..., c], min_replicas, target_util)
            if keep:
                kept[c] = r
            return r

        top = replicas_at(0)
        for c in range(1, runs):
            top = np.maximum(top, replicas_at(c))
        top_gpus = _gpus_for(top, gpr, gpi)
        whole_day = always_on | (inc >= 24)  # a term or a day's block: the day's peak all day

        def held_at(c):
            r = replicas_at(c)
            return np.where(always_on, top, r), np.where(whole_day, top_gpus, _gpus_for(r, gpr, gpi))

        last = held_at(runs - 1)
        prev = last[1]
        gpu_sum: Any = 0.0
        replica_sum: Any = 0.0
        started: Any = 0.0
        for c in range(runs):
            r, g = last if c == runs - 1 else held_at(c)
            gpu_sum = gpu_sum + g * hours[..., c]
            if not lean:
                replica_sum = replica_sum + r * hours[..., c]
            started = started + np.maximum(g - prev, 0.0)
            prev = g
        gpu_hours = (gpu_sum + started * cold_start_hours) * HOURS_PER_MONTH / 24.0
        if lean:
            return gpu_hours, np.nan, np.nan, top_gpus
        replicas = replica_sum / 24.0
        utilisation = np.where(gpu_hours > 0, busy * gpr / np.where(gpu_hours > 0, gpu_hours, 1), 0.0)
    return gpu_hours, replicas, utilisation, top_gpus


def _replicas(mean, load, min_replicas, target_util):
    """Replicas to serve a load: ``max(min, ceil(mean x load / target))`` (rounded first, so a whole
    number computed in floating point is not pushed up by its last bit)."""
    return np.maximum(min_replicas, np.ceil(np.round(mean * load / target_util, 9)))


def _top(x: np.ndarray) -> np.ndarray:
    """The largest over the last axis, column by column (a few columns: faster than a reduction)."""
    out = x[..., 0]
    for c in range(1, x.shape[-1]):
        out = np.maximum(out, x[..., c])
    return out


def _runs(day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A day's hours merged into runs of equal load, in order around the clock: (loads, hours)."""
    loads: list[float] = []
    hours: list[float] = []
    for v in day:
        if loads and v == loads[-1]:
            hours[-1] += 1.0
        else:
            loads.append(float(v))
            hours.append(1.0)
    if len(loads) > 1 and loads[0] == loads[-1]:  # the night runs across midnight: one run
        hours[-1] += hours.pop(0)
        loads.pop(0)
    return np.asarray(loads), np.asarray(hours)


def held_gpus(busy_replica_hours, gpus_per_replica, gpus_per_instance, always_on, min_replicas, target_util, day,
              increment_hours=1.0):
    """GPUs held through the day and the replicas they serve, with the hours each column lasts
    (last axis: the day's runs of equal load in order, or its 24 hours; see :func:`fleet`)."""
    busy = np.asarray(busy_replica_hours, dtype=float)
    day = np.asarray(day, dtype=float)
    inc = np.asarray(increment_hours, dtype=float)
    if day.ndim == 1 and not np.any((inc > 1) & (inc < 24)):  # a fixed day: its runs of equal load suffice
        day, hours = _runs(day)
    else:
        hours = np.ones(24)
    mean = busy / HOURS_PER_MONTH
    gpr, gpi = np.asarray(gpus_per_replica, dtype=float), np.asarray(gpus_per_instance, dtype=float)
    with np.errstate(all="ignore"):
        replicas_h = _replicas(mean[..., None], day, np.asarray(min_replicas, dtype=float)[..., None],
                               np.asarray(target_util)[..., None])
        top = _top(replicas_h)[..., None]
        replicas_h = np.where(np.asarray(always_on)[..., None], top, replicas_h)
        gpus_h = _gpus_for(replicas_h, gpr[..., None], gpi[..., None])
        inc = np.broadcast_to(inc, gpus_h.shape[:-1])
        held = gpus_h
        for value in np.unique(inc[inc > 1]):  # an increment over an hour holds each window at its peak
            width = next((w for w in (2, 3, 4, 6, 8, 12) if value <= w), 24)
            rows = inc == value
            part = gpus_h[rows]
            if width == 24:
                win = np.broadcast_to(np.max(part, axis=-1, keepdims=True), part.shape)
            else:
                win = np.repeat(np.max(part.reshape(len(part), 24 // width, width), axis=-1), width, axis=-1)
            held = held.copy() if held is gpus_h else held
            held[rows] = win
    return held, replicas_h, hours
