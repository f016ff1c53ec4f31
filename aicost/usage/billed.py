"""Provider cost reports read as billed amounts, one row per cost result, so that aicost can set
what a provider charged beside its own repricing of the usage. Three formats, told apart by what
a file holds (there is no flag to name one):

``openai-costs``
    Pages of OpenAI's organisation costs endpoint, ``GET /v1/organization/costs``
    (https://platform.openai.com/docs/api-reference/usage/costs). A page (``"object": "page"``)
    holds daily buckets (``start_time``/``end_time`` in Unix seconds, UTC), each with
    ``results`` whose ``amount`` is ``{"value": <dollars>, "currency": "usd"}``. ``line_item``
    is filled in only when the request grouped by it, and is free text: the reference gives it
    no format and its one example shows null (the same page:
    https://developers.openai.com/api/reference/resources/admin/subresources/organization/subresources/usage/methods/costs).
    Strings recorded from real organisations in public client code (found with a code search;
    not an OpenAI document, so it may change without notice) have the shape ``[<tier> | ]<model>[ <modality>], <charge>[, long context]``, for instance
    ``"gpt-4o-mini-2024-07-18, cached input"``, ``"gpt-4.1-2025-04-14, output"``,
    ``"priority | gpt-5.4-2026-03-05, input"``, ``"gpt-realtime-1.5 audio, output"``, beside
    items with no model at all such as ``"web search tool calls"`` and ``"Vector storage"``.
    :func:`openai_model` takes the model from that shape and gives None for anything else.
``anthropic-cost-report``
    Anthropic's Admin cost report, ``GET /v1/organizations/cost_report``
    (https://platform.claude.com/docs/en/api/admin/cost_report/retrieve): buckets with RFC 3339
    ``starting_at``/``ending_at`` and ``results`` whose ``amount`` is a decimal string in the
    currency's smallest unit, cents for USD (``"123.45"`` is $1.2345); ``model``,
    ``description``, ``cost_type`` and ``token_type`` are null unless grouped by description.
``anthropic-analytics-cost``
    Anthropic's Usage and Cost Analytics API, ``GET /v1/organizations/analytics/cost`` (beta
    header ``analytics-usage-cost-2026-08-24``;
    https://platform.claude.com/docs/en/manage-claude/usage-cost-analytics-api): flat rows of
    ``starting_at``/``ending_at``, a ``group`` of dimension values and a ``cost`` whose
    ``amount`` is fractional cents (written as a string; a JSON number is taken too).
    ``list_amount`` (the price before discounts) is not read: the billed amount is.

A file is one page, a JSON array of pages, or JSON Lines with one page a line. Every problem in
every file is collected and raised once as an :class:`InputError`: a file in none of the formats,
an amount that is null, text or not finite (never read as 0), a currency other than US dollars
(aicost does not convert currencies), a missing or unreadable bucket start, a result that is not
an object. A negative amount (a credit or refund) is kept as written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aicost.base.errors import InputError, Problem
from aicost.inputs import jsonfile

if TYPE_CHECKING:
    import pandas

FORMATS = ("openai-costs", "anthropic-cost-report", "anthropic-analytics-cost")
COLUMNS = ("day", "end_day", "provider", "model", "item", "amount", "format", "file")
WHAT = "a cost report"
MAX_BYTES = 100 * 1024 * 1024  # a year of daily buckets grouped by line item and project fits well
MAX_PROBLEMS = 200
#: The ``item`` of the row standing for a bucket with no results: it covers its days, costs nothing.
EMPTY = "(no costs)"

EXPECTED = ("expected one of: openai-costs (pages of OpenAI GET /v1/organization/costs), "
            "anthropic-cost-report (Anthropic GET /v1/organizations/cost_report), "
            "anthropic-analytics-cost (Anthropic GET /v1/organizations/analytics/cost)")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")
_TIER = re.compile(r"[\w-]+ \| ")
_MODEL = re.compile(r"[A-Za-z0-9][\w.:/-]*\Z")
_MODALITIES = frozenset({"text", "audio", "image"})
_TOKEN_KEYS = ("input_tokens", "uncached_input_tokens", "output_tokens", "num_model_requests")

Row = tuple  # (day, end_day, provider, model, item, amount, format, file)


def read_billed(paths: Sequence[Path]) -> pandas.DataFrame:
    """Every cost result of ``paths``, in file order, as a frame of :data:`COLUMNS`: ``day`` and
    ``end_day`` (the bucket's UTC start date and its exclusive end, midnight timestamps),
    ``provider`` (openai, anthropic), ``model`` and ``item`` (text or None), ``amount`` (US
    dollars, negative for a credit), ``format`` (one of :data:`FORMATS`) and ``file``."""
    rows: list[Row] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            for page in _pages(Path(path)):
                _read_page(page, rows)
                problems += page.problems
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems[:MAX_PROBLEMS], more=max(0, len(problems) - MAX_PROBLEMS))
    return _frame(rows)


def openai_model(line_item: object) -> str | None:
    """The model named by an OpenAI cost ``line_item`` (``"gpt-4o-2024-08-06, input"``,
    ``"priority | o3, output"``, ``"gpt-realtime audio, cached input"``), or None when it names
    none (``"web search tool calls"``) or has another shape."""
    if not isinstance(line_item, str):
        return None
    tier = _TIER.match(line_item)
    head, sep, charge = line_item[tier.end() if tier else 0:].partition(", ")
    words = head.split()
    if len(words) == 2 and words[1] in _MODALITIES:
        words = words[:1]
    ok = sep and charge.strip() and len(words) == 1 and _MODEL.match(words[0])
    return words[0] if ok else None


class _Page:
    """One JSON document that should be a page of a cost report, and its problems."""

    def __init__(self, file: str, line: int | None, base: str, doc: Any):
        self.file, self.line, self.base, self.doc = file, line, base, doc
        self.problems: list[Problem] = []

    def where(self, path: str) -> str:
        return f"{self.base}.{path}" if self.base and path else self.base or path

    def bad(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.line, self.where(path), message))


def _pages(path: Path) -> Iterator[_Page]:
    """The pages of one file: one JSON document, an array of pages, or JSON Lines."""
    where = str(path)
    if path.is_dir():
        raise InputError(Problem(where, None, "", f"is a directory, expected {WHAT} (a JSON file)"))
    try:
        doc, _ = jsonfile.read(path, WHAT, max_bytes=MAX_BYTES)
    except InputError as exc:
        # jsonfile.read words json's "Extra data" (a second document after the first) this way
        if not (len(exc.problems) == 1 and exc.problems[0].message == "not a JSON file: Extra data"):
            raise
        yield from _json_lines(path, where)  # several documents: one page a line
        return
    if isinstance(doc, list) and (not doc or any(_format_of(page) for page in doc)):
        for k, page in enumerate(doc):
            yield _Page(where, None, f"[{k}]", page)
    else:
        yield _Page(where, None, "", doc)


def _json_lines(path: Path, where: str) -> Iterator[_Page]:
    from aicost.inputs.yamlio import read_text

    bad: list[Problem] = []
    read = 0
    for n, line in enumerate(read_text(path, where, max_bytes=MAX_BYTES).splitlines(), 1):
        if not line.strip():
            continue
        try:
            doc = jsonfile.loads(line)
        except RecursionError:
            bad.append(Problem(where, n, "", f"nested too deeply; not {WHAT}"))
            continue
        except ValueError as exc:
            why = getattr(exc, "msg", exc)
            if not read and not bad:  # the first line is no document: not JSON Lines at all
                raise InputError(Problem(where, n, "", f"not JSON Lines ({why}): {WHAT} is one JSON document, "
                                                       "a JSON array of pages, or one page a line")) from None
            bad.append(Problem(where, n, "", f"not JSON: {why} (a JSON Lines file holds one page a line)"))
            continue
        read += 1
        yield _Page(where, n, "", doc)
    if bad:
        raise InputError(bad)


def _format_of(doc: Any) -> str | None:
    """Which format a page is in, from its shape; None when it is in none of them."""
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        return None
    rows = [r for r in doc["data"] if isinstance(r, dict)]
    if any("cost" in r and "results" not in r for r in rows):
        return FORMATS[2]
    if (rows and not any("results" in r for r in rows)) or (not rows and doc["data"]):
        return None
    results = [x for r in rows if isinstance(r.get("results"), list) for x in r["results"] if isinstance(x, dict)]
    if results and not any("amount" in x for x in results):
        return None  # a usage report: tokens, not money
    openai = doc.get("object") == "page" or any(r.get("object") == "bucket" or "start_time" in r or "end_time" in r
                                                for r in rows)
    anthropic = any("starting_at" in r or "ending_at" in r for r in rows)
    if openai == anthropic:
        return None if rows else FORMATS[0 if openai else 1]  # an empty page adds no rows either way
    return FORMATS[0 if openai else 1]


def _not_a_report(doc: Any) -> str:
    rows = doc.get("data") if isinstance(doc, dict) else None
    found = [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []
    found += [x for r in found if isinstance(r.get("results"), list) for x in r["results"] if isinstance(x, dict)]
    usage = any(k in x for x in found for k in _TOKEN_KEYS)
    return f"not {WHAT}: {EXPECTED}" + ("; this looks like a usage report (tokens, not money)" if usage else "")


def _read_page(page: _Page, rows: list[Row]) -> None:
    fmt = _format_of(page.doc)
    if fmt is None:
        page.bad("", _not_a_report(page.doc))
        return
    for i, entry in enumerate(page.doc["data"]):
        path = f"data[{i}]"
        if not isinstance(entry, dict):
            page.bad(path, f"not an object: {_shown(entry)}")
        elif fmt == FORMATS[2]:
            _analytics_row(page, path, entry, rows)
        else:
            _bucket(page, path, entry, fmt, rows)


def _bucket(page: _Page, path: str, bucket: dict, fmt: str, rows: list[Row]) -> None:
    """One bucket of an OpenAI costs page or an Anthropic cost report, and its results."""
    openai = fmt == FORMATS[0]
    start_key, end_key = ("start_time", "end_time") if openai else ("starting_at", "ending_at")
    day = _day(page, f"{path}.{start_key}", bucket.get(start_key, _MISSING), openai)
    end = _day(page, f"{path}.{end_key}", bucket.get(end_key), openai, required=False)
    results = bucket.get("results")
    if not isinstance(results, list):
        page.bad(f"{path}.results", f"not a list: {_shown(results)}")
        return
    if not results and day is not None:  # a day with no costs: still a day the report covers
        rows.append((day, end, "openai" if openai else "anthropic", None, EMPTY, 0.0, fmt, page.file))
    for j, r in enumerate(results):
        rpath = f"{path}.results[{j}]"
        if not isinstance(r, dict):
            page.bad(rpath, f"not an object: {_shown(r)}")
            continue
        if openai:
            money = r.get("amount", _MISSING)
            if isinstance(money, dict):
                amount = _amount(page, f"{rpath}.amount.value", money.get("value", _MISSING), cents=False)
                _currency(page, f"{rpath}.amount.currency", money.get("currency", _MISSING))
            else:
                amount = None
                page.bad(f"{rpath}.amount", "missing" if money is _MISSING else f"not an object: {_shown(money)}")
            item = _text(page, f"{rpath}.line_item", r.get("line_item"))
            model = openai_model(item)
        else:
            amount = _amount(page, f"{rpath}.amount", r.get("amount", _MISSING), cents=True)
            _currency(page, f"{rpath}.currency", r.get("currency", _MISSING))
            model = _text(page, f"{rpath}.model", r.get("model"))
            item = _text(page, f"{rpath}.description", r.get("description")) or _kind(page, rpath, r)
        if day is not None and amount is not None:
            rows.append((day, end, "openai" if openai else "anthropic", model, item, amount, fmt, page.file))


def _analytics_row(page: _Page, path: str, row: dict, rows: list[Row]) -> None:
    day = _day(page, f"{path}.starting_at", row.get("starting_at", _MISSING), False)
    end = _day(page, f"{path}.ending_at", row.get("ending_at"), False, required=False)
    group, cost = row.get("group"), row.get("cost")
    if group is not None and not isinstance(group, dict):
        page.bad(f"{path}.group", f"not an object: {_shown(group)}")
    group = group if isinstance(group, dict) else {}
    model = _text(page, f"{path}.group.model", group.get("model"))
    item = _kind(page, f"{path}.group", group)
    if not isinstance(cost, dict):
        page.bad(f"{path}.cost", "missing" if cost is None else f"not an object: {_shown(cost)}")
        return
    amount = _amount(page, f"{path}.cost.amount", cost.get("amount", _MISSING), cents=True)
    _currency(page, f"{path}.cost.currency", cost.get("currency", _MISSING))
    if day is not None and amount is not None:
        rows.append((day, end, "anthropic", model, item, amount, FORMATS[2], page.file))


_MISSING: Any = object()


def _shown(value: Any) -> str:
    """A JSON value as written, short: null, true, 'text', 12."""
    if value is None or value is _MISSING:
        return "null" if value is None else "missing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _amount(page: _Page, path: str, value: Any, cents: bool) -> float | None:
    """US dollars from a JSON number or a decimal string (cents when ``cents``); None, with the
    problem noted, for anything else: null is not 0, and NaN or 1e400 is not a cost."""
    if value is _MISSING or value is None:
        page.bad(path, "missing" if value is _MISSING else "null, not a number (a cost is never read as 0)")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        page.bad(path, f"not a number: {_shown(value)}")
        return None
    if isinstance(value, str) and not _DECIMAL.match(value):
        page.bad(path, f"not a number: {_shown(value)}")
        return None
    exact = Decimal(repr(value) if isinstance(value, float) else value)
    dollars = float(exact / 100 if cents else exact)
    if not math.isfinite(dollars):
        page.bad(path, f"not a finite number: {_shown(value)}")
        return None
    return dollars


def _currency(page: _Page, path: str, value: Any) -> None:
    if not (isinstance(value, str) and value.upper() == "USD"):
        said = "missing" if value is _MISSING else f"{_shown(value)}, not USD"
        page.bad(path, f"{said}: aicost reads amounts in US dollars and does not convert currencies")


def _day(page: _Page, path: str, value: Any, unix: bool, required: bool = True) -> date | None:
    """The UTC date of a bucket's start or end: Unix seconds (OpenAI) or RFC 3339 text (Anthropic;
    a time without a zone is taken as UTC)."""
    if value is _MISSING or value is None:
        if required:
            page.bad(path, "missing start time" if value is _MISSING else "null, not a start time")
        return None
    try:
        if unix:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError
            return datetime.fromtimestamp(value, UTC).date()
        if not isinstance(value, str):
            raise TypeError
        t = datetime.fromisoformat(value)
        return (t.astimezone(UTC) if t.tzinfo else t).date()
    except (TypeError, ValueError, OverflowError, OSError):
        page.bad(path, f"not {'a Unix time in seconds' if unix else 'an RFC 3339 time'}: {_shown(value)}")
        return None


def _text(page: _Page, path: str, value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    page.bad(path, f"not text: {_shown(value)}")
    return None


def _kind(page: _Page, path: str, r: dict) -> str | None:
    """``cost_type`` and ``token_type`` as one label (``tokens, output_tokens``), or None."""
    parts = [_text(page, f"{path}.{k}", r.get(k)) for k in ("cost_type", "token_type")]
    return ", ".join(p for p in parts if p) or None


def _frame(rows: list[Row]) -> pandas.DataFrame:
    import numpy as np
    import pandas as pd

    cols = list(zip(*rows)) if rows else [()] * len(COLUMNS)
    days = {c: pd.Series(np.array(cols[i], dtype="datetime64[D]")).astype("datetime64[s]")
            for i, c in enumerate(COLUMNS[:2])}
    return pd.DataFrame({
        **days,
        "provider": pd.Series(cols[2], dtype="str"),
        "model": pd.Series(cols[3], dtype=object),
        "item": pd.Series(cols[4], dtype=object),
        "amount": pd.Series(cols[5], dtype="float64"),
        "format": pd.Series(cols[6], dtype="str"),
        "file": pd.Series(cols[7], dtype="str"),
    })
