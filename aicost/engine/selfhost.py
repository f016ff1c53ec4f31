"""Self-hosted options: an open model on one rented-GPU offer, with its replica size and the
throughput it is planned at (loaded only for scenarios that have a ``self_hosted:`` section)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from aicost.base.notices import Notice
from aicost.inputs.pricebook import PriceBook
from aicost.engine import gpu as G


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
    steps: tuple = field(repr=False, compare=False, default=())  # per step: (t_p, share, I_p, O_p, how)
    estimated: bool = False  # throughput from the roofline, not a measurement
    ceiling: bool = False  # a max-load figure used under an interactive latency need
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


def gpu_options(book: PriceBook, sh: dict, steps: list[dict], interactive: bool) -> list[GpuOption]:
    """Every (open model, GPU offer, scaling) option, with its replica size and throughput basis."""
    out = []
    same: dict[tuple, int] = {}
    for o in book.gpus.offers:  # providers with several offers for one GPU and pricing: name the instance
        key = (o.spec.provider, o.spec.gpu, o.spec.pricing)
        same[key] = same.get(key, 0) + 1
    ctx = max((float(s["input_tokens"]) + float(s["output_tokens"]) + float(s["reasoning_tokens"]))
              for s in steps)
    offers = sorted(book.gpus.offers, key=lambda o: (o.spec.gpu, o.spec.provider, o.spec.pricing, o.spec.per_gpu_hour))
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
            precision = _precision(book, ref, spec.gpu, sh["precision"])
            if precision not in model.weight_bytes:
                continue
            n_fit = G.min_gpus(model, gpu, precision, ctx, sh["max_gpus_per_replica"])
            profiles = book.gpus.profiles_for(ref, spec.gpu, precision)
            # one replica size: the smallest measured one that fits, else the memory-fit size
            sizes = sorted({p.spec.gpus for p in profiles
                            if p.spec.gpus <= sh["max_gpus_per_replica"] and (n_fit is None or p.spec.gpus >= n_fit)})
            n = sizes[0] if sizes else n_fit
            at_size = [p for p in profiles if p.spec.gpus == n]
            per_step, estimated, ceiling = [], False, False
            for s in steps:
                i_tok = max(1.0, float(s["input_tokens"]))
                o_tok = max(1.0, float(s["output_tokens"]) + float(s["reasoning_tokens"]))
                prof = G.nearest(at_size, i_tok, o_tok, interactive)
                if prof is not None:
                    p = prof.spec
                    t_p = p.output_tokens / p.output_tokens_per_s
                    _, share = G.roofline(model, gpu, precision, p.gpus, p.input_tokens, p.output_tokens)
                    per_step.append((t_p, share, float(p.input_tokens), float(p.output_tokens),
                                     Notice.of("throughput_measured", engine=p.engine, precision=p.precision,
                                               gpus=p.gpus, input_tokens=p.input_tokens,
                                               output_tokens=p.output_tokens, label=p.label,
                                               ceiling=p.load == "max", latency_limit=p.latency_limit,
                                               source=prof.source)))
                    ceiling = ceiling or (interactive and p.load == "max")
                elif n is not None:
                    t, share = G.roofline(model, gpu, precision, n, i_tok, o_tok)
                    per_step.append((t, share, i_tok, o_tok, Notice.of("throughput_roofline")))
                    estimated = True
                    ceiling = ceiling or interactive
                else:
                    per_step.append((np.nan, 0.0, i_tok, o_tok, Notice.of("throughput_no_fit")))
            seller = spec.provider
            if same[(spec.provider, spec.gpu, spec.pricing)] > 1 and spec.instance:
                seller += "/" + re.sub(r"[^a-z0-9]+", "-", spec.instance.lower()).strip("-")
            for scaling in sh["scaling"]:
                out.append(GpuOption(
                    id=f"gpu/{ref}:{spec.gpu}:{seller}:{spec.pricing}:{scaling}",
                    provider=spec.provider, model=ref, ref=ref, tier=spec.pricing, scaling=scaling,
                    precision=precision, gpu=spec.gpu, gpu_name=gpu.name, gpus_per_replica=n,
                    gpus_per_instance=spec.gpus_per_instance, per_gpu_hour=float(spec.per_gpu_hour),
                    offer=o, steps=tuple(per_step), estimated=estimated, ceiling=ceiling))
    return out
