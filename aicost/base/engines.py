"""Serving engines by family: light, so the engine reads it without loading the pydantic models."""

from __future__ import annotations


def engine_family(engine: str) -> str:
    """The engine a profile was measured on, without version or flags: 'TensorRT-LLM', 'vLLM', ..."""
    e = engine.lower()
    for key, name in (("nim", "NVIDIA NIM"), ("tensorrt", "TensorRT-LLM"), ("trt", "TensorRT-LLM"),
                      ("vllm", "vLLM"), ("sglang", "SGLang")):
        if key in e:
            return name
    return engine.split(" (")[0].strip() or engine
