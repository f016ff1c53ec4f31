"""Traffic as it really is, on the engine's rows (docs/formulas.md "Traffic"): each model's token
footprint (its tokenizer and verbosity against the steps' counts) and the reasoning tokens of
its effort level."""

from __future__ import annotations

import numpy as np

from aicost.engine.attempt import pt


def _stack(items: list) -> np.ndarray:
    shape = np.broadcast_shapes(*(np.shape(x) for x in items))
    return np.stack([np.broadcast_to(np.asarray(x, dtype=float), shape) for x in items]).reshape(len(items), -1)


def row_model(values: dict, source: tuple) -> tuple[dict, str | None]:
    """The scenario's entry (under ``models:``) of a row's model, and the effort level it runs at."""
    models = values.get("models") or {}
    if source[0] == "stage":
        _, cascade, i, ref = source
        return models.get(ref) or {}, values["cascades"][cascade]["stages"][i].get("effort")
    if source[0] == "failover":
        return models.get(source[1]) or {}, None
    return models.get(source[1]) or {}, source[2] if len(source) > 2 else None


def _moves(values: dict) -> bool:
    return any(m.get("effort") or np.any(np.asarray(m.get("input_factor", 1.0)) != 1.0)
               or np.any(np.asarray(m.get("output_factor", 1.0)) != 1.0) for m in (values.get("models") or {}).values())


def footprints(plan, values: dict) -> list[dict | None]:
    """Per step: the rows' input factor, output factor and reasoning tokens per call, arrays
    (rows, points); None for every step when no model states a footprint or an effort level.

    A step pinned to another model takes that model's factors and keeps its own reasoning tokens;
    a step on the option's model takes the option's effort level's reasoning tokens."""
    steps = values["attempt"]["steps"]
    if not plan.row_quality or not _moves(values):
        return [None] * len(steps)
    models = values.get("models") or {}
    rows = [row_model(values, src) for src in plan.row_quality]
    out: list[dict | None] = []
    for step in steps:
        pinned = step.get("model")
        fin, fout, reas = [], [], []
        for m, level in rows:
            own = (models.get(pinned) or {}) if pinned else m
            fin.append(pt(own.get("input_factor", 1.0)))
            fout.append(pt(own.get("output_factor", 1.0)))
            lv = None if pinned or level is None else (m.get("effort") or {}).get(level)
            reas.append(pt(lv["reasoning_tokens"]) if lv else pt(step["reasoning_tokens"]))
        out.append({"input": _stack(fin), "output": _stack(fout), "reasoning": _stack(reas)})
    return out
