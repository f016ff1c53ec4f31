"""``aicost diff BASE.json HEAD.json``: what changed between two ``aicost compare --format json``
reports (the main branch's and a pull request's, say), per scenario and in total, and why; no
budget needed.

Each scenario is matched by name. Its figure is the recommended option's monthly cost. When
both reports recommend the same option, the change is split into drivers, meter by meter:

- a token meter's cost is tokens x rate: the change splits into **volume** (tasks per month),
  **tokens** per task and **price** (the rate per token), each valued at the other's level
  (volume and tokens at the base's rates; price at the head's tokens), so the parts add up;
- review and fallback are **people** (per task: their volume part is volume);
- fixed, GPU and operations costs are **fixed**;
- what the meters leave unexplained (more or fewer attempts per task) is **attempts**.

When the recommendation changed, that is the first thing said; the drivers are those of the
option recommended before, priced in both reports (like for like), when the head still has it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aicost.base.constants import MEDIA_METERS
from aicost.base.errors import InputError, Problem
from aicost.results.diff import DiffResult, Driver, ScenarioChange

#: Usage meters split into volume, usage and price: text tokens, then audio, speech, images and embeddings
#: (each in its own unit: meters.tokens or meters.units).
TOKEN_METERS = ("input", "cached_input", "cache_write", "output", "reasoning", *MEDIA_METERS)
PEOPLE = ("review", "fallback")
FIXED = ("fixed", "gpu", "ops", "storage", "cache_storage")


def read_report(path: str | Path) -> dict:
    """A saved compare report, checked for the shape diff reads."""
    from aicost.inputs import jsonfile

    where = str(path)
    data, _ = jsonfile.read(path, "an aicost compare report", max_bytes=200 * 1024 * 1024)
    if not isinstance(data, dict) or data.get("kind") != "compare" or not isinstance(data.get("scenarios"), list):
        raise InputError(Problem(where, None, "", 'not an aicost compare report (expected "kind": "compare" with '
                                                  '"scenarios"); save one with aicost compare ... --format json'))
    return data


def diff(base_path: str | Path, head_path: str | Path) -> DiffResult:
    base, head = read_report(base_path), read_report(head_path)
    if base.get("currency") != head.get("currency"):
        raise InputError(Problem(str(head_path), None, "", f"priced in {head.get('currency')}, the base in "
                                                           f"{base.get('currency')}: not comparable"))
    before = _by_name(base, base_path)
    after = _by_name(head, head_path)
    out = DiffResult(base=str(base_path), head=str(head_path), currency=str(head.get("currency")))
    for name in sorted(before.keys() | after.keys()):
        b, h = before.get(name), after.get(name)
        out.scenarios.append(_change(name, b, h))
    return out


def _by_name(report: dict, path) -> dict[str, dict]:
    out = {}
    for i, s in enumerate(report["scenarios"]):
        if not isinstance(s, dict) or not isinstance(s.get("name"), str) or not isinstance(s.get("options"), list):
            raise InputError(Problem(str(path), None, f"scenarios[{i}]", "not a scenario of a compare report"))
        out[s["name"]] = s
    return out


def _best(s: dict) -> dict | None:
    return _option(s, s.get("best"))


def _option(s: dict, oid: str | None) -> dict | None:
    return next((o for o in s["options"] if isinstance(o, dict) and o.get("id") == oid), None) if oid else None


def _num(x: Any) -> float | None:
    return float(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else None


def _change(name: str, b: dict | None, h: dict | None) -> ScenarioChange:
    ref = h or b
    assert ref is not None
    c = ScenarioChange(scenario=name, file=str(ref.get("file", "")), status="changed")
    ob, oh = (_best(b) if b else None), (_best(h) if h else None)
    c.option_before, c.option_after = (ob or {}).get("id"), (oh or {}).get("id")
    c.monthly_before, c.monthly_after = _num((ob or {}).get("monthly_cost")), _num((oh or {}).get("monthly_cost"))
    c.per_success_before = _num((ob or {}).get("total_cost_per_success"))
    c.per_success_after = _num((oh or {}).get("total_cost_per_success"))
    if b is None or h is None:
        c.status = "added" if b is None else "removed"
        return c
    like = _option(h, c.option_before) if ob else None  # the option recommended before, priced now
    if ob is not None and like is not None:
        c.drivers = drivers(b, ob, h, like)
    if c.change is not None and abs(c.change) <= 1e-9 * max(abs(c.monthly_before or 0), 1.0) \
            and c.option_before == c.option_after:
        c.status = "unchanged"
    return c


def drivers(sb: dict, ob: dict, sh: dict, oh: dict) -> list[Driver]:
    """The change in one option's monthly cost between two reports, by driver (they add up to it)."""
    tb, th = _num(sb.get("tasks_per_month")) or 0.0, _num(sh.get("tasks_per_month")) or 0.0
    mb, mh = ob.get("meters") or {}, oh.get("meters") or {}
    cb, ch = mb.get("cost") or {}, mh.get("cost") or {}
    kb, kh = {**(mb.get("tokens") or {}), **(mb.get("units") or {})}, {**(mh.get("tokens") or {}), **(mh.get("units") or {})}
    parts = {"volume": 0.0, "tokens": 0.0, "price": 0.0, "people": 0.0, "fixed": 0.0, "attempts": 0.0}
    scale = th / tb if tb else 1.0
    for m in TOKEN_METERS:
        cost_b, cost_h = _num(cb.get(m)) or 0.0, _num(ch.get(m)) or 0.0
        tok_b, tok_h = _num(kb.get(m)) or 0.0, _num(kh.get(m)) or 0.0
        if tok_b and tok_h:
            rate_b, rate_h = cost_b / tok_b, cost_h / tok_h
            parts["volume"] += rate_b * tok_b * (scale - 1.0)
            parts["tokens"] += rate_b * (tok_h - tok_b * scale)
            parts["price"] += (rate_h - rate_b) * tok_h
        else:
            parts["tokens"] += cost_h - cost_b
    for m in PEOPLE:
        cost_b, cost_h = _num(cb.get(m)) or 0.0, _num(ch.get(m)) or 0.0
        parts["volume"] += cost_b * (scale - 1.0)
        parts["people"] += cost_h - cost_b * scale
    for m in FIXED:
        parts["fixed"] += (_num(ch.get(m)) or 0.0) - (_num(cb.get(m)) or 0.0)
    total = (_num(oh.get("monthly_cost")) or 0.0) - (_num(ob.get("monthly_cost")) or 0.0)
    parts["attempts"] = total - sum(parts.values())  # tools and the rest: what the meters above leave
    detail = {"volume": f"tasks/month {tb:,.0f} → {th:,.0f}" if tb != th else "",
              "attempts": _attempts(ob, oh)}
    eps = 1e-9 * max(abs(_num(ob.get("monthly_cost")) or 0.0), 1.0)
    found = [Driver(k, v, detail.get(k, "")) for k, v in parts.items() if abs(v) > eps]
    found.sort(key=lambda d: -abs(d.amount))
    return found


def _attempts(ob: dict, oh: dict) -> str:
    a, b = _num(ob.get("expected_attempts")), _num(oh.get("expected_attempts"))
    return f"attempts per task {a:.3g} → {b:.3g}" if a is not None and b is not None and a != b else ""
