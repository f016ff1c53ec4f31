"""Shared fixtures: the bundled price book and a way to price one call through the engine."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest

from aicost.analyses.compare import compare_loaded
from aicost.engine.evaluate import evaluate
from aicost.model.scenario import Scenario
from aicost.inputs.pricebook import PriceBook
from aicost.inputs.scenario import LoadedScenario, resolve_models
from aicost.inputs.yamlio import Document

ROOT = Path(__file__).resolve().parent.parent


def pytest_configure(config):
    """Keep the run's validated-input cache out of the user's home folder, and price every run
    that names no --as-of on one fixed day (models retire and prices change on their dated
    days: the suite must give the same answers next month)."""
    import os
    import tempfile

    os.environ.setdefault("AICOST_CACHE_DIR", tempfile.mkdtemp(prefix="aicost-test-cache-"))
    os.environ["AICOST_AS_OF"] = AS_OF_TEXT
AS_OF = date(2026, 11, 21)  # the date the golden files are priced at
AS_OF_TEXT = AS_OF.isoformat()
#: The head of a one-provider price table for tests that write their own models under it.
ACME_TABLE = "version: 1\nprovider: acme\nname: Acme\ncurrency: USD\nsource: test\nchecked: 2026-11-30\nmodels:\n"


@pytest.fixture(scope="session")
def book() -> PriceBook:
    return PriceBook.load()


BASE = {
    "version": 1,
    "name": "unit",
    "volume": {"tasks_per_month": 1000},
    "latency": {"deadline_hours": 48},
    "attempt": {"steps": [{"name": "s", "input_tokens": 10000, "output_tokens": 1000}]},
    "models": {"gpt-5": {"p_success": 1.0}},
    "value": {"value_per_success": 1.0},
}


def scenario(**changes) -> dict:
    """BASE with nested changes: scenario(caching={"hit_rate": .5}, step={"input_tokens": 3})."""
    data = copy.deepcopy(BASE)
    step = changes.pop("step", None)
    if step:
        data["attempt"]["steps"][0].update(step)
    for k, v in changes.items():
        data[k] = v
    return data


def loaded(data: dict, book: PriceBook) -> LoadedScenario:
    """A scenario from a dict, loaded as a file would be (ranges lifted, validated, models resolved)."""
    from aicost.base.errors import InputError
    from aicost.inputs.ranges import extract

    doc = Document("<test>", data)
    point, ranges, problems = extract(data, doc, Scenario)
    if problems:
        raise InputError(problems)
    spec = Scenario.model_validate(point)
    return LoadedScenario(spec, Document("<test>", point), resolve_models(spec, doc, book), ranges=ranges)


def option(data: dict, book: PriceBook, option_id: str):
    """The OptionResult with this id after comparing ``data``."""
    res = compare_loaded(loaded(data, book), book, as_of=AS_OF)
    for o in res.options:
        if o.id == option_id:
            return o
    raise AssertionError(f"{option_id} not in {[o.id for o in res.options]}")


__all__ = ["scenario", "loaded", "option", "evaluate", "ROOT", "AS_OF"]


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="Rewrite the golden files under tests/golden/ from this run's output.")


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return bool(request.config.getoption("--update-golden"))


def pytest_configure(config):
    if config.getoption("--update-golden"):  # the golden tests read this when they are collected
        import os

        os.environ["AICOST_UPDATE_GOLDEN"] = "1"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A cache folder of its own for the test (the cache tests look inside it)."""
    d = tmp_path / "cache"
    monkeypatch.setenv("AICOST_CACHE_DIR", str(d))
    monkeypatch.delenv("AICOST_NO_CACHE", raising=False)
    return d
