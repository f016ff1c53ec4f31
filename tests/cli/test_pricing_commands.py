"""aicost pricing list | show | validate | diff | schema | import; discounts; staleness."""

from __future__ import annotations

import json
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from aicost.cli import app
from aicost.analyses.compare import run
from aicost.inputs.pricebook import PriceBook
from conftest import AS_OF, ROOT

runner = CliRunner()
GOLDEN = ROOT / "tests" / "golden" / "pricing"
UPDATE = bool(os.environ.get("AICOST_UPDATE_GOLDEN"))
DATA = ROOT / "tests" / "data"


def invoke(*args):
    r = runner.invoke(app, list(args))
    return r


def golden(name: str, text: str):
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.write_text(text, encoding="utf-8", newline="")
    assert text == path.read_bytes().decode("utf-8"), f"{name} differs; rerun with --update-golden to accept"


# ---- list ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,ext", [("table", "txt"), ("json", "json"), ("csv", "csv"), ("markdown", "md")])
def test_list_golden(fmt, ext):
    r = invoke("pricing", "list", "--provider", "anthropic", "--as-of", AS_OF.isoformat(), "--format", fmt)
    assert r.exit_code == 0, r.output
    golden(f"list-anthropic.{ext}", r.stdout)


def test_list_filters():
    rows = json.loads(invoke("pricing", "list", "--tier", "batch", "--feature", "long-context", "-f", "json",
                             "--as-of", AS_OF.isoformat()).stdout)["rows"]
    assert rows and all(r["tier"] == "batch" and r["long_context_above"] for r in rows)
    assert {r["model"] for r in rows} >= {"gpt-5.4", "gemini-2.5-pro"}
    rows = json.loads(invoke("pricing", "list", "--feature", "deprecated", "-f", "json",
                             "--as-of", AS_OF.isoformat()).stdout)["rows"]
    deprecated = {r["model"] for r in rows}  # announced, still served: gpt-5 (2026-06-11), gpt-4.1 (2026-10-14)
    assert {"gpt-5", "gpt-4.1", "o3"} <= deprecated and "gpt-5.4" not in deprecated
    assert "gpt-4.1-nano" not in deprecated  # retired on 2026-10-23: not priced, so not listed


def test_list_as_of_uses_history():
    before = json.loads(invoke("pricing", "list", "--model", "o3", "--provider", "openai", "--tier", "standard",
                               "--as-of", "2025-05-01", "-f", "json").stdout)["rows"]
    assert before[0]["input"] == 10 and before[0]["output"] == 40


# ---- show ---------------------------------------------------------------------------------

def test_show_golden():
    r = invoke("pricing", "show", "claude-sonnet-4-5", "--as-of", AS_OF.isoformat())
    assert r.exit_code == 0, r.output
    golden("show-claude-sonnet-4-5.txt", r.stdout)


def test_show_json_carries_sources_and_history():
    data = json.loads(invoke("pricing", "show", "o3", "-f", "json", "--as-of", AS_OF.isoformat()).stdout)
    first = data["models"][0]
    assert first["provider"] == "openai"  # the model's own provider before resellers
    std = first["tiers"]["standard"]
    assert std["source"] and std["checked"] and std["file"] == "pricing/openai.yaml" and std["line"]
    hist = [h for h in first["history"] if h["tier"] == "standard"]
    assert hist[0]["effective_to"] == "2025-06-10" and hist[0]["input"] == 10


def test_show_unknown_model():
    r = invoke("pricing", "show", "gpt-5-mimi")
    assert r.exit_code == 2 and "unknown model 'gpt-5-mimi' (did you mean 'gpt-5-mini'?)" in r.stderr


# ---- validate -----------------------------------------------------------------------------

def test_validate_bundled_and_bad_directory(tmp_path):
    r = invoke("pricing", "validate")
    assert r.exit_code == 0 and r.stdout.startswith("ok: 5 files, 225 models")
    (tmp_path / "bad.yaml").write_text("version: 1\nprovider: acme\nname: A\nsource: s\nchecked: 2026-01-01\n"
                                       "models:\n  m:\n    tiers:\n      standard: {input: -1, output: 2}\n")
    r = invoke("pricing", "validate", str(tmp_path))
    assert r.exit_code == 2
    assert f"{tmp_path}/bad.yaml:9: models.m.tiers.standard.input: must be at least 0 (got -1)" in r.stderr
    r = invoke("pricing", "validate", str(tmp_path), "-f", "json")
    assert json.loads(r.stdout)["errors"][0]["line"] == 9


# ---- diff ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,ext", [("table", "txt"), ("json", "json")])
def test_diff_between_dates_golden(fmt, ext):
    r = invoke("pricing", "diff", "2025-06-09", "2025-06-10", "-f", fmt)
    assert r.exit_code == 0
    golden(f"diff-o3-cut.{ext}", r.stdout)


def test_diff_between_directories(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir(), new.mkdir()
    base = "version: 1\nprovider: acme\nname: A\nsource: s\nchecked: 2026-01-01\nmodels:\n"
    (old / "a.yaml").write_text(base + "  m1:\n    tiers:\n      standard: {input: 1, output: 2}\n"
                                       "  gone:\n    tiers:\n      standard: {input: 1, output: 1}\n")
    (new / "a.yaml").write_text(base + "  m1:\n    tiers:\n      standard: {input: 1.5, output: 2}\n"
                                       "      batch: {input: 0.75, output: 1}\n")
    rows = json.loads(invoke("pricing", "diff", str(old), str(new), "-f", "json").stdout)["rows"]
    got = {(r["change"], r["model"], r["tier"], r["rate"]): (r["old"], r["new"]) for r in rows}
    assert got[("changed", "m1", "standard", "input")] == (1, 1.5)
    assert got[("added", "m1", "batch", "input")] == (None, 0.75)
    assert got[("removed", "gone", "standard", "output")] == (1, None)
    assert ("changed", "m1", "standard", "output") not in got


# ---- schema -------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["pricing", "gpus", "scenario"])
def test_schema_files_match_the_models(kind):
    """schema/*.json (what the shipped YAML's editor hint points at) is what the models generate."""
    r = invoke("pricing", "schema", kind)
    assert r.exit_code == 0
    assert r.stdout == (ROOT / "schema" / f"{kind}.schema.json").read_text(), \
        "regenerate with: python -m aicost.inputs.schema"


def test_shipped_yaml_points_at_the_schema():
    for f in list((ROOT / "pricing").glob("*.yaml")) + list((ROOT / "scenarios").glob("*.yaml")):
        first = f.read_text().splitlines()[0]
        kind = "scenario" if f.parent.name == "scenarios" else "gpus" if f.name == "gpus.yaml" else "pricing"
        assert first == f"# yaml-language-server: $schema=../schema/{kind}.schema.json", f


# ---- import -------------------------------------------------------------------------------

def test_import_litellm_writes_loadable_tables(tmp_path):
    r = invoke("pricing", "import", "litellm", str(DATA / "litellm_extract.json"), "-o", str(tmp_path),
               "--checked", "2026-11-21")
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["anthropic.yaml", "azure.yaml", "google.yaml", "openai.yaml"]
    book = PriceBook.load([tmp_path], bundled=False)
    gpt = book.models[("openai", "gpt-5.6-sol")]
    assert book.price(gpt, "standard", AS_OF).cache_write == Decimal(5)
    assert book.price(gpt, "standard", AS_OF, long_context=True).input == Decimal(8)
    assert "litellm_extract.json, key gpt-5.6-sol" in book.price(gpt, "standard", AS_OF).source
    assert book.price(gpt, "standard", AS_OF).checked == date(2026, 11, 21)


def test_import_genai_prices_tiers_and_history():
    r = invoke("pricing", "import", "genai-prices", str(DATA / "genai_prices_sample.json"), "--provider", "anthropic")
    table = yaml.safe_load(r.stdout)
    m = table["models"]["claude-sonnet-4-5"]
    assert m["tiers"]["standard"] == {"input": 3, "cached_input": 0.3, "cache_write": 3.75, "output": 15}
    assert m["long_context"] == {"threshold": 200000, "tiers": {"standard": {
        "input": 6, "cached_input": 0.6, "cache_write": 7.5, "output": 22.5}}}
    assert m["checked"] == date(2026, 9, 28)
    r = invoke("pricing", "import", "genai-prices", str(DATA / "genai_prices_sample.json"), "--provider", "openai")
    o3 = yaml.safe_load(r.stdout)["models"]["o3"]["tiers"]["standard"]
    assert o3[0]["effective_to"] == date(2025, 6, 10) and o3[1]["effective_from"] == date(2025, 6, 10)
    assert "image-only" not in r.stdout  # no token prices: left out, never priced at $0


def test_import_needs_output_for_several_providers(tmp_path):
    r = invoke("pricing", "import", "genai-prices", str(DATA / "genai_prices_sample.json"))
    assert r.exit_code == 2 and "2 providers found" in r.stderr
    bad = tmp_path / "x.json"
    bad.write_text("{not json or yaml: [")
    assert invoke("pricing", "import", "litellm", str(bad)).exit_code == 2
    assert invoke("pricing", "import", "frob", str(bad)).exit_code == 2


# ---- overrides: discounts and private models ----------------------------------------------

def test_discounts_and_private_models(tmp_path):
    (tmp_path / "ours.yaml").write_text("""\
version: 1
source: "Our MSA, 2026-09"
checked: 2026-10-01
discounts:
  - {provider: openai, percent: 10}
  - {model: openai/gpt-5-mini, percent: 25, tiers: [standard]}
""")
    (tmp_path / "ft.yaml").write_text("""\
version: 1
provider: openai
name: OpenAI
source: "fine-tuning invoice 2026-10"
checked: 2026-10-15
models:
  ft:gpt-4.1-mini:acme:
    min_cache_tokens: 1024
    tiers:
      standard: {input: 0.8, cached_input: 0.2, output: 3.2}
""")
    book = PriceBook.load([tmp_path])
    mini = book.resolve("gpt-5-mini")[0]
    std = book.price(mini, "standard", AS_OF)
    assert std.input == Decimal("0.25") * Decimal("0.75") and std.discount_percent == 25
    assert "less 25% (Our MSA, 2026-09)" in std.source
    assert book.price(mini, "batch", AS_OF).input == Decimal("0.125") * Decimal("0.9")  # provider-wide
    assert book.price(book.resolve("claude-haiku-4-5")[0], "standard", AS_OF).input == 1  # other providers untouched
    ft = book.resolve("ft:gpt-4.1-mini:acme")[0]
    assert book.price(ft, "standard", AS_OF).input == Decimal("0.72")  # the provider-wide 10% applies too
    res = run(["worked-example"], pricing=[tmp_path], as_of=AS_OF)
    opt = res.scenarios[0].options[0]
    assert opt.price["discount_percent"] == 25
    assert opt.metrics["cost_per_attempt"] == pytest.approx(0.00099 * 0.75)


def test_discount_on_unknown_model_is_an_error(tmp_path):
    (tmp_path / "d.yaml").write_text("version: 1\nsource: s\nchecked: 2026-10-01\n"
                                     "discounts:\n  - {model: gpt-5-mimi, percent: 10}\n")
    r = invoke("pricing", "validate", str(tmp_path), "--with-bundled")
    assert r.exit_code == 2 and "d.yaml:5: discounts[0]: unknown model 'gpt-5-mimi' (did you mean 'gpt-5-mini'?)" in r.stderr


# ---- staleness and deprecation ------------------------------------------------------------

def test_deprecated_model_warns_on_stderr_and_in_json():
    r = invoke("compare", "bulk-classification", "--as-of", AS_OF.isoformat(), "-f", "json")
    assert r.exit_code == 0
    assert "aicost: warning: openai/gpt-4o-mini was deprecated on 2026-10-14 (pricing/openai.yaml:" in r.stderr
    assert any("gpt-4o-mini was deprecated" in w for w in json.loads(r.stdout)["scenarios"][0]["warnings"])
    nano = {o["id"]: o for o in json.loads(r.stdout)["scenarios"][0]["options"]}["openai/gpt-4.1-nano:batch"]
    assert nano["status"] == "ineligible" and "retired on 2026-10-23" in nano["reason"]  # never priced as live


def test_stale_prices_warn_relative_to_the_pricing_date():
    r = invoke("compare", "worked-example", "--as-of", "2026-12-10", "--max-price-age", "10")
    assert "openai/gpt-5-mini standard price was checked 19 days before 2026-12-10 (limit 10" in r.stderr
    r = invoke("compare", "worked-example", "--as-of", "2026-12-10", "--max-price-age", "20d")
    assert "standard price was checked" not in r.stderr
    r = invoke("compare", "worked-example", "--as-of", "2026-12-10", "--max-price-age", "off")
    assert "checked" not in r.stderr


def test_compare_as_of_reprices():
    now = run(["worked-example"], sets=["models.gpt-5-mini.p_success=0.8"], as_of=AS_OF)
    assert now.scenarios[0].options[0].metrics["cost_per_attempt"] == pytest.approx(0.00099)
    o3 = ["models={o3: {p_success: 0.8}}"]
    pick = "openai/o3:standard:cached"
    before = {o.id: o for o in run(["worked-example"], sets=o3, as_of=date(2025, 5, 1)).scenarios[0].options}[pick]
    after = {o.id: o for o in run(["worked-example"], sets=o3, as_of=date(2025, 7, 1)).scenarios[0].options}[pick]
    # 1,000 x 10 + 1,600 x 2.5 + 400 x 10 + 300 x 40 = 30,000 per 1M before the cut; exactly a fifth after
    assert before.metrics["cost_per_attempt"] == pytest.approx(0.03)
    assert after.metrics["cost_per_attempt"] == pytest.approx(0.006)


def test_validate_and_import_golden():
    r = invoke("pricing", "validate", "-f", "json")
    golden("validate.json", r.stdout)
    r = invoke("pricing", "import", "genai-prices", str(DATA / "genai_prices_sample.json"), "--provider",
               "anthropic", "--checked", "2026-11-21")
    golden("import-genai-anthropic.yaml", r.stdout.replace(str(DATA), "tests/data"))
