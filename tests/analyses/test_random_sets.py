"""Random ``--set`` values never crash aicost or leak a NaN or an infinity (issue 16, done-when).

Any field of a bundled scenario set to any value: the run either works (exit 0) and its JSON
holds only finite numbers, or the value is refused with exit 2 and a message. Never exit 3.
"""

from __future__ import annotations

import json

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aicost.base.paths import bundled_scenarios
from aicost.cli import app
from aicost.inputs.yamlio import dotted

runner = CliRunner()
SCENARIOS = ("support-assistant", "triage-cascade", "self-hosted-wins", "rag-vs-long-context")


def _leaves(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, (*path, i))
    else:
        yield path


FIELDS = {s: sorted({dotted(p) for p in _leaves(yaml.safe_load(bundled_scenarios()[s].read_text())) if p})
          for s in SCENARIOS}

numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**30, 10**30).map(str),
    st.sampled_from(["0", "-0", "1e-300", "1e308", "1e400", "-1e400", "nan", "inf", "-inf", ".nan", ".inf", "1_000",
                     "0x10", "1e15", "4294967296", "0.5", "100%", "-5%"]),
)
relative = st.sampled_from(["*0", "*1e308", "*-1", "*nan", "+=1e308", "-=1e308", "*1.5", "+10%", "-100%", "-200%"])
texts = st.sampled_from(["", "abc", "true", "no", "null", "~", "[1, 2]", "{a: 1}", "[]", "{}", "2026-02-30",
                        "!!python/object/apply:os.system ['true']", "&a [*a]", "\x00", "é" * 3, "standard"])
values = st.one_of(numbers, relative, texts)


def _finite(text: str) -> None:
    def refuse(constant):
        raise AssertionError(f"{constant} in the JSON output")

    json.loads(text, parse_constant=refuse)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_set_values_never_crash_or_leak_nan(data):
    name = data.draw(st.sampled_from(SCENARIOS))
    sets = [f"{data.draw(st.sampled_from(FIELDS[name]))}={data.draw(values)}"
            for _ in range(data.draw(st.integers(1, 3)))]
    args = ["compare", name, "-f", "json", "--as-of", "2026-11-29"]
    for s in sets:
        args += ["--set", s]
    r = runner.invoke(app, args)
    assert r.exit_code in (0, 2), f"{sets}: exit {r.exit_code}\n{r.output}"
    if r.exit_code == 0:
        _finite(r.stdout)
    else:
        assert r.stderr.strip() and "Traceback" not in r.output
