"""The hot path (aicost.cli.quick, issue 24): every top-level command, run as ``aicost <command>``
runs it, gets the same arguments, output and exit code with the plain converters as with
typer's own pydantic ones; the values they are not sure of go to typer's; a warm
``aicost compare`` loads none of pydantic's schema machinery."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from enum import Enum
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from aicost.cli import COMMANDS, _command
from aicost.cli.common import TYPER
from aicost.cli.quick import QuickCommand

ROOT = Path(__file__).resolve().parents[2]
LAZY = hasattr(typer.core, "build_runtime_param")  # typer 0.2x: a converter per parameter, built on first use


def _run(name: str, argv: list[str], quick: bool, monkeypatch) -> tuple[int, str, list, int]:
    """(exit code, output, the arguments the command got, typer converters built) of one run."""
    fn, calls, built = _command(name), [], []

    @functools.wraps(fn)
    def record(**kwargs):
        calls.append(kwargs)

    if LAZY:
        real = typer.core.build_runtime_param
        monkeypatch.setattr(typer.core, "build_runtime_param", lambda d: built.append(d) or real(d))
    app = typer.Typer(**TYPER)
    app.command(name=name, **({"cls": QuickCommand} if quick else {}))(record)
    r = CliRunner().invoke(app, argv, prog_name=f"aicost {name}")
    monkeypatch.undo()
    return r.exit_code, r.output, calls, len(built)


def _shape(value):
    """A value with its types, so that 5 and '5', a str and a Path, an Enum and its text differ."""
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_shape(v) for v in value])
    return (type(value).__name__, value.value if isinstance(value, Enum) else value)


def _params(name: str) -> list:
    app = typer.Typer(**TYPER)
    app.command(name=name)(_command(name))
    return typer.main.get_command(app).params


def _sample(param, good: bool) -> list[str]:
    """A value for one parameter, as a user would type it (good) or get it wrong."""
    d = param.type_descriptor
    ann = d.annotation
    if getattr(ann, "__origin__", None) is list:
        ann = ann.__args__[0]
    info = d.parameter_info
    if isinstance(ann, type) and issubclass(ann, Enum):
        return [str(m.value) for m in ann] if good else [str(list(ann)[0].value).upper(), "nope", ""]
    if ann is int:
        low = info.min if info.min is not None else 0
        ok = [str(low), str(low + 7)] + ([str(info.max)] if info.max is not None else [])
        return ok if good else [str(low - 1), "abc", "07", " 5", "+5", "1_000", "5.0", ""] + \
            ([str(info.max + 1)] if info.max is not None else [])
    if ann is Path:
        return ["pricing", "no/such/file.yaml", "scenarios/support-assistant.yaml"] if good else ["", "a\0b"]
    return ["x", "support-assistant", "a b=c", "é"] if good else [""]


def _cases(name: str) -> list[tuple[list[str], bool]]:
    """(argv, whether the quick path must do it all itself) for one command."""
    params = [p for p in _params(name) if p.name]
    args = [p for p in params if isinstance(p, typer.core.TyperArgument)]
    required = [v for p in args if p.required for v in _sample(p, True)[:1]]
    required += [v for p in params if not isinstance(p, typer.core.TyperArgument) and p.required
                 for v in (p.opts[0], _sample(p, True)[0])]
    cases = [(required, True), (required + ["--help"], True), (required + ["--no-such-option"], True)]
    if not required:
        cases.append((["-h"], True))
    for p in args:
        if p.nargs == -1:
            cases.append((required + _sample(p, True), True))
    for p in params:
        if isinstance(p, typer.core.TyperArgument):
            continue
        if p.is_flag:
            cases += [(required + [p.opts[0]], True), (required + [f"{p.opts[0]}=1"], True)]
            continue
        for name_ in p.opts:
            for v in _sample(p, True):
                cases += [(required + [name_, v], True), (required + [f"{name_}={v}"] if name_.startswith("--")
                                                          else required + [name_ + v], True)]
            for v in _sample(p, False):
                cases.append((required + [name_, v], False))
            cases.append((required + [name_], True))  # no value: typer's usage error
        if p.multiple:
            v = _sample(p, True)
            cases.append((required + [p.opts[0], v[0], p.opts[-1], v[-1]], True))
        else:
            v = _sample(p, True)
            cases.append((required + [p.opts[0], v[0], p.opts[0], v[-1]], True))  # the last one wins
    return cases


@pytest.mark.skipif(not LAZY, reason="typer before 0.2x: QuickCommand is typer's command as it is")
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_quick_and_typer_give_every_command_the_same_arguments(name, monkeypatch):
    cases = _cases(name)
    assert len(cases) > 10
    for argv, all_quick in cases:
        code, out, calls, built = _run(name, argv, False, monkeypatch)
        q_code, q_out, q_calls, q_built = _run(name, argv, True, monkeypatch)
        assert (q_code, q_out) == (code, out), argv
        assert [{k: _shape(v) for k, v in c.items()} for c in q_calls] == \
               [{k: _shape(v) for k, v in c.items()} for c in calls], argv
        if LAZY and all_quick:
            assert q_built == 0, argv  # no pydantic adapter was built
        if LAZY and calls:
            assert built > 0  # (typer's own path does build them: the comparison is with the real thing)


@pytest.mark.skipif(not LAZY, reason="typer before 0.2x: QuickCommand is typer's command as it is")
def test_the_commands_use_only_converters_the_quick_path_knows():
    """A new kind of option (a float, a date, a tuple) needs a plain converter and cases here, or
    it silently falls back to typer's on every run."""
    from aicost.cli.quick import converter

    for name in COMMANDS:
        for p in _params(name):
            if p.name:
                assert converter(p.type_descriptor.annotation, p.type_descriptor.parameter_info) is not None, \
                    (name, p.name)


@pytest.mark.skipif(not LAZY, reason="typer before 0.2x builds no pydantic adapters")
def test_a_warm_compare_loads_no_pydantic_schema_machinery(tmp_path):
    code = ("import sys\nfrom aicost.cli import main\nsys.argv = ['aicost', 'compare']\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
            "print(sorted(m for m in ('typer._adapters', 'pydantic.main', 'pydantic.fields', 'pydantic.type_adapter')"
            " if m in sys.modules), file=sys.stderr)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AICOST_CACHE_DIR": str(tmp_path)}
    for _ in range(2):  # the first run fills the cache
        r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines()[-1] == "[]", r.stderr


@pytest.mark.skipif(not LAZY, reason="typer before 0.2x builds no pydantic adapters")
@pytest.mark.parametrize("argv", [["compare"], ["gpu", "self-hosted-wins"]])
def test_a_warm_run_imports_neither_the_yaml_reader_nor_pydantic(tmp_path, argv):
    """Issue 24 (start-up): a run served from the cache parses no YAML and validates nothing, so it
    loads neither PyYAML nor pydantic (with its models), about 60 ms of a 230 ms ``compare``."""
    code = ("import sys\nfrom aicost.cli import main\nsys.argv = ['aicost'] + sys.argv[1:]\n"
            "try:\n    main()\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
            "print(sorted(m for m in ('yaml', 'pydantic', 'aicost.model') if m in sys.modules), file=sys.stderr)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "AICOST_CACHE_DIR": str(tmp_path)}
    first = subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert first.stderr.splitlines()[-1] != "[]"  # the cold run reads the YAML (the check can tell)
    r = subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stderr.splitlines()[-1] == "[]", r.stderr
