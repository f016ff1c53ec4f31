"""Self-hosted options: an open model on one rented-GPU offer, with its replica size and the
throughput it is planned at (loaded only for scenarios that have a ``self_hosted:`` section)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from aicost.base.notices import Notice
from aicost.inputs.pricebook import PriceBook
from aicost.engine import gpu as G
from aicost.engine import throughput as T


@dataclass(frozen=True)
class GpuOption:
    """An open model served on rented GPUs from one offer, always-on or autoscaled."""

    id: str
    provider: str  # the rental provider
    model: str  # the open model
    ref: str
    tier: str  # the offer's pricing: on-demand, reserved, spot
    scaling: str
    precision: str
    gpu: str
    gpu_name: str
    gpus_per_replica: int | None  # None: the model does not fit
    gpus_per_instance: int
    per_gpu_hour: float
    offer: object = field(repr=False, compare=False)
    steps: tuple = field(repr=False, compare=False, default=())  # per step: (t, share, I, O, notice, wall)
    estimated: bool = False  # no credible measurement at this size and shape: the calibrated roofline
    batch: float = 0.0  # sequences in flight per replica (the latency need may hold it below memory's limit)
    sizes: tuple = field(repr=False, compare=False, default=())  # (GPUs, out tok/s per GPU, s/attempt, meets need)
    #: the sizes that meet the need, each (GPUs, per step (t, share, I, O, wall), notice, batch,
    #: estimated): the engine keeps, at each point, the one whose fleet costs least (volume and
    #: min_replicas decide, not only speed)
    alts: tuple = field(repr=False, compare=False, default=())
    increment_hours: float = 1.0  # billing increment (a reservation: the whole month)
    too_long: bool = False  # a turn's context exceeds the model's window
    caching: bool = False
    kind: str = "gpu"


def _precision(book: PriceBook, model_id: str, gpu_id: str, wanted: str) -> str:
    model = book.gpus.models[model_id].spec
    gpu = book.gpus.gpus[gpu_id].spec
    usable = [p for p in model.weight_bytes if p != "fp8" or gpu.fp8_tflops]
    if wanted != "auto":
        return wanted
    measured = [p for p in ("fp8", "bf16", "fp16", "mxfp4", "int8", "int4") if p in usable
                and book.gpus.profiles_for(model_id, gpu_id, p)]
    if measured:
        return measured[0]
    for p in ("fp8", "bf16", "fp16"):
        if p in usable:
            return p
    return usable[0] if usable else "bf16"


def step_shape(st: dict, num=float) -> tuple:
    """One step as the GPU serves it: (input, output, requests, calls waited for, tool seconds, the
    longest context a turn reaches). Each turn is a request; a later turn resends the history, so a
    call's turns average ``(turns - 1) / 2`` rounds of history; a user waits for one turn's answer
    per call (as hosted latency counts it). ``num``: float for one point, an array builder for many."""
    if "_shape" in st:  # planned again at one point of a sweep: the shape computed there
        return st["_shape"]
    calls, turns = num(st["calls"]), num(st.get("turns", 1.0))
    out = num(st["output_tokens"]) + num(st["reasoning_tokens"])
    first = num(st["input_tokens"]) + num(st.get("retrieved_tokens", 0.0))
    per_turn = num(st.get("turn_input_tokens", 0.0)) + out
    inp = first + (turns - 1.0) / 2.0 * per_turn
    top = first + (turns - 1.0) * per_turn + out
    return inp, out, calls * turns, calls, calls * num(st.get("tool_seconds", 0.0)), top


def _replica(cal, model, gpu, ref, gpu_id, precision, n, shapes, need, engines):
    """One replica size: its calibration, the batch it runs at and per step its timing."""
    basis = cal.basis(ref, gpu_id, precision, n, [(i, o, w) for i, o, w, _ in shapes], engines)
    cap = min(T.max_batch(model, gpu, precision, n, i, o) for i, o, _, _ in shapes)
    if cap <= 0:
        return None
    cap = max(1.0, cap)
    batch = T.batch_within(model, gpu, precision, n, [(i, o, c) for i, o, _, c in shapes], basis.factor, cap, need)
    run = batch if batch > 0 else 1.0  # too slow even alone: timed at a batch of one
    timings = [T.timing(model, gpu, precision, n, i, o, run, basis.factor) for i, o, _, _ in shapes]
    return basis, batch, run, timings


def gpu_options(book: PriceBook, sh: dict, steps: list[dict], need_seconds: float | None,
                only: set[int] | None = None) -> list:
    """Every (open model, GPU offer, scaling) option, with the cheapest replica size that meets the
    latency need and the calibrated throughput it is planned at. ``only``: the places in that list
    wanted (a plan cut to a few options, planned again at each point): the others are None, unplanned."""
    out: list[GpuOption | None] = []
    same: dict[tuple, int] = {}
    for o in book.gpus.offers:  # providers with several offers for one GPU and pricing: name the instance
        key = (o.spec.provider, o.spec.gpu, o.spec.pricing)
        same[key] = same.get(key, 0) + 1
    parts = [step_shape(st) for st in steps]
    shapes = [(max(1.0, i), max(1.0, o), max(w, 1e-9), c) for i, o, w, c, _, _ in parts]
    tools = sum(t for *_, t, _ in parts)
    ctx = max(top for *_, top in parts)
    if need_seconds is not None:  # the tools' own time comes out of what the fleet may take
        need_seconds = max(need_seconds - tools, 0.0)
    cal = T.calibration(book.gpus)
    engines = sh.get("engines")
    offers = sorted(book.gpus.offers, key=lambda o: (o.spec.gpu, o.spec.provider, o.spec.pricing, o.spec.per_gpu_hour))
    plans: dict[tuple, tuple] = {}  # (model, GPU, precision) -> the replica plan (offers of one GPU share it)
    precisions: dict[tuple, str] = {}
    for ref in sh["models"]:
        model = book.gpus.models[ref].spec
        for o in offers:
            spec = o.spec
            if sh["gpus"] is not None and spec.gpu not in sh["gpus"]:
                continue
            if sh["providers"] is not None and spec.provider not in sh["providers"]:
                continue
            if spec.pricing not in sh["pricing"]:
                continue
            gpu = book.gpus.gpus[spec.gpu].spec
            if (ref, spec.gpu) not in precisions:  # (the offers of one GPU share it)
                precisions[ref, spec.gpu] = _precision(book, ref, spec.gpu, sh["precision"])
            precision = precisions[ref, spec.gpu]
            if precision not in model.weight_bytes:
                continue
            key = (ref, spec.gpu, precision)
            if only is not None and not only.intersection(range(len(out), len(out) + len(sh["scaling"]))):
                out += [None] * len(sh["scaling"])
                continue
            if key not in plans:
                plans[key] = _plan(cal, model, gpu, ref, spec.gpu, precision, shapes, ctx, need_seconds, engines,
                                   sh["max_gpus_per_replica"], tools)
            n, chosen, sizes, alts = plans[key]
            seller = spec.provider
            if same[(spec.provider, spec.gpu, spec.pricing)] > 1 and spec.instance:
                seller += "/" + re.sub(r"[^a-z0-9]+", "-", spec.instance.lower()).strip("-")
            if chosen is None:
                per_step = tuple((np.nan, 0.0, i, o_, Notice.of("throughput_no_fit"), np.nan) for i, o_, _, _ in shapes)
                batch, estimated = 0.0, False
            else:
                basis, batch, run, timings = chosen
                note = _notice(basis, n, run, precision)
                per_step = tuple((t.seconds, t.prefill_share, i, o_, note, t.wall)
                                 for t, (i, o_, _, _) in zip(timings, shapes))
                estimated = not basis.measured
            inc = spec.billing_increment_hours if spec.billing_increment_hours is not None else (
                G.MONTH_HOURS if spec.pricing == "reserved" else 1.0)
            for scaling in sh["scaling"]:
                out.append(GpuOption(
                    id=f"gpu/{ref}:{spec.gpu}:{seller}:{spec.pricing}:{scaling}",
                    provider=spec.provider, model=ref, ref=ref, tier=spec.pricing, scaling=scaling,
                    precision=precision, gpu=spec.gpu, gpu_name=gpu.name, gpus_per_replica=n,
                    gpus_per_instance=spec.gpus_per_instance, per_gpu_hour=float(spec.per_gpu_hour),
                    offer=o, steps=per_step, estimated=estimated, batch=batch,
                    sizes=sizes, alts=alts, increment_hours=float(inc),
                    too_long=bool(model.context_window is not None and ctx > model.context_window)))
    return out


def _plan(cal, model, gpu, ref, gpu_id, precision, shapes, ctx, need, engines, max_gpus, tools=0.0):
    """The replica sizes that fit (1, 2, 4, ... from the memory fit up to ``max_gpus``), each timed;
    those that meet the need are kept (the engine costs each fleet and keeps the cheapest at each
    point); the cheapest per request among them (else the fastest) names the option in messages."""
    n_fit = G.min_gpus(model, gpu, precision, ctx, max_gpus)
    if n_fit is None:
        return None, None, (), ()
    sizes, best, best_key, alts = [], None, None, []
    n = n_fit
    while n <= max_gpus:
        r = _replica(cal, model, gpu, ref, gpu_id, precision, n, shapes, need, engines)
        if r is not None:
            basis, batch, run, timings = r
            gpu_seconds = n * sum(w * t.seconds for t, (_, _, w, _) in zip(timings, shapes))
            latency = sum(c * t.wall for t, (_, _, _, c) in zip(timings, shapes)) + tools
            out_tokens = sum(w * o for _, o, w, _ in shapes)
            meets = batch > 0
            sizes.append((n, out_tokens / gpu_seconds, latency, meets, not basis.measured))
            if meets:
                alts.append((n, tuple((t.seconds, t.prefill_share, i, o, t.wall)
                                      for t, (i, o, _, _) in zip(timings, shapes)),
                             _notice(basis, n, run, precision), batch, not basis.measured))
            key = (not meets, gpu_seconds if meets else latency)
            if best_key is None or key < best_key:
                best, best_key = (n, r), key
        n *= 2
    if best is None:
        return None, None, (), ()
    if not alts:  # none meets the need: the fastest, to say how slow
        basis, batch, run, timings = best[1]
        alts = [(best[0], tuple((t.seconds, t.prefill_share, i, o, t.wall) for t, (i, o, _, _) in zip(timings, shapes)),
                 _notice(basis, best[0], run, precision), batch, not basis.measured)]
    return best[0], best[1], tuple(sizes), tuple(alts)


def _notice(basis, n, batch, precision) -> Notice:
    near = basis.nearest.spec if basis.nearest is not None else None
    return Notice.of("throughput_calibrated", engine=basis.engine, scope=basis.scope, measured=basis.measured,
                     profiles=basis.profiles, factor=round(basis.factor, 4), gpus=n, batch=round(batch, 1),
                     precision=precision,
                     nearest=None if near is None else {
                         "engine": near.engine, "gpus": near.gpus, "input_tokens": near.input_tokens,
                         "output_tokens": near.output_tokens, "output_tokens_per_s": near.output_tokens_per_s,
                         "label": near.label, "source": basis.nearest.source, "model": near.model, "gpu": near.gpu})


#: Points planned one by one at most (a sweep of lengths); beyond, the nominal plan is stretched.
#: The caller decides for the whole run (``Plan.replan``), so that no chunk of a run differs.
REPLAN_MAX = 512


def _as_shape(st: dict, row) -> dict:
    """A step whose shape (input, output, requests, calls, tool seconds, longest context) is ``row``,
    as :func:`step_shape` computed it at one point."""
    return dict(st, _shape=tuple(float(x) for x in row))


def replanned(plan, values: dict, steps: list[dict]) -> dict | None:
    """The GPU options' arrays planned again at each point's lengths and latency need, exactly as
    ``compare --set`` plans them there (replica size, batch, calibration); None when nothing that
    shapes a replica varies, or when more than REPLAN_MAX distinct points do (Monte Carlo samples:
    the nominal plan's replica-seconds are then stretched linearly in input and output)."""
    from aicost.engine.plan import _need_seconds

    def flat(x):
        return np.asarray(x, dtype=float).ravel()

    cols = []
    for st in steps:  # what shapes a replica: each step's averaged input, output, requests and calls
        inp, out, w, c, tool, top = step_shape(st, flat)
        cols += [inp, out, w, c, tool, top]
    lat = values["latency"]
    kind = next(k for k in ("p95_seconds", "minutes", "deadline_hours") if lat.get(k) is not None)
    cols.append(flat(values["self_hosted"]["max_gpus_per_replica"]))
    cols.append(flat(lat[kind]))
    width = max(c.size for c in cols)
    if width == 1 or not plan.replan:
        return None
    combos = np.stack([np.broadcast_to(c, (width,)) for c in cols], axis=1)
    uniq, inverse = np.unique(combos, axis=0, return_inverse=True)
    if len(uniq) > REPLAN_MAX and not plan.replan:
        return None
    book, sh = plan.gpu_book
    pick = plan.gpu["index"][:, 0]
    wanted = {int(i) for i in pick}  # a cut plan's few options: only those planned again
    k = len(steps)
    planned = []
    for row in uniq:
        st_u = [_as_shape(st, row[6 * j:6 * j + 6]) for j, st in enumerate(steps)]
        need = _need_seconds({kind: row[-1]})
        opts = gpu_options(book, dict(sh, max_gpus_per_replica=int(row[-2])), st_u, need, wanted)
        planned.append([opts[i] for i in pick])
    width_s = max([1] + [len(o.alts) for opts in planned for o in opts])
    shape = (len(pick), width_s, k, len(uniq))
    out = {name: np.full(shape, np.nan) for name in ("t_p", "share", "in_p", "out_p", "wall")}
    gpr = np.full((len(pick), width_s, len(uniq)), np.nan)
    long = np.zeros((len(pick), len(uniq)), bool)
    fits = np.zeros((len(pick), len(uniq)), bool)
    for u, opts in enumerate(planned):
        for g, o in enumerate(opts):
            for a_, (n, per_step, *_) in enumerate(o.alts):
                gpr[g, a_, u] = n
                for j, step in enumerate(per_step):
                    for name, x in zip(("t_p", "share", "in_p", "out_p", "wall"), step):
                        out[name][g, a_, j, u] = x
            long[g, u] = o.too_long
            fits[g, u] = o.gpus_per_replica is not None
    inv = inverse.ravel()
    res = {name: a[..., inv] for name, a in out.items()}
    res["gpus_per_replica"] = gpr[..., inv]
    res["fits"] = fits[:, inv]
    res["too_long"] = long[:, inv]
    for name in ("gpus_per_instance", "per_gpu_hour", "always_on", "increment_hours", "index"):
        res[name] = plan.gpu[name]
    return res
