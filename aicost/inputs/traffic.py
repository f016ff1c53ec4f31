"""Checks of a scenario's traffic sections that span fields (docs/formulas.md "Traffic"): segment
shares, the router, effort levels asked for, and format-failure rates against the failures."""

from __future__ import annotations

from typing import Any

from aicost.base.errors import Problem
from aicost.inputs.yamlio import Document


def check_traffic(spec: Any, doc: Document) -> list[Problem]:
    """Segments' shares add up; a router needs segments; effort levels asked for exist."""
    out = []
    if spec.segments:
        given = [s.share for s in spec.segments.values() if s.share is not None]
        total = sum(given)
        if len(given) < len(spec.segments) - 1:
            out.append(doc.problem(("segments",), "give every segment's share but one (that one is the rest)"))
        elif total > 1.0 + 1e-9 or (len(given) == len(spec.segments) and abs(total - 1.0) > 1e-9):
            out.append(doc.problem(("segments",), f"the segments' shares add up to {total:g}, not 1"))
        elif len(given) < len(spec.segments) and total > 1.0 - 1e-9:
            out.append(doc.problem(("segments",), "the shares given add up to 1: the segment without one would "
                                                  "get no requests"))
        for key in ("self_hosted", "provisioned"):
            if getattr(spec, key) is not None:
                out.append(doc.problem((key,), f"{key}: is not combined with segments: yet (a fleet or a reservation "
                                               f"is sized for the whole load, not per segment)"))
    elif spec.router is not None:
        out.append(doc.problem(("router",), "router: needs segments: to route between"))
    out += _format_failures(spec, doc)
    wanted = spec.options.effort
    for ref, m in spec.models.items():
        if wanted and m.effort and not set(wanted) & set(m.effort):
            out.append(doc.problem(("options", "effort"), f"'{ref}' lists none of these effort levels (it lists "
                                                          f"{', '.join(m.effort)}): it would not be compared"))
    return out


def _format_failures(spec: Any, doc: Document) -> list[Problem]:
    """A format-failure rate is a part of the failures: at most 1 - p_success wherever the two meet
    (quality's default on each model, a segment's rates, a cascade stage, an open model)."""
    q = spec.quality.format_failure_rate
    out: list[Problem] = []

    def hold(where: tuple, p: float | None, f: float | None, whose: str) -> None:
        if p is not None and f is not None and f > 1 - p + 1e-12:
            out.append(doc.problem(where, f"format_failure_rate ({f:g}{whose}) exceeds the failures (1 - p_success "
                                          f"= {1 - p:g}): format failures are a part of them"))

    def levels(m):  # (suffix, p, f) of a model and each of its effort levels
        yield "", m.p_success, m.format_failure_rate
        for k, lv in (m.effort or {}).items():
            yield f" at effort {k}", lv.p_success if lv.p_success is not None else m.p_success, \
                lv.format_failure_rate if lv.format_failure_rate is not None else m.format_failure_rate

    for ref, m in spec.models.items():
        for suffix, p, f in levels(m):
            if f is None:
                hold(("quality", "format_failure_rate"), p, q, f", quality's default, on {ref}{suffix}")
    for name, seg in spec.segments.items():
        for ref, sm in seg.models.items():
            if ref not in spec.models:
                continue
            m = spec.models[ref]
            for suffix, p, f in levels(m):
                lv = (sm.effort or {}).get(suffix.removeprefix(" at effort ")) if suffix else None
                p = sm.p_success if sm.p_success is not None else (lv.p_success if lv and lv.p_success is not None
                                                                   else p)
                f = sm.format_failure_rate if sm.format_failure_rate is not None else (
                    lv.format_failure_rate if lv and lv.format_failure_rate is not None else (f if f is not None else q))
                hold(("segments", name, "models", ref), p, f, suffix and f"{suffix}")
    for name, c in spec.cascades.items():
        for i, st in enumerate(c.stages):
            m = spec.models.get(st.model)
            p = st.p_success if st.p_success is not None else (m.p_success if m else None)
            f = st.format_failure_rate if st.format_failure_rate is not None else (
                m.format_failure_rate if m and m.format_failure_rate is not None else q)
            hold(("cascades", name, "stages", i), p, f, "")
    for ref, sm in (spec.self_hosted.models.items() if spec.self_hosted else []):
        hold(("self_hosted", "models", ref), sm.p_success, sm.format_failure_rate if sm.format_failure_rate is not None
             else q, "")
    return out
