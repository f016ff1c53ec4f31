"""allocate with a great many distinct tag values (issue 16): 300,000 rows over 200,000 teams.
Every team is a group of its own with the right cost, requests and tokens, the groups add up to
the totals, every export has every group, and summing in small pieces (the accumulated groups
summed again many times) gives the same bytes as one pass."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pandas as pd
import pytest

from aicost.inputs.pricebook import PriceBook
from aicost.report.allocation import TABLE_ROWS, render_csv, render_json, render_table
from aicost.usage import layouts, pipeline

ROWS, TEAMS = 300_000, 200_000  # enough teams for the hashed path of dense_unique when the groups are summed
MODELS = [("openai", "gpt-5-mini"), ("anthropic", "claude-haiku-4-5")]
TIERS = ["standard", "batch"]


@pytest.fixture(scope="module")
def book():
    return PriceBook.load()


@pytest.fixture(scope="module")
def log(tmp_path_factory, book) -> tuple:
    """The log, and what each team should cost (priced row by row here, from the tables)."""
    rng = np.random.default_rng(16)
    m, tier = rng.integers(0, len(MODELS), ROWS), rng.integers(0, len(TIERS), ROWS)
    team = rng.integers(0, TEAMS, ROWS)
    team[:TEAMS] = rng.permutation(TEAMS)  # every team has at least one row
    names = np.array([f"t{i:06d}" for i in range(TEAMS)] + [""])
    team[TEAMS:][rng.random(ROWS - TEAMS) < 0.05] = TEAMS  # some of the other rows untagged
    df = pd.DataFrame({
        "timestamp": np.datetime_as_string(np.datetime64("2026-10-01") + rng.integers(0, 31, ROWS).astype(
            "timedelta64[D]")),
        "provider": np.array([p for p, _ in MODELS])[m], "model": np.array([x for _, x in MODELS])[m],
        "tier": np.array(TIERS)[tier], "input_tokens": rng.integers(1, 5000, ROWS),
        "output_tokens": rng.integers(1, 800, ROWS), "team": names[team]})
    path = tmp_path_factory.mktemp("many") / "usage.csv"
    df.to_csv(path, index=False)
    rate = np.zeros((len(MODELS), len(TIERS), 2))
    for i, (prov, model) in enumerate(MODELS):
        for j, t in enumerate(TIERS):
            p = book.price(book.resolve(model, [prov])[0], t, date(2026, 10, 15))
            rate[i, j] = float(p.input), float(p.output)
    df["cost"] = (df["input_tokens"] * rate[m, tier, 0] + df["output_tokens"] * rate[m, tier, 1]) / 1e6
    df["team"] = df["team"].replace("", "(unallocated)")
    want = df.groupby("team").agg(cost=("cost", "sum"), requests=("cost", "size"),
                                  tokens=("input_tokens", "sum"), out=("output_tokens", "sum"))
    want["tokens"] += want.pop("out")
    return path, want


def run(path, book, **kw):
    return pipeline.run([path], layouts.AICOST, ["team"], book, [], "stop", **kw)


@pytest.fixture(scope="module")
def alloc(log, book):
    return run(log[0], book)


def test_every_team_is_a_group_with_its_cost_requests_and_tokens(log, alloc):
    _, want = log
    g = alloc.groups.set_index("tag.team")
    assert len(g) == len(want) == TEAMS + 1 and g.index.is_unique
    assert set(g.index) == set(want.index)
    g = g.loc[want.index]
    assert (g["kind"] == np.where(want.index == "(unallocated)", "unallocated", "allocated")).all()
    assert (g["requests"].to_numpy() == want["requests"].to_numpy()).all()
    assert (g["tokens"].to_numpy() == want["tokens"].to_numpy()).all()
    np.testing.assert_allclose(g["direct"].to_numpy(), want["cost"].to_numpy(), rtol=1e-12, atol=1e-12)


def test_the_groups_add_up_to_the_totals(log, alloc):
    t = alloc.totals
    assert t["rows_read"] == t["rows_priced"] == ROWS and t["unpriced_rows"] == 0
    assert float(alloc.groups["total"].sum()) == pytest.approx(t["total"], rel=1e-12)
    assert t["allocated"] + t["unallocated"] == pytest.approx(t["total"], rel=1e-12)
    assert t["total"] == pytest.approx(float(log[1]["cost"].sum()), rel=1e-12)
    assert float(alloc.detail["cost"].sum()) == pytest.approx(t["direct"], rel=1e-12)


def test_summed_in_small_pieces_many_times_gives_the_same_bytes(log, alloc, book, monkeypatch):
    monkeypatch.setattr(pipeline, "COMPACT_ROWS", 2_000)  # the held groups summed again after every few pieces
    pieces = run(log[0], book, chunk_rows=2_003)
    assert render_json(pieces) == render_json(alloc)


def test_every_export_has_every_group_and_the_table_shows_the_largest(alloc):
    doc = json.loads(render_json(alloc))
    assert len(doc["groups"]) == TEAMS + 1
    assert {x["tags"]["team"] for x in doc["groups"]} == set(alloc.groups["tag.team"])
    lines = render_csv(alloc).splitlines()
    assert len(lines) == 1 + TEAMS + 1
    table = render_table(alloc).splitlines()
    more = [x for x in table if x.startswith(f"{TEAMS + 1 - TABLE_ROWS:,} more")]
    assert len(more) == 1 and len(table) < TABLE_ROWS + 20
    top = alloc.groups.nlargest(1, "total")["tag.team"].iloc[0]
    assert any(f" {top} " in x for x in table)
