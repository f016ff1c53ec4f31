"""Hostile YAML is refused with a file:line message, exit 2, nothing on stdout, and bounded
(issue 16, item 7 and part of 9): alias bombs, deep nesting, a flood of unknown keys."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aicost.base.errors import InputError
from aicost.inputs.yamlio import MAX_VALUES, load_text


def bomb(levels: int) -> str:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    prev = "a"
    for name in "bcdefghijk"[:levels]:
        lines.append(f"{name}: &{name} [" + ",".join(["*" + prev] * 10) + "]")
        prev = name
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("levels", [6, 9])
def test_an_alias_bomb_is_refused_before_it_expands(levels):
    with pytest.raises(InputError, match=f"expands to more than {MAX_VALUES:,} values"):
        load_text(bomb(levels), "bomb.yaml")


def test_deep_nesting_is_refused():
    with pytest.raises(InputError, match="nesting deeper"):
        load_text("a: " + "[" * 900 + "]" * 900 + "\n", "deep.yaml")


def run_cli(tmp_path, text: str) -> subprocess.CompletedProcess:
    f = tmp_path / "s.yaml"
    f.write_text(text)
    return subprocess.run([sys.executable, "-m", "aicost", "compare", str(f)], capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("text", [bomb(8), "a: " + "{b: " * 900 + "1" + "}" * 900 + "\n"])
def test_the_command_refuses_them_with_exit_2_and_no_traceback(tmp_path, text):
    r = run_cli(tmp_path, text)
    assert r.returncode == 2 and r.stdout == "" and "Traceback" not in r.stderr
    assert "s.yaml" in r.stderr


def test_a_flood_of_unknown_keys_is_counted_not_listed(tmp_path):
    text = "version: 1\nname: x\n" + "".join(f"k{i}: 1\n" for i in range(20_000))
    r = run_cli(tmp_path, text)
    assert r.returncode == 2 and r.stdout == ""
    lines = r.stderr.splitlines()
    assert len(lines) <= 110 and "more (the first 100 are shown)" in lines[-2]
    assert lines[-1].startswith("aicost: 2000") and "problems found" in lines[-1]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aicost", *args], capture_output=True, text=True, timeout=30)


def test_special_files_are_refused_up_front(tmp_path):
    import os

    fifo = tmp_path / "s.yaml"
    os.mkfifo(fifo)
    for target in (str(fifo), "/dev/zero"):
        r = cli("compare", target)
        assert r.returncode == 2 and "not a regular file" in r.stderr and r.stdout == ""


def test_every_yaml_entry_of_a_pricing_folder_is_read_or_refused(tmp_path):
    d = tmp_path / "prices"
    d.mkdir()
    (d / "discount.yaml").symlink_to(tmp_path / "gone.yaml")
    r = cli("pricing", "validate", str(d))
    assert r.returncode == 2 and "discount.yaml: a dangling link" in r.stderr
    r = cli("compare", "worked-example", "--pricing", str(d))
    assert r.returncode == 2 and "a dangling link" in r.stderr


# ---- price data to import: numbers a price cannot be, nesting, bombs (issue 16, item 9) ----------
@pytest.mark.parametrize("value, said", [("NaN", "NaN: not a finite number"), ("Infinity", "Infinity: not a finite"),
                                         ("1e400", "1e400: not a finite number")])
def test_an_import_with_a_price_that_is_not_a_finite_number(tmp_path, value, said):
    f = tmp_path / "prices.json"
    f.write_text('{\n "gpt-x": {"litellm_provider": "openai", "mode": "chat",\n'
                 f'  "input_cost_per_token": {value}, "output_cost_per_token": 1e-6}}\n}}\n')
    r = cli("pricing", "import", "litellm", str(f), "--provider", "openai")
    assert r.returncode == 2 and r.stdout == "" and f"{f}:3: {said}" in r.stderr


def test_an_import_in_yaml_with_an_infinite_price_is_named(tmp_path):
    f = tmp_path / "prices.yaml"
    f.write_text("gpt-x: {litellm_provider: openai, mode: chat, input_cost_per_token: .inf, "
                 "output_cost_per_token: 1.0e-6}\n")
    r = cli("pricing", "import", "litellm", str(f), "--provider", "openai")
    assert r.returncode == 2 and r.stdout == "" and "must be a finite number (got inf)" in r.stderr


@pytest.mark.parametrize("text, said", [("[" * 100000 + "]" * 100000, "nested too deeply"),
                                        (bomb(8), "expands to more than")], ids=["nested", "bomb"])
def test_an_import_that_is_nested_or_a_bomb(tmp_path, text, said):
    f = tmp_path / ("prices.json" if text.startswith("[") else "prices.yaml")
    f.write_text(text)
    r = cli("pricing", "import", "litellm", str(f))
    assert r.returncode == 2 and r.stdout == "" and said in r.stderr and "Traceback" not in r.stderr
