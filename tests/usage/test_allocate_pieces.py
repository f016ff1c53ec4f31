"""allocate at scale: a log cut into pieces and summed by group on several threads must give
what the whole log priced row by row gives, with the same messages and the same bytes."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest

from aicost.inputs.pricebook import PriceBook
from aicost.report.allocation import render_json
from aicost.usage import layouts, pieces, pipeline

BY = ["team", "feature"]


@pytest.fixture(scope="module")
def book():
    return PriceBook.load()


#: models served in June 2025 (the price tables date releases: a row before one is unpriced)
MODELS = [("openai", "gpt-4.1-mini"), ("openai", "o3"), ("anthropic", "claude-sonnet-4-0"),
          ("anthropic", "claude-opus-4-0"), ("google", "gemini-2.5-flash")]
FIRST_DAY = {"gemini-2.5-flash": 16}  # days after 2025-06-01 a model is first served


def make_log(path: Path, n: int, seed: int = 3, newline: str = "\n", trailing: bool = True,
             quote_at: int | None = None) -> list[dict]:
    """A log in aicost's layout with numeric-looking tags ("007", "42"), empty tags, every tier,
    days either side of o3's 2025-06-10 price cut, and some prompts over 200k tokens."""
    rng = np.random.default_rng(seed)
    rows = []
    start = date(2025, 6, 1)
    for i in range(n):
        prov, model = MODELS[int(rng.integers(len(MODELS)))]
        # (o3's Priority prices start at its 2025-06-10 cut: earlier rows would be unpriced, tested elsewhere)
        tier = ["standard", "batch", "standard", "priority" if model == "gpt-4.1-mini" else "batch"][int(rng.integers(4))]
        big = rng.random() < 0.05
        requests = int(rng.integers(1, 3))
        rows.append({
            "timestamp": (start + timedelta(days=int(rng.integers(FIRST_DAY.get(model, 0), 20)))).isoformat()
            + ("" if rng.random() < 0.5 else f"T{int(rng.integers(0, 24)):02d}:15:00Z"),
            "provider": prov, "model": model, "tier": tier, "requests": requests,
            "input_tokens": int(rng.integers(210_000, 400_000)) * requests if big else int(rng.integers(100, 9000)),
            # (o3 and gpt-4.1-mini on Batch have no cached-input rate: such rows would be unpriced, a case
            # tested elsewhere)
            "cached_input_tokens": int(rng.integers(0, 2000)) if prov != "google" and tier != "batch" else 0,
            "output_tokens": int(rng.integers(5, 1500)),
            # early rows all look like numbers; later ones mix in text ("007" must stay "007")
            "team": ["007", "42", "", "7"][int(rng.integers(4))] if i < n // 2 else
            ["007", "search", "", "42"][int(rng.integers(4))],
            "feature": ["chat", "rerank", "", "agent"][int(rng.integers(4))],
            "billed_cost": "" if rng.random() < 0.3 else f"{rng.random() / 100:.6f}",
        })
    if quote_at is not None:
        rows[quote_at]["feature"] = '"chat, long"'
    cols = list(rows[0])
    lines = [",".join(cols)] + [",".join(str(r[c]) for c in cols) for r in rows]
    path.write_bytes((newline.join(lines) + (newline if trailing else "")).encode())
    return rows


def run(path, book, **kw):
    kw.setdefault("on_error", "stop")
    return pipeline.run([path], layouts.AICOST, BY, book, [], kw.pop("on_error"), **kw)


def as_json(alloc) -> str:
    return render_json(alloc)


def test_pieces_threads_and_line_endings_give_the_same_bytes(tmp_path, book, monkeypatch):
    p = tmp_path / "log.csv"
    make_log(p, 3000)
    whole = as_json(run(p, book))
    assert as_json(run(p, book)) == whole  # the same input twice: the same bytes
    assert as_json(run(p, book, chunk_rows=97)) == whole  # ~30 pieces, two threads
    monkeypatch.setattr(pipeline, "workers", lambda: 1)
    assert as_json(run(p, book, chunk_rows=97)) == whole
    monkeypatch.setattr(pipeline, "workers", lambda: 3)
    assert as_json(run(p, book, chunk_rows=61)) == whole
    q = tmp_path / "crlf.csv"
    make_log(q, 3000, newline="\r\n", trailing=False)
    assert as_json(run(q, book, chunk_rows=97)) == whole


def test_numeric_looking_tags_stay_text_in_every_piece(tmp_path, book):
    p = tmp_path / "log.csv"
    rows = make_log(p, 2000)
    a = run(p, book, chunk_rows=50)
    teams = set(a.groups["tag.team"])
    assert {"007", "42", "7", "search", "(unallocated)"} <= teams
    assert "7.0" not in teams and "42.0" not in teams
    got = a.groups.groupby("tag.team")["requests"].sum()
    for team in ("007", "7", "42"):  # "007" read as a number in one piece would land on "7"
        assert got[team] == sum(r["requests"] for r in rows if r["team"] == team)


def test_a_quote_after_the_first_megabyte_switches_to_the_quote_aware_reader(tmp_path, book):
    p = tmp_path / "quoted.csv"
    rows = make_log(p, 20_000, quote_at=19_000)
    assert p.stat().st_size > 1 << 20 and b'"' not in p.read_bytes()[: 1 << 20]
    a = run(p, book, chunk_rows=3000)
    assert a.totals["rows_read"] == len(rows)
    assert "chat, long" in set(a.groups["tag.feature"])
    plain = tmp_path / "plain.csv"
    make_log(plain, 20_000)
    b = run(plain, book, chunk_rows=3000)
    assert a.totals["total"] == pytest.approx(b.totals["total"], abs=1e-9)


def test_bad_rows_deep_in_a_file_keep_their_line_numbers(tmp_path, book):
    p = tmp_path / "log.csv"
    make_log(p, 5000)
    lines = p.read_text().splitlines()
    cols = lines[0].split(",")
    for row, col, value in ((3210, "input_tokens", "-5"), (4999, "timestamp", "2025-13-40"),
                            (77, "model", "gpt-9-imaginary")):
        cells = lines[row].split(",")
        cells[cols.index(col)] = value
        lines[row] = ",".join(cells)
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(Exception) as exc:
        run(p, book, chunk_rows=300)
    text = str(exc.value)
    assert f"{p}:78: row 77: model: unknown model 'gpt-9-imaginary'" in text
    assert f"{p}:3211: row 3210: input_tokens: negative (-5)" in text
    assert f"{p}:5000: row 4999: timestamp: not a date or ISO 8601 time: '2025-13-40'" in text
    skipped = run(p, book, chunk_rows=300, on_error="skip")
    assert skipped.totals["rows_skipped"] == 2 and skipped.totals["unpriced_rows"] == 1


def reference_total(rows: list[dict], book) -> float:
    """Each row priced on its own with the price book (no grouping, no vectorising)."""
    total = 0.0
    for r in rows:
        entry = book.resolve(r["model"], [r["provider"]])[0]
        prompt = r["input_tokens"] + r["cached_input_tokens"]
        lc = entry.spec.long_context is not None and prompt / r["requests"] > entry.spec.long_context.threshold
        day = date.fromisoformat(r["timestamp"][:10])
        price = book.price(entry, r["tier"], day, long_context=lc)
        assert price is not None, r
        cached = r["cached_input_tokens"] * float(price.cached_input) if r["cached_input_tokens"] else 0.0
        total += (r["input_tokens"] * float(price.input) + cached + r["output_tokens"] * float(price.output)) / 1e6
    return total


def test_summing_by_group_before_pricing_equals_pricing_each_row(tmp_path, book):
    p = tmp_path / "log.csv"
    rows = make_log(p, 4000, seed=11)
    a = run(p, book, chunk_rows=500)
    assert a.totals["rows_priced"] == 4000
    assert a.totals["total"] == pytest.approx(reference_total(rows, book), rel=1e-12)
    # o3 on both sides of its price cut, and long-context rows, are in this log
    o3 = [r for r in rows if r["model"] == "o3"]
    assert {r["timestamp"][:10] < "2025-06-10" for r in o3} == {True, False}
    assert any(r["input_tokens"] / r["requests"] > 200_000 and r["model"] == "claude-sonnet-4-0" for r in rows)


def test_long_context_is_judged_per_request(tmp_path, book):
    p = tmp_path / "lc.csv"
    p.write_text("timestamp,model,requests,input_tokens,output_tokens,team\n"
                 "2026-10-01,claude-sonnet-4-5,1,250000,1000,a\n"    # 250k in one request: long-context
                 "2026-10-01,claude-sonnet-4-5,2,300000,1000,b\n"    # 150k per request: standard
                 "2026-10-01,gpt-5-mini,1,300000,1000,c\n")          # no long-context rates: standard
    a = pipeline.run([p], layouts.AICOST, ["team"], book, [], "stop")
    cost = dict(zip(a.groups["tag.team"], a.groups["direct"]))
    assert cost["a"] == pytest.approx(0.25 * 6 + 0.001 * 22.5)
    assert cost["b"] == pytest.approx(0.30 * 3 + 0.001 * 15)
    mini = book.price(book.resolve("gpt-5-mini")[0], "standard", date(2026, 10, 1))
    assert cost["c"] == pytest.approx(0.30 * float(mini.input) + 0.001 * float(mini.output))


def test_pieces_are_cut_at_line_ends_and_hold_whole_rows(tmp_path):
    p = tmp_path / "log.csv"
    p.write_bytes(b"a,b\n" + b"".join(b"%d,%d\n" % (i, i * i) for i in range(1000)) + b"999999,1")
    cut = [c for c in pieces.chunks(p, layouts.AICOST, chunk_rows=37)]
    assert len(cut) > 2
    got = [bytes(b"".join(bytes(x) for x in c.data)) for c in cut]
    assert all(g.startswith(b"a,b\n") for g in got)
    body = b"".join(g[len(b"a,b\n"):] for g in got)
    assert body == p.read_bytes()[len(b"a,b\n"):]
    assert all(g.endswith(b"\n") for g in got[:-1])


def test_json_output_is_sorted_and_stable(tmp_path, book):
    p = tmp_path / "log.csv"
    make_log(p, 1500)
    doc = json.loads(as_json(run(p, book, chunk_rows=100)))
    keys = [(g["month"], g["kind"], g["tags"]["team"], g["tags"]["feature"]) for g in doc["groups"]]
    assert keys == sorted(keys)


def test_json_lines_read_in_blocks_match_csv_even_when_a_column_changes_type(tmp_path, book):
    p = tmp_path / "log.csv"
    rows = make_log(p, 3000)
    want = run(p, book)
    recs = []
    for i, r in enumerate(rows):
        rec = dict(r)
        rec["billed_cost"] = float(r["billed_cost"]) if r["billed_cost"] else None
        rec["team"] = r["team"] or None
        rec["feature"] = None if i < 1500 else (r["feature"] or None)  # null first, text later
        recs.append(rec)
    j = tmp_path / "log.jsonl"
    j.write_text("".join(json.dumps(x) + "\n" for x in recs))
    got = run(j, book, chunk_rows=100)
    assert got.totals["rows_read"] == 3000
    assert got.totals["total"] == pytest.approx(want.totals["total"], abs=1e-9)
    by_team = lambda a: a.groups.groupby("tag.team")["direct"].sum().round(9).to_dict()  # noqa: E731
    assert by_team(got) == by_team(want)
    # the same log without the type change stays on the block reader and gives the same
    for x in recs:
        x["feature"] = "chat"
    k = tmp_path / "plain.jsonl"
    k.write_text("".join(json.dumps(x) + "\n" for x in recs))
    assert run(k, book, chunk_rows=100).totals["total"] == pytest.approx(want.totals["total"], abs=1e-9)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(recs[0]) + "\n{not json\n")
    with pytest.raises(Exception) as exc:
        run(bad, book)
    assert "bad.jsonl" in str(exc.value)
