"""``aicost calibrate``: a scenario (or one segment per tag value) built from a usage log, what a
log can know measured, what it cannot (success rates, review, value) left as marked placeholders
(the measuring is in :mod:`aicost.usage.calibrate`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from aicost.base.constants import DAYS_PER_MONTH
from aicost.base.errors import InputError, Problem, bad_argument
from aicost.results.calibrate import Calibration

QUANTILES = (0.1, 0.5, 0.9)


def figures(s, days: int) -> dict[str, Any]:
    """What one group's statistics say: tasks a month, the day's shape, token ranges, hit rate."""
    shape = [round(float(x) / days, 3) for x in s.hours] if s.hours.sum() > 0 else None
    q = {k: [round(s.quantile(k, p)) for p in QUANTILES] for k in ("input", "output")}
    hits = s.cached_hit.sum()
    prefix = round(s.quantile("cached", 0.5, s.cached_hit)) if hits > 0 else 0
    hit_rate = min(1.0, s.tokens["cached"] / (s.requests * prefix)) if prefix > 0 and s.requests else 0.0
    return {"requests": s.requests, "tasks_per_month": round(s.requests / days * DAYS_PER_MONTH, 1),
            "daily_shape": shape, "input_tokens": q["input"], "output_tokens": q["output"],
            "cached_prefix_tokens": min(prefix, q["input"][1]), "hit_rate": round(hit_rate, 4),
            "cached_tokens": s.tokens["cached"],
            "models": {m: round(c / s.requests, 4) for m, c in sorted(s.models.items(), key=lambda x: -x[1])}}


def _range(v: list) -> str:
    lo, mid, hi = v
    return str(mid) if lo == mid == hi else f"{{low: {lo}, likely: {mid}, high: {hi}}}"


def _steps(f: dict, indent: str) -> list[str]:
    return [f"{indent}- name: request",
            f"{indent}  input_tokens: {_range(f['input_tokens'])}     # P10, P50, P90 of a request's prompt",
            f"{indent}  cached_prefix_tokens: {f['cached_prefix_tokens']}",
            f"{indent}  output_tokens: {_range(f['output_tokens'])}"]


def scenario_text(name: str, source: str, whole: dict, groups: list[tuple[str, dict]], by: str | None, days: int,
                  book) -> str:
    known = {m: share for m, share in whole["models"].items() if book.resolve(m)}
    unknown = [m for m in whole["models"] if m not in known]
    if not known:
        raise InputError(Problem(source, None, "", "no model of the log is in the price tables (" +
                                 ", ".join(unknown[:5]) + "): nothing to compare"))
    lines = [f"# Calibrated by aicost calibrate from {source}: {whole['requests']:,.0f} requests over {days} days.",
             "# Measured: the volume, the day's shape, each request's tokens and the cache hit rate.",
             "# What a log cannot know is marked 'placeholder': success rates, the latency need, review, value."]
    if days < 7:
        lines.append(f"# Only {days} day(s) of log: the volume a month is extrapolated from them.")
    if unknown:
        lines.append("# Models of the log not in the price tables (left out): " + ", ".join(
            f"{m} ({whole['models'][m]:.0%})" for m in unknown[:5]))
    if groups:
        lines.append("# A segment's cached prefix is set so that, at the log's hit rate, it reads the cached tokens "
                     "it did.")
    lines += [
             "version: 1", f"name: {json.dumps(name)}",
             f"description: {json.dumps(f'Calibrated from {source}')}",
             "volume:", f"  tasks_per_month: {whole['tasks_per_month']}"]
    if whole["daily_shape"]:
        lines.append(f"  daily_shape: {json.dumps(whole['daily_shape'])}   # requests by hour of the day, UTC")
    else:
        lines.append("  peak_to_average: 2                  # placeholder: the log's times have no hour")
    lines += ["latency:", "  p95_seconds: 30                     # placeholder: your latency need",
              "attempt:", "  steps:", *_steps(whole, "    "),
              "caching:", f"  hit_rate: {whole['hit_rate']}",
              "models:                               # the log's models; p_success is a placeholder"]
    for m, share in known.items():
        lines.append(f"  {json.dumps(m)}: {{p_success: 0.9}}   # {share:.0%} of the requests")
    lines += ["value:", "  value_per_success: 0.0              # placeholder: what a successful request is worth"]
    if groups:
        lines += [f"segments:                             # one per value of the tag '{by}'"]
        for i, (key, f) in enumerate(groups):
            if whole["hit_rate"] > 0:  # one hit rate in a scenario: the segment's prefix carries its cache reads
                f = {**f, "cached_prefix_tokens": min(f["input_tokens"][1], round(
                    f["cached_tokens"] / max(f["requests"], 1.0) / whole["hit_rate"]))}
            lines.append(f"  {json.dumps(key)}:")
            if i < len(groups) - 1:
                lines.append(f"    share: {round(f['requests'] / whole['requests'], 6)}")
            else:
                lines.append("    # share: the rest")
            lines += ["    attempt:", "      steps:", *_steps(f, "        ")]
    return "\n".join(lines) + "\n"


def run(usage: Sequence[Path], by: str | None = None, source: str = "aicost", name: str | None = None,
        pricing: Sequence = (), top: int = 20) -> Calibration:
    from aicost.inputs.pricebook import PriceBook
    from aicost.usage import layouts
    from aicost.usage.calibrate import collect

    if by is not None and not by.strip():
        raise bad_argument("by", "give a tag, e.g. feature")
    layout = layouts.get(source)
    book = PriceBook.load(list(pricing))
    stats, days = collect(list(usage), layout, by.strip() if by else None)
    whole = figures(stats[None], days)
    groups = []
    if by:
        tagged = sorted(((k[1], s) for k, s in stats.items() if k is not None), key=lambda x: -x[1].requests)
        groups = [("(untagged)" if key is None else str(key), figures(s, days)) for key, s in tagged[:top]]
    label = name or Path(str(usage[0])).stem
    text = scenario_text(label, ", ".join(str(u) for u in usage), whole, groups, by, days, book)
    return Calibration(text, {"days": days, "whole": whole, "segments": dict(groups)})
