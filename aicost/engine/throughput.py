"""How fast a replica serves one request shape: a roofline with prefill attention, calibrated on
measured serving profiles, so measurements and estimates sit on one footing.

The "Rented GPUs" section of domain.md. The physics (nominal efficiencies):

::

    prefill(I)    = (2 P_a I + 4 H d I sum_l min(I/2, w_l)) / (n F MFU_p) + comm
    step(B, c)    = max((W_read(B) + B KV(c)) / (n BW MBU),  B (2 P_a + 4 H d sum_l min(c, w_l)) / (n F MFU)) + comm
    seconds(I, O) = prefill(I) + O step(B, I + O/2) / B          replica-seconds per request
    wall(I, O)    = B prefill(I) + O step(B, I + O/2)            one request's time in the batch

with ``W_read(B) = W (1 - (1 - P_a/P)^B)`` (a mixture-of-experts model reads more of its experts as
the batch grows; a dense one reads all of W), ``comm = 4 layers x 8 us`` per pass on more than
one GPU (gpu-economics.md §2.1, kipply) plus two all-reduces a layer of the pass's activations
over the GPU's link (``link_gbs``: NVLink, or PCIe on an L40S), and ``w_l`` a sliding-window
layer's window (infinite for full attention).

Calibration: every measured profile gives ``k = measured seconds / modelled seconds`` at its own
shape, GPUs and load. A prediction multiplies the physics by a shape-weighted geometric mean of
the ``k`` of credible profiles: the newest engine generation measured for the model on that GPU
and precision (else on that GPU, else anywhere), one engine family at a time, keeping the family
that serves fastest. The weights fall smoothly with distance in log shape, so the cost moves
smoothly with the workload's lengths.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

from aicost.engine import gpu as G
from aicost.base.engines import engine_family

#: Efficiencies of the nominal roofline (gpu-economics.md §2.3: MBU 0.5-0.6, prefill MFU 0.5-0.7).
MBU, MFU_DECODE, MFU_PREFILL = G.MBU, G.MFU_DECODE, G.MFU_PREFILL
#: Sequences an engine runs at once when memory allows (vLLM's default max_num_seqs, 256).
MAX_BATCH = 256
#: Tensor-parallel latency per message and messages per layer and pass (kipply, gpu-economics.md §2.1).
COMM_SECONDS, COMM_PER_LAYER = 8e-6, 4
#: Width of the shape kernel in log space: a profile at twice the length weighs exp(-(ln 2 / 1.4)^2) = 0.78,
#: at ten times 0.07.
SHAPE_WIDTH = 1.4
#: A profile at another replica size counts this much (the physics carries the size; engines differ).
OTHER_SIZE_WEIGHT = 0.3
#: How much the pooled factor of all credible engines counts in one engine's factor (in profile weights).
PRIOR_WEIGHT = 0.5
#: A replica is "measured" when a credible profile at its size lies within this log distance (~25%).
MEASURED_WITHIN = 0.25


def _heads(model) -> int:
    return getattr(model, "attention_heads", None) or 4 * model.kv_heads


def _keys(model, ctx: float, causal: bool) -> float:
    """Keys attended per query, summed over layers (a prefill query sees half its prompt on average)."""
    reach = ctx / 2.0 if causal else ctx
    sliding = getattr(model, "sliding_layers", 0) or 0
    window = getattr(model, "sliding_window", None)
    capped = min(reach, window) if window else reach
    return (model.layers - sliding) * reach + sliding * capped


def _comm(model, gpu, n: int, tokens: float) -> float:
    """Tensor parallelism, per forward pass of ``tokens`` tokens: a latency per message, and two
    all-reduces a layer moving 2 (n - 1) / n x tokens x hidden x 2 bytes over the GPU's link (half
    its two-way bandwidth each way)."""
    if n <= 1:
        return 0.0
    t = COMM_SECONDS * COMM_PER_LAYER * model.layers
    link = getattr(gpu, "link_gbs", None)
    if link:
        hidden = _heads(model) * model.head_dim
        t += 2 * model.layers * (2.0 * (n - 1) / n) * tokens * hidden * 2.0 / (link * 1e9 / 2.0)
    return t


def prefill_seconds(model, gpu, precision: str, n: int, input_tokens: float) -> float:
    """Nominal prefill of one prompt: the weights' 2 P_a FLOPs per token plus attention, which grows
    with the square of the prompt (sliding-window layers: with prompt x window)."""
    active = (model.active_params_b or model.params_b) * 1e9
    flops = 2.0 * active * input_tokens + 4.0 * _heads(model) * model.head_dim * input_tokens * _keys(
        model, input_tokens, causal=True)
    return flops / (n * G._flops(gpu, precision) * MFU_PREFILL) + _comm(model, gpu, n, input_tokens)


def step_seconds(model, gpu, precision: str, n: int, batch: float, context: float) -> float:
    """Nominal decode step: B sequences advance one token each at ``context`` tokens of cache."""
    w = G.weight_bytes(model, precision)
    share = (model.active_params_b or model.params_b) / model.params_b
    read = w * (1.0 - (1.0 - share) ** batch) if share < 1 else w
    active = (model.active_params_b or model.params_b) * 1e9
    mem = (read + batch * G.kv_bytes(model, precision, context)) / (n * gpu.bandwidth_gbs * 1e9 * MBU)
    flops = batch * (2.0 * active + 4.0 * _heads(model) * model.head_dim * _keys(model, context, causal=False))
    return max(mem, flops / (n * G._flops(gpu, precision) * MFU_DECODE)) + _comm(model, gpu, n, batch)


def max_batch(model, gpu, precision: str, n: int, input_tokens: float, output_tokens: float,
              cap: float = MAX_BATCH) -> float:
    """Sequences whose whole KV cache fits beside the weights (continuous, at most MAX_BATCH);
    0 when the weights alone do not fit."""
    free = n * gpu.memory_gb * 1e9 * G.MEMORY_USABLE - G.weight_bytes(model, precision)
    if free <= 0:
        return 0.0
    return min(float(cap), free / G.kv_bytes(model, precision, input_tokens + output_tokens))


@dataclass(frozen=True)
class Timing:
    """One request shape on one replica at batch ``batch``, calibrated by ``factor``."""

    batch: float
    seconds: float  # replica-seconds per request
    prefill_share: float
    wall: float  # one request's time from arrival to last token at this batch
    ttft: float
    tpot: float


def timing(model, gpu, precision: str, n: int, i: float, o: float, batch: float, factor: float = 1.0) -> Timing:
    pre = prefill_seconds(model, gpu, precision, n, i) * factor
    step = step_seconds(model, gpu, precision, n, batch, i + o / 2.0) * factor
    seconds = pre + o * step / batch
    wall = batch * pre + o * step
    return Timing(batch, seconds, pre / seconds, wall, pre + step, (wall - pre) / max(o, 1.0))


def batch_within(model, gpu, precision, n, steps, factor, b_max: float, need_seconds: float | None) -> float:
    """The largest batch (1..b_max) at which one attempt's calls finish within ``need_seconds``;
    ``b_max`` when there is no need. ``steps``: (input, output, calls) per step. 0 when even a
    batch of one is too slow."""
    def attempt(b):
        return sum(c * timing(model, gpu, precision, n, i, o, b, factor).wall for i, o, c in steps)

    if need_seconds is None or attempt(b_max) <= need_seconds:
        return b_max
    if attempt(1.0) > need_seconds:
        return 0.0
    lo, hi = 1.0, b_max
    for _ in range(40):
        mid = (lo + hi) / 2.0
        lo, hi = (mid, hi) if attempt(mid) <= need_seconds else (lo, mid)
    return lo


# ---- calibration --------------------------------------------------------------------------------

def _load_batch(model, gpu, p) -> float:
    conc = getattr(p, "concurrency", None)
    b = max_batch(model, gpu, p.precision, p.gpus, p.input_tokens, p.output_tokens, math.inf if conc else MAX_BATCH)
    return max(1.0, min(b, float(conc))) if conc else max(1.0, b)


def profile_factor(book, prof) -> float | None:
    """measured / modelled replica-seconds per request at the profile's own shape and load."""
    p = prof.spec
    model, gpu = book.models[p.model].spec, book.gpus[p.gpu].spec
    b = _load_batch(model, gpu, p)
    if max_batch(model, gpu, p.precision, p.gpus, p.input_tokens, p.output_tokens) <= 0:
        return None
    modelled = timing(model, gpu, p.precision, p.gpus, p.input_tokens, p.output_tokens, b).seconds
    measured = p.output_tokens / p.output_tokens_per_s
    return measured / modelled if modelled > 0 else None


def _distance(p, i: float, o: float) -> float:
    return math.hypot(math.log(max(i, 1.0) / p.input_tokens), math.log(max(o, 1.0) / p.output_tokens))


@dataclass(frozen=True)
class Basis:
    """Where a replica's speed comes from."""

    factor: float
    engine: str  # the engine family whose measurements calibrate it ("" for the nominal roofline)
    scope: str  # "model": this model, GPU and precision; "gpu": other models on this GPU; "all"; "none"
    measured: bool  # a credible profile at this size and about this shape
    profiles: int  # profiles that weigh in
    nearest: object | None  # the nearest credible profile (Sourced), for the explanation


class Calibration:
    """Calibration factors of a GPU book's profiles, computed once per book."""

    def __init__(self, book):
        self.profiles = list(book.profiles)  # not the book: the calibration must not keep it alive
        self.pools: dict[tuple, tuple] = {}
        self.k = {}
        for prof in self.profiles:
            f = profile_factor(book, prof)
            if f is not None and f > 0:
                self.k[id(prof)] = f

    def _pool(self, model_id: str, gpu_id: str, precision: str, engines):
        key = (model_id, gpu_id, precision, None if engines is None else tuple(sorted(engines)))
        if key not in self.pools:  # (asked again at every point a sweep of lengths plans)
            self.pools[key] = self._find_pool(model_id, gpu_id, precision, engines)
        return self.pools[key]

    def _find_pool(self, model_id: str, gpu_id: str, precision: str, engines):
        profs = [p for p in self.profiles if id(p) in self.k
                 and (engines is None or engine_family(p.spec.engine) in engines)]
        for scope, keep in (("model", lambda s: s.model == model_id and s.gpu == gpu_id and s.precision == precision),
                            ("gpu", lambda s: s.gpu == gpu_id),
                            ("all", lambda s: True)):
            pool = [p for p in profs if keep(p.spec)]
            if pool:
                newest = max(p.spec.generation or 0 for p in pool)
                return scope, [p for p in pool if (p.spec.generation or 0) == newest]
        return "none", []

    def basis(self, model_id: str, gpu_id: str, precision: str, n: int, shapes, engines=None) -> Basis:
        """The calibration for a replica of ``n`` GPUs serving ``shapes`` ((input, output, weight) per
        step): per engine family a weighted geometric mean of its profiles' factors; the family
        that serves fastest (smallest factor) is kept."""
        scope, pool = self._pool(model_id, gpu_id, precision, engines)
        if not pool:
            return Basis(1.0, "", "none", False, 0, None)
        weights = {}
        for p in pool:
            d = sum(w * _distance(p.spec, i, o) for i, o, w in shapes) / sum(w for _, _, w in shapes)
            size = 1.0 if p.spec.gpus == n or scope != "model" else OTHER_SIZE_WEIGHT
            weights[id(p)] = (max(math.exp(-(d / SHAPE_WIDTH) ** 2) * size, 1e-12), d)
        logk = lambda ps: (sum(weights[id(p)][0] * math.log(self.k[id(p)]) for p in ps),  # noqa: E731
                           sum(weights[id(p)][0] for p in ps))
        num, den = logk(pool)
        pooled = num / den
        measured = scope == "model" and any(
            p.spec.gpus == n and max(_distance(p.spec, i, o) for i, o, _ in shapes) <= MEASURED_WITHIN for p in pool)
        best, best_den = None, 0.0
        for fam in sorted({engine_family(p.spec.engine) for p in pool}):
            members = [p for p in pool if engine_family(p.spec.engine) == fam]
            num, den = logk(members)
            # a family measured far from this shape says little: its factor leans to the pooled one
            factor = math.exp((num + PRIOR_WEIGHT * pooled) / (den + PRIOR_WEIGHT))
            near = min(members, key=lambda p: (weights[id(p)][1], p.spec.gpus != n))
            cand = Basis(factor, fam, scope, measured, len(members), near)
            if best is None or (cand.factor, -den) < (best.factor, -best_den):
                best, best_den = cand, den
        assert best is not None
        return best


_KEPT: dict[int, tuple] = {}


def calibration(gpubook) -> Calibration:
    """A GPU book's calibration, computed on first use and kept while the book lives (outside the
    book, so a cached book stays plain data)."""
    kept = _KEPT.get(id(gpubook))
    if kept is not None and kept[0]() is gpubook:
        return kept[1]
    cal = Calibration(gpubook)
    _KEPT[id(gpubook)] = (weakref.ref(gpubook), cal)
    weakref.finalize(gpubook, _KEPT.pop, id(gpubook), None)  # forgotten with its book
    return cal
