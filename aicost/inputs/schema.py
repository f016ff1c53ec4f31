"""JSON Schemas of the input files, generated from the pydantic models (editors validate as you type)."""

from __future__ import annotations

import json
from pathlib import Path

from aicost.base import paths


def schemas() -> dict[str, dict]:
    from aicost.model.gpus import GpuFile
    from aicost.model.mapping import UsageMapping
    from aicost.model.pricing import PricingFile
    from aicost.model.scenario import Scenario

    out = {}
    for name, model, title in (("pricing", PricingFile, "aicost pricing table"),
                               ("gpus", GpuFile, "aicost GPU table"),
                               ("scenario", Scenario, "aicost workload scenario"),
                               ("mapping", UsageMapping, "aicost usage mapping (allocate --from FILE)")):
        schema = model.model_json_schema(mode="validation")
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["title"] = title
        out[name] = schema
    return out


def dumps(schema: dict) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write(folder: Path | None = None) -> list[Path]:
    folder = folder or paths.schema_dir()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in schemas().items():
        p = folder / f"{name}.schema.json"
        p.write_text(dumps(schema), encoding="utf-8")
        written.append(p)
    return written


if __name__ == "__main__":  # python -m aicost.inputs.schema  (regenerates schema/*.json)
    for p in write():
        print(p)
