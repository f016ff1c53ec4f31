"""The rented-GPU view of a scenario: fleet figures and break-even volumes against hosted APIs."""

from __future__ import annotations

from datetime import date
from typing import Any

from aicost.engine.roots import crossings
from aicost.analyses.compare import compare_loaded, plan_for
from aicost.base.errors import InputError
from aicost.inputs.pricebook import PriceBook
from aicost.inputs.scenario import LoadedScenario

VOLUME = ("volume", "tasks_per_month")
#: Monthly volumes searched for a break-even (tasks per month).
VOLUME_RANGE = (1.0, 1e10)


def _breakeven(plan, values, hosted_row: int, gpu_row: int) -> dict[str, Any]:
    """The monthly volume from which the GPU option costs less per success than the hosted one."""
    found = crossings(plan, values, VOLUME, hosted_row, gpu_row, *VOLUME_RANGE, log=True, points=256, rel_tol=1e-7)
    # cheaper_below == 0: the hosted option is cheaper below the crossing, the GPU above it
    ups = [c for c in found if c.cheaper_below == 0]
    if ups:
        c = ups[0]
        return {"tasks_per_month": c.value, "kind": c.kind}
    return {"tasks_per_month": None, "kind": "never" if not found else "gpu-cheaper-below"}


def gpu_report(ls: LoadedScenario, book: PriceBook, as_of: date | None = None, max_price_age: int | None = 90,
               breakeven: bool = True) -> dict[str, Any]:
    if ls.plain.get("self_hosted") is None:
        raise InputError(f"{ls.file}: the scenario has no self_hosted: section (open models to serve on GPUs)")
    res = compare_loaded(ls, book, as_of, max_price_age=max_price_age)
    plan = plan_for(ls, book, as_of)
    values = ls.values()
    row = {o.id: i for i, o in enumerate(plan.options)}
    hosted = [o for o in res.options if o.kind == "hosted" and o.eligible and o.metrics["cost_per_success"] is not None]
    best = min(hosted, key=lambda o: o.metrics["cost_per_success"]) if hosted else None
    refs: dict[str, Any] = {"best": best}
    if best is not None:  # "batch and flex before rented GPUs": the same model on the cheaper tiers
        for tier in ("batch", "flex"):
            sib = f"{best.provider}/{best.model}:{tier}" + (":cached" if best.caching else "")
            refs[tier] = next((o for o in hosted if o.id == sib and o.id != best.id), None)
    options = []
    for o in res.options:
        if o.kind != "gpu":
            continue
        entry = {"option": o, "breakeven": {}}
        if breakeven and o.eligible:
            for name, ref in refs.items():
                if ref is not None:
                    entry["breakeven"][name] = _breakeven(plan, values, row[ref.id], row[o.id])
        options.append(entry)
    return {"scenario": res, "references": refs, "options": options}


def to_dict(report: dict, currency: str) -> dict[str, Any]:
    res = report["scenario"]
    refs = {k: (None if v is None else {"id": v.id, "cost_per_success": v.metrics["cost_per_success"]})
            for k, v in report["references"].items()}
    rows = []
    for e in report["options"]:
        d = e["option"].to_dict()
        d["breakeven"] = e["breakeven"]
        rows.append(d)
    return {"name": res.name, "file": res.file, "as_of": res.as_of, "tasks_per_month": res.tasks_per_month,
            "latency_need": res.latency_need, "warnings": res.warnings, "hosted_references": refs, "options": rows}


def rows(report: dict) -> list[dict[str, Any]]:
    """Flat rows for table, CSV and Markdown."""
    out = []
    for e in report["options"]:
        o = e["option"]
        g, m = o.gpu, o.metrics
        be = e["breakeven"]
        basis = "estimated" if g["estimated"] else ("ceiling" if g["ceiling"] else "measured")
        out.append({
            "rank": o.rank, "model": o.model,
            "gpus": f"{g['gpus_per_replica']}x {g['gpu']}" if g["gpus_per_replica"] else f"- {g['gpu']}",
            "provider": o.provider, "pricing": o.tier, "scaling": g["scaling"], "precision": g["precision"],
            "per_gpu_hour": g["per_gpu_hour"], "cost_per_mtok_output": g["cost_per_mtok_output"],
            "replicas": g["replicas"], "utilisation": g["utilisation"], "monthly_cost": m["monthly_cost"],
            "cost_per_success": m["cost_per_success"], "basis": basis,
            "breakeven_vs_best": be.get("best", {}).get("tasks_per_month"),
            "breakeven_vs_batch": be.get("batch", {}).get("tasks_per_month"),
            "breakeven_vs_flex": be.get("flex", {}).get("tasks_per_month"),
            "status": o.status if o.status == "ok" else f"{o.status}: {o.reason}",
        })
    return out
