"""Schema of a GPU table (``pricing/gpus.yaml``, ``kind: gpus``), version 1: GPU types, rental
offers, open models and measured serving profiles."""

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, model_validator

from aicost.base.engines import engine_family
from aicost.model import NOT_BOOL
from aicost.model.pricing import Ident, Money, Sourced, Strict

PosFloat = Annotated[float, Field(gt=0, allow_inf_nan=False), NOT_BOOL]
PosInt = Annotated[int, Field(gt=0), NOT_BOOL]

#: How a figure was obtained (gpu-economics.md's labels): measured by a third party, measured by a
#: vendor, estimated (modelled), derived by arithmetic on cited figures, secondary/unverified.
Label = Literal["measured", "vendor-measured", "estimated", "derived", "secondary"]
Precision = Literal["bf16", "fp16", "fp8", "int8", "int4", "mxfp4"]


class GpuType(Sourced):
    name: str
    memory_gb: PosFloat = Field(description="device memory, GB")
    bandwidth_gbs: PosFloat = Field(description="memory bandwidth, GB/s")
    bf16_tflops: PosFloat = Field(description="dense BF16/FP16 tensor TFLOPS (no sparsity)")
    fp8_tflops: PosFloat | None = Field(None, description="dense FP8 tensor TFLOPS; absent = no FP8 support")
    interconnect: str | None = None
    link_gbs: PosFloat | None = Field(None, description="GPU-to-GPU bandwidth per GPU, both directions, GB/s "
                                                        "(NVLink, else PCIe): tensor-parallel all-reduces move "
                                                        "activations over it; absent: only a latency per layer")


class Offer(Sourced):
    """A rental price for one GPU type from one provider."""

    provider: Ident
    gpu: str
    pricing: Literal["on-demand", "reserved", "spot"]
    per_gpu_hour: Money = Field(description="price per GPU-hour (instance price / GPUs, where derived)")
    gpus_per_instance: PosInt = Field(1, description="GPUs that come together (rent in multiples of this)")
    instance: str | None = Field(None, description="the SKU, e.g. p5.48xlarge")
    region: str | None = None
    label: Label = "secondary"
    billing_increment_hours: PosFloat | None = Field(
        None, description="the smallest time billed at once, in hours (1/3600: per second); absent: 1 hour on "
                          "demand or spot, the whole month for reserved (a term is paid whether used or not)")


class OpenModel(Sourced):
    """An open-weights model's shape, for memory fit and the roofline estimate."""

    name: str | None = None
    params_b: PosFloat = Field(description="total parameters, billions")
    active_params_b: PosFloat | None = Field(None, description="parameters active per token (MoE); default: all")
    layers: PosInt
    attention_heads: PosInt | None = Field(None, description="query heads (for the attention FLOPs of prefill and "
                                           "decode); absent: 4 x kv_heads")
    kv_heads: PosInt
    head_dim: PosInt
    weight_bytes: dict[Precision, Annotated[float, Field(gt=0), NOT_BOOL]] = Field(
        description="bytes per parameter for each precision the model is served in, e.g. {bf16: 2, fp8: 1}")
    context_window: PosInt | None = None
    sliding_window: PosInt | None = Field(None, description="tokens a sliding-window attention layer attends to: "
                                          "its KV cache holds at most this many per sequence")
    sliding_layers: Annotated[int, Field(ge=0), NOT_BOOL] = Field(0, description="how many of the layers attend "
                                                                  "within sliding_window (the others: full attention)")

    @model_validator(mode="after")
    def _window(self):
        if self.sliding_layers > self.layers:
            raise ValueError(f"sliding_layers ({self.sliding_layers}) is more than layers ({self.layers})")
        if self.sliding_layers and self.sliding_window is None:
            raise ValueError("sliding_layers needs sliding_window (the tokens those layers keep)")
        return self


class Profile(Sourced):
    """A measured (or published) serving throughput of one model on one GPU setup."""

    model: str
    gpu: str
    gpus: PosInt = Field(description="GPUs per replica (tensor/expert parallel group)")
    engine: str
    precision: Precision
    input_tokens: PosInt = Field(description="input length per request in the benchmark")
    output_tokens: PosInt = Field(description="output length per request in the benchmark")
    output_tokens_per_s: PosFloat = Field(description="output tokens per second for the whole replica")
    load: Literal["max", "slo"] = Field(description="max: offline maximum load (a ceiling); slo: holds under a "
                                                    "latency limit")
    latency_limit: str | None = Field(None, description="the limit an slo figure holds under, e.g. 'TTFT p99 2 s'")
    label: Label
    generation: Annotated[int, Field(ge=2015, le=2100), NOT_BOOL] | None = Field(
        None, description="the year the engine version measured was released: only the newest generation "
                          "measured for a model and GPU calibrates it (absent: older than any dated one)")
    concurrency: PosFloat | None = Field(None, description="requests in flight during the measurement (absent: as "
                                                          "many as memory allows, for max load)")

    @model_validator(mode="after")
    def _slo_needs_limit(self):
        if self.load == "slo" and not self.latency_limit:
            raise ValueError("an slo profile must say its latency_limit")
        return self


class GpuFile(Strict):
    version: Literal[1]
    kind: Literal["gpus"]
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    source: str
    checked: date
    gpus: dict[str, GpuType] = Field(default_factory=dict)
    offers: list[Offer] = Field(default_factory=list)
    models: dict[str, OpenModel] = Field(default_factory=dict)
    profiles: list[Profile] = Field(default_factory=list)


__all__ = ["GpuFile", "GpuType", "Offer", "OpenModel", "Profile", "engine_family"]
