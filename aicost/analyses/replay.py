"""``aicost replay``: a usage log's own requests priced under other options, by tag, beside what
they cost as logged (the stages are in :mod:`aicost.usage.replay`)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from aicost.base.constants import TIERS
from aicost.base.errors import InputError, Problem, bad_argument
from aicost.results.rows import RowsResult

if TYPE_CHECKING:
    from aicost.usage.replay import ReplayOption

CENT = Decimal("0.000001")


def parse_option(text: str, book) -> "ReplayOption":
    """``MODEL[:TIER][:nocache]`` (MODEL as the tables name it, with or without its provider)."""
    from aicost.usage.replay import ReplayOption, Stage

    parts = [p.strip() for p in text.split(":") if p.strip()]
    if not parts:
        raise bad_argument("option", "expected MODEL[:TIER][:nocache], e.g. gpt-5.4-mini:batch")
    model, rest = parts[0], parts[1:]
    caching = "nocache" not in rest
    rest = [p for p in rest if p != "nocache"]
    tier = rest[0] if rest else "standard"
    if tier not in TIERS or len(rest) > 1:
        raise bad_argument("option", f"'{text}': expected MODEL[:TIER][:nocache], TIER one of {', '.join(TIERS)}")
    hits = book.resolve(model)
    if not hits:
        raise bad_argument("option", f"'{text}': unknown model '{model}'{book.suggest(model)}")
    e = hits[0]
    if not e.offers(tier):
        offered = [t for t in e.spec.tiers if e.offers(t)]
        raise bad_argument("option", f"'{text}': {e.key} offers no {tier} tier (it offers {', '.join(offered)})")
    label = f"{e.key}:{tier}" + ("" if caching else ":nocache")
    return ReplayOption(label, (Stage(e.provider, e.id, tier),), caching)


def scenario_options(ref: str, book) -> list:
    """A scenario's models (each on Standard) and cascades: a cascade's stages each take the share of
    the requests that reach them, with the attempts each makes there (the scenario's success rates)."""
    from aicost.engine import formulas as F
    from aicost.inputs import scenario as scenario_mod
    from aicost.usage.replay import ReplayOption, Stage

    ls = scenario_mod.load(ref, book, [])
    spec = ls.plain
    out = []
    for ref_, entries in ls.models.items():
        e = entries[0]
        out.append(ReplayOption(f"{e.key}:standard", (Stage(e.provider, e.id, "standard"),)))
    q = spec["quality"]
    for name, c in (spec.get("cascades") or {}).items():
        reached, stages = 1.0, []
        for st in c["stages"]:
            m = spec["models"].get(st["model"]) or {}
            pick = lambda k: next(v for v in (st.get(k), m.get(k), q.get(k)) if v is not None)  # noqa: E731
            a, _, _, g = F.retry_outcomes(pick("p_success"), pick("detection_rate"), pick("attempts_allowed"))
            e = book.resolve(st["model"])[0]
            stages.append(Stage(e.provider, e.id, st["tier"], float(reached * a)))
            reached *= float(g)
        out.append(ReplayOption(f"cascade/{name}", tuple(stages)))
    return out


def run(usage: Sequence[Path], options: Sequence[str] = (), scenario: str | None = None, by: str = "team",
        source: str = "aicost", can_wait: Sequence[str] = (), pricing: Sequence = (), on_error: str = "stop",
        engine: str = "local", scheduler: str | None = None, progress=None) -> RowsResult:
    """The log's requests as logged and under each option, per value of the ``by`` tags."""
    from aicost.inputs.pricebook import PriceBook
    from aicost.usage import layouts, pipeline
    from aicost.usage.price import Rates
    from aicost.usage.replay import replay

    keys = [k.strip() for k in by.split(",") if k.strip()]
    if not keys:
        raise bad_argument("by", "give at least one tag, e.g. team")
    waits = []
    for w in can_wait:
        tag, eq, val = w.partition("=")
        if not eq or not tag.strip() or not val.strip():
            raise bad_argument("can_wait", f"'{w}': expected TAG=VALUE, e.g. feature=nightly-report")
        waits.append((tag.strip(), val.strip()))
    layout = layouts.get(source)
    book = PriceBook.load(list(pricing))
    opts, problems = [], []
    for text in options:
        try:
            opts.append(parse_option(text, book))
        except InputError as exc:
            problems += exc.problems
    if scenario:
        opts += scenario_options(scenario, book)
    if problems:
        raise InputError(problems)
    if not opts:
        raise bad_argument("option", "name at least one option (--option MODEL[:TIER][:nocache], or --scenario)")
    rates = Rates(book)
    read = keys + [t for t, _ in waits if t not in keys]
    groups, stats = pipeline.read_groups(list(usage), layout, read, rates, on_error, engine, scheduler,
                                         progress=progress)
    if not len(groups):
        raise InputError(Problem(str(usage[0]) if usage else "usage", None, "", "no usage rows to replay"))
    check_tags(groups, keys, waits)
    table, waiting = replay(groups, rates, keys, opts, waits)
    notes = []
    if any(st.tier in ("batch", "flex") for o in opts for st in o.stages) and not waiting:
        notes.append("no request can wait (none logged on Batch or Flex, none named by --can-wait): the Batch and "
                     "Flex options ran every request on Standard")
    # a cell with unpriced requests has no total (never $0): the meta counts them
    columns = [("as logged", "paid", "paid_unpriced")] + [(o.label, f"option.{j}", f"option.{j}.unpriced")
                                                         for j, o in enumerate(opts)]
    rows: list[dict[str, Any]] = []
    for r in table.to_dict("records"):
        row: dict[str, Any] = {k: _tag(r.get(f"tag.{k}")) for k in keys}
        row["requests"] = int(r["requests"])
        for label, cost, bad in columns:
            row[label] = None if r[bad] > 0 else _money(r[cost])
        rows.append(row)
    total: dict[str, Any] = {k: "(all)" for k in keys}
    total["requests"] = int(table["requests"].sum())
    for label, cost, bad in columns:
        total[label] = None if table[bad].sum() > 0 else _money(table[cost].sum())
    rows.append(total)
    unpriced = {label: int(table[bad].sum()) for label, _, bad in columns}
    priced = [o for o in opts if total[o.label] is not None]
    cheapest = min(priced, key=lambda o: total[o.label]) if priced else None
    meta = {"currency": book.currency, "rows_read": stats["rows"], "rows_skipped": stats["skipped"], "notes": notes,
            "waiting_requests": int(waiting),
            "can_wait": [f"{t}={v}" for t, v in waits], "unpriced_requests": unpriced,
            "options": [{"label": o.label, "stages": [vars(s) for s in o.stages], "caching": o.caching} for o in opts],
            "cheapest": cheapest.label if cheapest else None,
            "saves": float(total["as logged"] - total[cheapest.label])
            if cheapest and total["as logged"] is not None else None}
    cols = (*keys, "requests", "as logged", *(o.label for o in opts))
    return RowsResult("replay", rows, columns=cols, right=cols[len(keys):], meta=meta)


def check_tags(groups, keys: list[str], waits: Sequence[tuple[str, str]] = ()) -> None:
    """Every --by tag is on some row, and every --can-wait value too (a typo would silently change
    nothing)."""
    problems = []
    for k in keys:
        col = groups.get(f"tag.{k}")
        if col is None or not col.notna().any():
            problems.append(Problem("aicost", None, "by", f"no row of the log carries the tag '{k}'"))
    for tag, val in waits:
        col = groups.get(f"tag.{tag}")
        if col is None or not (col.astype(object) == val).any():
            problems.append(Problem("aicost", None, "can_wait", f"no row of the log has {tag}={val}"))
    if problems:
        raise InputError(problems)


def _tag(v):
    """A tag value as text; an untagged group's None (pandas gives NaN for it)."""
    return None if v is None or (isinstance(v, float) and v != v) else v


def _money(x) -> Decimal:
    return Decimal(repr(float(x))).quantize(CENT)
