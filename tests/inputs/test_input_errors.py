"""Bad input: one clear line per problem (file:line: path: message), all at once, exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aicost.base.errors import InputError
from aicost.inputs.pricebook import PriceBook
from aicost.inputs.scenario import load

GOOD = """\
version: 1
name: ok
volume: {tasks_per_month: 1000}
latency: {p95_seconds: 5}
attempt:
  steps:
    - {name: a, input_tokens: 100, output_tokens: 10}
models:
  gpt-5-mini: {p_success: 0.8}
value: {value_per_success: 1}
"""


def problems(tmp_path: Path, text: str, book, sets=()) -> list[str]:
    f = tmp_path / "s.yaml"
    f.write_text(text)
    with pytest.raises(InputError) as exc:
        load(f, book, sets)
    return [str(p).replace(str(f), "s.yaml") for p in exc.value.problems]


@pytest.mark.parametrize("old,new,expected", [
    ("tasks_per_month: 1000", "tasks_per_month: -1", "s.yaml:3: volume.tasks_per_month: must be at least 0 (got -1)"),
    ("tasks_per_month: 1000", "tasks_per_month: .nan", "s.yaml:3: volume.tasks_per_month: must be a finite number (got nan)"),
    ("tasks_per_month: 1000", "tasks_per_month: lots", "s.yaml:3: volume.tasks_per_month: must be a number (got 'lots')"),
    ("tasks_per_month: 1000", "tasks_per_mnth: 1000",
     "s.yaml:3: volume.tasks_per_mnth: unknown key 'tasks_per_mnth' (did you mean 'tasks_per_month'?)"),
    ("p_success: 0.8", "p_success: 1.5", "s.yaml:9: models.gpt-5-mini.p_success: must be at most 1 (got 1.5)"),
    ("gpt-5-mini:", "gpt-5-mni:", "s.yaml:9: models.gpt-5-mni: unknown model 'gpt-5-mni' (did you mean 'gpt-5-mini'?)"),
    ("p95_seconds: 5", "p95_seconds: 5, minutes: 3",
     "s.yaml:4: latency: give exactly one of p95_seconds, minutes or deadline_hours"),
    ("output_tokens: 10}", "output_tokens: 10, cached_prefix_tokens: 500}",
     "s.yaml:7: attempt.steps[0]: cached_prefix_tokens (500) exceeds input_tokens (100)"),
    ("version: 1", "version: 3", "s.yaml:1: version: format version 3 is not supported; this aicost reads version 1"),
    ("value: {value_per_success: 1}", "value: {}", "s.yaml:10: value: give exactly one of value_per_success or baseline_cost_per_task"),
    ("name: ok\n", "", "s.yaml:1: name: required key is missing"),
])
def test_scenario_problem_messages(tmp_path, book, old, new, expected):
    text = GOOD.replace(old, new)
    assert text != GOOD
    got = problems(tmp_path, text, book)
    assert expected in got, got


def test_tier_the_model_lacks(tmp_path, book):
    got = problems(tmp_path, GOOD.replace("gpt-5-mini: {p_success: 0.8}", "gpt-4.1: {p_success: 0.8, tiers: [flex]}"), book)
    assert got == ["s.yaml:9: models.gpt-4.1.tiers[0]: openai/gpt-4.1 offers no flex tier (it offers standard, batch, priority)"]


def test_unknown_tier_name(tmp_path, book):
    got = problems(tmp_path, GOOD + "options: {tiers: [standard, flexx]}\n", book)
    assert got == ["s.yaml:11: options.tiers[1]: must be one of 'standard', 'batch', 'flex' or 'priority' (got 'flexx')"]


def test_all_problems_at_once(tmp_path, book):
    text = GOOD.replace("tasks_per_month: 1000", "tasks_per_month: -1").replace("p_success: 0.8", "p_success: 2") \
        .replace("gpt-5-mini", "gpt-9")
    got = problems(tmp_path, text, book)
    assert len(got) == 3, got
    assert any("unknown model 'gpt-9'" in g for g in got)


@pytest.mark.parametrize("text,expected", [
    ("", "s.yaml: file is empty"),
    ("version: 1\nname: [a\n", "s.yaml:3: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence that starts on line 2)"),
    ("- a\n- b\n", "s.yaml:1: expected a mapping of keys at the top level"),
    ("version: 1\nversion: 1\n", "s.yaml:2: version: duplicate key (it appears twice)"),
    ("name: x\n", "s.yaml:1: missing 'version: 1' (the format version this file is written for)"),
])
def test_file_level_problems(tmp_path, book, text, expected):
    assert problems(tmp_path, text, book) == [expected]


def test_missing_and_huge_and_binary_files(tmp_path, book):
    with pytest.raises(InputError) as exc:
        load(tmp_path / "nope.yaml", book)
    assert str(exc.value.problems[0]).endswith("nope.yaml: no such file")
    big = tmp_path / "big.yaml"
    with open(big, "w") as f:
        f.write("# padding\n" * (5 * 1024 * 1024 + 10))  # about 50 MB
    with pytest.raises(InputError) as exc:
        load(big, book)
    assert "file is too large (52.4 MB; the limit is 10 MB)" in str(exc.value)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(InputError) as exc:
        load(binary, book)
    assert "not UTF-8 text" in str(exc.value)


@pytest.mark.parametrize("sets,expected", [
    (["volume.tasks_per_month=-5"], "--set volume.tasks_per_month=-5: volume.tasks_per_month: must be at least 0 (got -5)"),
    (["volume.tasks=5"], "--set volume.tasks=5: volume.tasks: unknown key 'tasks'"),
    (["nonsense"], "--set: expected FIELD=VALUE, got 'nonsense'"),
    (["attempt.steps.bogus.input_tokens=5"], "--set attempt.steps.bogus.input_tokens=5: no item named 'bogus' in attempt.steps (names: a)"),
    (["name=*3"], "--set name=*3: name is not a number, so '*3' cannot change it"),
])
def test_set_problems(tmp_path, book, sets, expected):
    got = problems(tmp_path, GOOD, book, sets)
    assert any(g.startswith(expected) for g in got), got


# ---- pricing files ------------------------------------------------------------------------

PRICE = """\
version: 1
provider: acme
name: Acme
source: test
checked: 2026-11-01
models:
  m1:
    min_cache_tokens: 1024
    tiers:
      standard: {input: 1, cached_input: 0.1, output: 2}
"""


def price_problems(tmp_path, text):
    d = tmp_path / "p"
    d.mkdir(exist_ok=True)
    (d / "acme.yaml").write_text(text)
    with pytest.raises(InputError) as exc:
        PriceBook.load([d], bundled=False)
    return [str(p).replace(str(d) + "/", "") for p in exc.value.problems]


@pytest.mark.parametrize("old,new,expected", [
    ("input: 1,", "input: -1,", "acme.yaml:10: models.m1.tiers.standard.input: must be at least 0 (got -1)"),
    ("input: 1,", "inptu: 1,", "acme.yaml:10: models.m1.tiers.standard.inptu: unknown key 'inptu' (did you mean 'input'?)"),
    ("standard:", "stndard:", "acme.yaml:10: models.m1.tiers.stndard: unknown name 'stndard' (expected 'standard', 'batch', 'flex' or 'priority')"),
    ("    min_cache_tokens: 1024\n", "", "acme.yaml:7: models.m1: has cached_input prices but no min_cache_tokens"),
    ("checked: 2026-11-01", "checked: yesterday", "acme.yaml:5: checked: must be a date (YYYY-MM-DD) (got 'yesterday')"),
])
def test_pricing_problem_messages(tmp_path, old, new, expected):
    got = price_problems(tmp_path, PRICE.replace(old, new))
    assert expected in got, got


def test_overlapping_history(tmp_path):
    text = PRICE.replace("      standard: {input: 1, cached_input: 0.1, output: 2}\n",
                         "      standard:\n        - {input: 2, output: 4, effective_to: 2026-06-01}\n"
                         "        - {input: 1, output: 2, effective_from: 2026-05-01}\n")
    assert price_problems(tmp_path, text) == ["acme.yaml:12: models.m1.tiers.standard[1]: dated prices overlap (with entry 1)"]


# ---- the command line ---------------------------------------------------------------------

def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "aicost", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_exit_2_and_nothing_written(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("p_success: 0.8", "p_success: 1.5"))
    out = tmp_path / "out.json"
    r = run("compare", str(bad), "--format", "json", "--output", str(out))
    assert r.returncode == 2
    assert "models.gpt-5-mini.p_success: must be at most 1 (got 1.5)" in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists() and not list(tmp_path.glob(".out.json*"))
    errors = json.loads(r.stdout)["errors"]  # --format json gives the same list on stdout
    assert errors[0]["line"] == 9 and errors[0]["path"] == "models.gpt-5-mini.p_success"


def test_cli_usage_errors_exit_2():
    assert run("compare", "--format", "yaml").returncode == 2
    assert run("compare", "--tier", "turbo").returncode == 2
    assert run("compare", "--as-of", "soon").returncode == 2
    assert run("compare", "--top", "0").returncode == 2
    assert run("frobnicate").returncode == 2
