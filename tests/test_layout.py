"""The package's shape: its layers hold (import-linter), every notice has words, every command
has help with an example, and no module grows past the size a maintainer can read."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "aicost"


def test_import_layers_contract_holds():
    pytest.importorskip("importlinter")
    exe = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    r = subprocess.run([exe, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]


def test_mypy_is_clean_on_engine_results_and_analyses():
    pytest.importorskip("mypy")
    r = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]


def test_no_module_over_about_400_lines():
    sizes = {p.relative_to(ROOT).as_posix(): len(p.read_text().splitlines()) for p in PKG.rglob("*.py")}
    assert {p: n for p, n in sizes.items() if n > 400} == {}


def test_version_is_written_in_one_place():
    texts = {p.relative_to(ROOT).as_posix(): p.read_text() for p in PKG.rglob("*.py")}
    assert [p for p, t in texts.items() if '"version": "' in t] == []  # never a literal version
    assert [p for p, t in texts.items() if "RESULT_VERSION = " in t] == ["aicost/results/base.py"]


def test_every_notice_code_the_core_emits_has_words():
    from aicost.report.explain import SAY

    codes = set()
    for p in PKG.rglob("*.py"):
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "of" and node.args \
                    and isinstance(node.args[0], ast.Constant) and getattr(node.func.value, "id", "") == "Notice":
                codes.add(node.args[0].value)
    assert codes and codes <= set(SAY), codes - set(SAY)


def test_command_bodies_in_cli_are_short():
    """A command is options, then a body of a few lines: parse, analyse, render, emit."""
    long = []
    for p in (PKG / "cli").glob("*.py"):
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name == "body":
                n = node.end_lineno - node.lineno + 1
                if n > 40:
                    long.append((p.name, node.lineno, n))
    assert long == []


@pytest.mark.parametrize("argv", [[c] for c in ("compare", "gpu", "sweep", "breakeven", "sensitivity", "check",
                                               "export", "allocate")] +
                         [["pricing", c] for c in ("list", "show", "validate", "diff", "schema", "import")])
def test_every_command_has_help_with_an_example(argv):
    from typer.testing import CliRunner

    from aicost.cli import app

    r = CliRunner().invoke(app, argv + ["--help"])
    assert r.exit_code == 0 and "Example:" in r.output
