"""Serving an open model on rented GPUs: memory fit, throughput, fleet size and monthly cost.

The "Rented GPUs" section of domain.md. Static choices (replica size, which measured profile)
are made once per option; the monthly arithmetic runs over numpy arrays like the rest of the
engine, so sweeps and samples reuse it.
"""

from __future__ import annotations

import math

import numpy as np

from aicost.base.constants import HOURS_PER_MONTH

#: Share of device memory available for weights and KV cache (the rest: activations,
#: CUDA graphs, fragmentation). vLLM's default gpu_memory_utilization is 0.9.
MEMORY_USABLE = 0.9
#: Sequences that must fit at once for a replica to count as serving (memory fit).
MIN_BATCH = 8
#: Efficiencies for the roofline estimate (gpu-economics.md §2.3: MBU 0.5-0.6 at small batch,
#: prefill MFU 0.5-0.7).
MBU, MFU_DECODE, MFU_PREFILL = 0.6, 0.5, 0.6
MAX_BATCH = 256
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


def roofline(model, gpu, precision: str, n: int, input_tokens: float, output_tokens: float):
    """Estimated replica-seconds per request and the share of it spent in prefill.

    ::

        batch B   = sequences whose KV fits beside the weights (at most 256)
        decode    = max((W + B * KV(ctx)) / (n * BW * MBU),  2 * P_active * B / (n * F * MFU))
        prefill   = 2 * P_active * I / (n * F * MFU_prefill)
        seconds   = prefill + O * decode / B          (decode steps are shared by B sequences)

    Labelled *estimated* wherever it is used.
    """
    w = weight_bytes(model, precision)
    ctx = max(1.0, input_tokens + output_tokens)
    seq = kv_bytes(model, precision, ctx)  # one sequence's KV cache
    free = n * gpu.memory_gb * 1e9 * MEMORY_USABLE - w
    batch = max(1.0, min(MAX_BATCH, math.floor(free / seq) if free > 0 else 1.0))
    active = (model.active_params_b or model.params_b) * 1e9
    flops = _flops(gpu, precision)
    bw = gpu.bandwidth_gbs * 1e9
    step = max((w + batch * seq) / (n * bw * MBU), 2 * active * batch / (n * flops * MFU_DECODE))
    prefill = 2 * active * input_tokens / (n * flops * MFU_PREFILL)
    seconds = prefill + output_tokens * step / batch
    return seconds, prefill / seconds if seconds > 0 else 0.0


def nearest(profiles, input_tokens: float, output_tokens: float, prefer_slo: bool):
    """The profile closest to the workload's lengths (distance in log space); under an
    interactive need, profiles measured under a latency limit come first."""
    def dist(p):
        s = p.spec
        return (abs(math.log(max(input_tokens, 1) / s.input_tokens))
                + abs(math.log(max(output_tokens, 1) / s.output_tokens)))

    pool = [p for p in profiles if p.spec.load == "slo"] if prefer_slo else []
    pool = pool or list(profiles)
    return min(pool, key=lambda p: (dist(p), p.spec.gpus, -p.spec.output_tokens_per_s)) if pool else None


def seconds_per_request(base_seconds, prefill_share, base_in, base_out, input_tokens, output_tokens):
    """Replica-seconds per request at other lengths: the measured (or estimated) time at the
    profile's lengths, its prefill part scaled by input and its decode part by output tokens.

    ::

        t = t_p * (a * I / I_p + (1 - a) * O / O_p)
    """
    return base_seconds * (prefill_share * input_tokens / base_in + (1.0 - prefill_share) * output_tokens / base_out)


def fleet(busy_replica_hours, gpus_per_replica, gpus_per_instance, always_on, min_replicas, target_util,
          peak_to_average):
    """Paid GPU-hours a month, replicas and utilisation (arrays broadcast).

    ::

        always-on:  replicas = max(min, ceil(peak_to_average * busy / 730 / target)),
                    instances = ceil(replicas * gpus / per_instance), paid for 730 h
        autoscaled: replica-hours = max(busy / target, min * 730)
    """
    mean = busy_replica_hours / HOURS_PER_MONTH
    with np.errstate(all="ignore"):
        peak_replicas = np.ceil(np.round(mean * peak_to_average / target_util, 9))
        replicas_on = np.maximum(min_replicas, peak_replicas)
        instances = np.ceil(np.round(replicas_on * gpus_per_replica / gpus_per_instance, 9))
        hours_on = instances * gpus_per_instance * HOURS_PER_MONTH
        replica_hours = np.maximum(busy_replica_hours / target_util, min_replicas * HOURS_PER_MONTH)
        floor_gpus = np.ceil(np.round(min_replicas * gpus_per_replica / gpus_per_instance, 9)) * gpus_per_instance
        hours_auto = np.maximum(replica_hours * gpus_per_replica, floor_gpus * HOURS_PER_MONTH)
        gpu_hours = np.where(always_on, hours_on, hours_auto)
        replicas = np.where(always_on, replicas_on, replica_hours / HOURS_PER_MONTH)
        utilisation = np.where(gpu_hours > 0, busy_replica_hours * gpus_per_replica / np.where(gpu_hours > 0, gpu_hours, 1), 0.0)
    return gpu_hours, replicas, utilisation
