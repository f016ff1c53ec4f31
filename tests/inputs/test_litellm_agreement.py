"""The shipped tables against LiteLLM's price data, through aicost's own importer.

Every rate that both have must agree, or be listed in tests/data/litellm_differences.yaml
with the source that settles it.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
import yaml

from aicost.analyses.pricing import flat_rates
from aicost.inputs.importers import from_litellm, to_yaml
from aicost.inputs.pricebook import PriceBook
from conftest import AS_OF, ROOT

DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="module")
def litellm_rates(tmp_path_factory):
    extract = json.loads((DATA / "litellm_extract.json").read_text())
    tables = from_litellm(extract, checked=date(2026, 11, 30), source="LiteLLM 1.110.2 extract")
    folder = tmp_path_factory.mktemp("litellm")
    for prov, table in tables.items():
        (folder / f"{prov}.yaml").write_text(to_yaml(table))
    return flat_rates(PriceBook.load([folder], bundled=False), AS_OF)


def test_every_common_rate_agrees_or_is_explained(book, litellm_rates):
    ours = flat_rates(book, AS_OF)
    common = [k for k in ours if k in litellm_rates]
    assert len(common) > 500 and len({k[:2] for k in common}) >= 50  # the comparison really covers the tables
    listed = {(d["provider"], d["model"], d["tier"], d["context"], d["rate"]): d
              for d in yaml.safe_load((DATA / "litellm_differences.yaml").read_text())["differences"]}
    found = {k for k in common if ours[k] != litellm_rates[k]}
    assert found - set(listed) == set(), f"unexplained differences: {sorted(found - set(listed))}"
    assert set(listed) - found == set(), f"listed but no longer different: {sorted(set(listed) - found)}"
    for k in found:
        assert Decimal(str(listed[k]["aicost"])) == ours[k] and Decimal(str(listed[k]["litellm"])) == litellm_rates[k]


def test_importer_reads_tiers_long_context_and_cache_fields():
    extract = json.loads((DATA / "litellm_extract.json").read_text())
    t = from_litellm({"gpt-5.4": extract["gpt-5.4"], "claude-sonnet-4-6": extract["claude-sonnet-4-6"]})
    g = t["openai"]["models"]["gpt-5.4"]
    assert set(g["tiers"]) == {"standard", "batch", "flex", "priority"}
    assert g["tiers"]["standard"] == {"input": Decimal("2.5"), "cached_input": Decimal("0.25"), "output": Decimal(15)}
    assert g["long_context"]["threshold"] == 272000
    assert g["long_context"]["tiers"]["standard"]["input"] == Decimal(5)
    s = t["anthropic"]["models"]["claude-sonnet-4-6"]["tiers"]["standard"]
    assert s["cache_write"] == Decimal("3.75") and s["cache_write_1h"] == Decimal(6)
