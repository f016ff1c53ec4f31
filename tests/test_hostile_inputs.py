"""A corpus of hostile inputs, generated at test time, one for every kind of input aicost reads
(issue 16, "done when"). Each runs the real command in a child process and must give:

- exit 2, with a message naming the file (and its line, where the file has lines);
- no traceback and no "internal error";
- nothing on stdout, and nothing written (an ``--output`` target is never created);
- within the time limit below and a bounded peak memory (the child's own max RSS).

The limits are guards against a hang or a blow-up, not timings: a healthy run of any case
takes about a second.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from aicost.base.paths import bundled_scenarios

LIMIT_S = 60
LIMIT_RSS_MB = 1500
HEADER = "timestamp,provider,model,tier,input_tokens,output_tokens,team\n"
ROW = "2026-10-01,openai,gpt-5-mini,standard,1000,100,a\n"
BASE = {"timestamp": "2026-10-01", "provider": "openai", "model": "gpt-5-mini", "tier": "standard",
        "input_tokens": 1000, "output_tokens": 100, "team": "a"}


def bomb(levels: int = 8) -> str:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefghij", "bcdefghijk"[:levels]):
        lines.append(f"{name}: &{name} [" + ",".join(["*" + prev] * 10) + "]")
    return "\n".join(lines) + "\n"


def flow_bomb(levels: int = 7) -> str:
    """The same bomb on one line (a --set value)."""
    parts = ["&a [x,x,x,x,x,x,x,x,x,x]"]
    for prev, name in zip("abcdefghij", "bcdefghijk"[:levels]):
        parts.append(f"&{name} [" + ",".join(["*" + prev] * 10) + "]")
    return "[" + ", ".join(parts) + "]"


def scenario(**changes) -> str:
    import yaml

    data = yaml.safe_load(bundled_scenarios()["worked-example"].read_text())
    data.update(changes)
    return yaml.safe_dump(data)


def _parquet(path: Path, nan: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = {k: [v, v] for k, v in BASE.items() if k != "input_tokens"}
    cols["input_tokens"] = pa.array([1.0, float("nan")]) if nan else pa.array([1.0, 2.0])
    if not nan:
        cols["team"] = pa.array([{"x": 1}, {"x": 2}])
    pq.write_table(pa.table(cols), path)


#: id -> (files to write: name -> text, bytes or a function of the path; the command's arguments,
#: with {d} for the case's folder; the expected start of the first message, a regex, after the
#: folder; extra environment)
CASES: dict[str, tuple[dict, list[str], str, dict]] = {
    # scenarios
    "scenario alias bomb": ({"s.yaml": bomb()}, ["compare", "{d}/s.yaml"], r"s\.yaml:6: the file expands", {}),
    "scenario nested 900 deep": ({"s.yaml": "a: " + "[" * 900 + "]" * 900 + "\n"}, ["compare", "{d}/s.yaml"],
                                 r"s\.yaml:1: nesting deeper", {}),
    "scenario 100,000 unknown keys": ({"s.yaml": "version: 1\n" + "".join(f"k{i}: 1\n" for i in range(100_000))},
                                      ["compare", "{d}/s.yaml"], r"s\.yaml:\d+: ", {}),
    "scenario boolean as a number": ({"s.yaml": scenario(models={"gpt-5-mini": {"p_success": True}})},
                                     ["compare", "{d}/s.yaml"], r"s\.yaml:\d+: models\.gpt-5-mini\.p_success", {}),
    "scenario python tag": ({"s.yaml": "version: 1\nname: !!python/object/apply:os.system ['touch {d}/ran']\n"},
                            ["compare", "{d}/s.yaml"], r"s\.yaml:\d+: ", {}),
    "scenario not UTF-8": ({"s.yaml": b"version: 1\nname: caf\xe9\n"}, ["compare", "{d}/s.yaml"],
                           r"s\.yaml:2: not UTF-8", {}),
    "scenario over 10 MB": ({"s.yaml": "# " + "x" * (11 << 20) + "\n"}, ["compare", "{d}/s.yaml"],
                            r"s\.yaml: file is too large", {}),
    "scenario is a FIFO": ({"s.yaml": os.mkfifo}, ["compare", "{d}/s.yaml"], r"s\.yaml: not a regular file", {}),
    "scenario is /dev/zero": ({}, ["compare", "/dev/zero"], r"/dev/zero: not a regular file", {}),
    "--set NaN": ({}, ["compare", "worked-example", "--set", "volume.tasks_per_month=nan"],
                  r"--set volume\.tasks_per_month=nan: volume\.tasks_per_month: must be a finite number", {}),
    "--set alias bomb": ({}, ["compare", "worked-example", "--set", "name=" + flow_bomb()],
                         r"--set name=.*\.\.\.: the value expands to more than 500,000 values", {}),
    # price tables
    "pricing NaN price": ({"p/acme.yaml": "version: 1\nprovider: acme\nname: Acme\nsource: t\nchecked: 2026-11-01\n"
                                          "models:\n  m1:\n    tiers:\n      standard: {input: .nan, output: 2}\n"},
                          ["compare", "worked-example", "--pricing", "{d}/p"], r"p/acme\.yaml:9: ", {}),
    "pricing alias bomb": ({"p/acme.yaml": bomb()}, ["compare", "worked-example", "--pricing", "{d}/p"],
                           r"p/acme\.yaml:6: the file expands", {}),
    "pricing dangling link": ({"p/acme.yaml": lambda p: os.symlink(p.parent / "gone", p)},
                              ["compare", "worked-example", "--pricing", "{d}/p"], r"p/acme\.yaml: a dangling link", {}),
    "GPU table alias bomb": ({"g/gpus.yaml": "kind: gpus\n" + bomb()}, ["gpu", "self-hosted-wins", "--pricing", "{d}/g"],
                             r"g/gpus\.yaml:\d+: the file expands", {}),
    # budgets and baselines
    "budget infinite": ({"s.yaml": scenario(budget={"max_monthly_cost": float("inf")})}, ["check", "{d}/s.yaml"],
                        r"s\.yaml:\d+: budget\.max_monthly_cost", {}),
    "baseline 1e308": ({"s.yaml": scenario(budget={"max_increase": "10%"}),
                        "base.json": lambda p: _baseline(p, "1e308")},
                       ["check", "{d}/s.yaml", "--compare-to", "{d}/base.json"], r"base\.json:\d+: scenarios\[0\]", {}),
    "baseline true": ({"s.yaml": scenario(budget={"max_increase": "10%"}),
                       "base.json": lambda p: _baseline(p, "true")},
                      ["check", "{d}/s.yaml", "--compare-to", "{d}/base.json"], r"base\.json:\d+: scenarios\[0\]", {}),
    "baseline nested": ({"s.yaml": scenario(budget={"max_increase": "10%"}),
                         "base.json": "[" * 100_000 + "]" * 100_000},
                        ["check", "{d}/s.yaml", "--compare-to", "{d}/base.json"], r"base\.json: nested too deeply", {}),
    "job summary unwritable": ({"s.yaml": scenario(budget={"max_monthly_cost": 1e9})}, ["check", "{d}/s.yaml"],
                               r"{d}/no/summary\.md: cannot write the job summary", {"GITHUB_STEP_SUMMARY": "{d}/no/summary.md"}),
    # usage logs, mappings, shared costs
    "usage CSV nan": ({"u.csv": HEADER + ROW + ROW.replace("1000", "nan")}, ["allocate", "{d}/u.csv"],
                      r"u\.csv:3: row 2: input_tokens: not a number", {}),
    "usage CSV inf": ({"u.csv": HEADER + ROW.replace("1000", "inf")}, ["allocate", "{d}/u.csv"],
                      r"u\.csv:2: row 1: input_tokens: not a finite number", {}),
    "usage CSV 1e308": ({"u.csv": HEADER + ROW.replace("1000", "1e308")}, ["allocate", "{d}/u.csv"],
                        r"u\.csv:2: row 1: input_tokens: too large", {}),
    "usage CSV too many fields": ({"u.csv": HEADER + ROW + ROW.replace(",a", ",a,b")}, ["allocate", "{d}/u.csv"],
                                  r"u\.csv:3: row 2: too many fields", {}),
    "usage CSV Latin-1": ({"u.csv": (HEADER + ROW).encode() + ROW.replace(",a", ",\u00e9").encode("latin-1")},
                          ["allocate", "{d}/u.csv"], r"u\.csv:3: not UTF-8", {}),
    "usage CSV UTF-16": ({"u.csv": (HEADER + ROW).encode("utf-16")}, ["allocate", "{d}/u.csv"], r"u\.csv:1: UTF-16", {}),
    "usage .gz not gzip": ({"u.csv.gz": HEADER + ROW}, ["allocate", "{d}/u.csv.gz"], r"u\.csv\.gz: cannot read", {}),
    "usage JSON Lines NaN": ({"u.jsonl": json.dumps(BASE) + "\n" + json.dumps(BASE).replace("1000", "NaN") + "\n"},
                             ["allocate", "{d}/u.jsonl"], r"u\.jsonl:2: row 2: input_tokens: not a number", {}),
    "usage JSON Lines array": ({"u.jsonl": json.dumps(BASE) + "\n[1, 2]\n"}, ["allocate", "{d}/u.jsonl"],
                               r"u\.jsonl:2: row 2: not a JSON object", {}),
    "usage JSON Lines nested": ({"u.jsonl": json.dumps(BASE) + "\n" + '{"a":' * 20_000 + "1" + "}" * 20_000 + "\n"},
                                ["allocate", "{d}/u.jsonl"], r"u\.jsonl:2: nested deeper than 64", {}),
    "usage JSON Lines team object": ({"u.jsonl": json.dumps({**BASE, "team": {"x": 1}}) + "\n"},
                                     ["allocate", "{d}/u.jsonl"], r"u\.jsonl:1: row 1: team: not a text value", {}),
    "usage start_time 1e30": ({"u.jsonl": json.dumps({**BASE, "timestamp": 1e30}) + "\n"},
                              ["allocate", "{d}/u.jsonl"], r"u\.jsonl:1: row 1: timestamp: not a date", {}),
    "usage Parquet NaN": ({"u.parquet": lambda p: _parquet(p, nan=True)}, ["allocate", "{d}/u.parquet"],
                          r"u\.parquet: row 2: input_tokens: not a number", {}),
    "usage Parquet struct team": ({"u.parquet": lambda p: _parquet(p, nan=False)}, ["allocate", "{d}/u.parquet"],
                                  r"u\.parquet: row 1: team: not a text value", {}),
    "usage page nested": ({"page.json": "[" * 100_000 + "]" * 100_000}, ["allocate", "{d}/page.json", "--from", "openai"],
                          r"page\.json: nested too deeply", {}),
    "mapping version 2": ({"u.csv": HEADER + ROW, "m.yaml": "version: 2\ncolumns: {timestamp: timestamp, model: model}\n"},
                          ["allocate", "{d}/u.csv", "--from", "{d}/m.yaml"], r"m\.yaml:1: version", {}),
    "mapping NaN requests": ({"u.csv": HEADER + ROW, "m.yaml": "version: 1\ncolumns: {timestamp: timestamp, model: model}"
                                                              "\nvalues: {requests: .nan}\n"},
                             ["allocate", "{d}/u.csv", "--from", "{d}/m.yaml"], r"m\.yaml:3: values\.requests", {}),
    "shared costs alias bomb": ({"u.csv": HEADER + ROW, "sh.yaml": bomb()},
                                ["allocate", "{d}/u.csv", "--shared", "{d}/sh.yaml"], r"sh\.yaml:6: the file expands", {}),
    # price data to import
    "import NaN price": ({"prices.json": '{\n "gpt-x": {"litellm_provider": "openai", "mode": "chat",\n'
                                         '  "input_cost_per_token": NaN, "output_cost_per_token": 1e-6}\n}\n'},
                         ["pricing", "import", "litellm", "{d}/prices.json", "--provider", "openai"],
                         r"prices\.json:3: NaN: not a finite number", {}),
    "import nested": ({"prices.json": "[" * 100_000 + "]" * 100_000},
                      ["pricing", "import", "litellm", "{d}/prices.json"], r"prices\.json: nested too deeply", {}),
    # outputs
    "output to a directory": ({"outdir/keep": ""}, ["compare", "worked-example", "--as-of", "2026-06-01", "--output", "{d}/outdir"],
                              r"outdir: cannot write: it is a directory", {}),
    "output to a full disk": ({}, ["compare", "worked-example", "--as-of", "2026-06-01", "--output", "/dev/full"],
                              r"/dev/full: cannot write", {}),
}


def _baseline(path: Path, figure: str) -> None:
    base = {"version": "1", "kind": "check", "currency": "USD",
            "scenarios": [{"scenario": "Worked example", "option": "x", "figures": {"monthly_cost": 1.0}}]}
    path.write_text(json.dumps(base, indent=2).replace('"monthly_cost": 1.0', f'"monthly_cost": {figure}'))


def _make(d: Path, files: dict) -> None:
    for name, content in files.items():
        p = d / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(p)
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content.replace("{d}", str(d)))


def _run(case: str, d: Path) -> tuple[int, str, str, float, bool]:
    files, args, _, env = CASES[case]
    _make(d, files)
    before = sorted(str(p) for p in d.rglob("*"))
    env = {**os.environ, "AICOST_NO_CACHE": "1", **{k: v.format(d=d) for k, v in env.items()}}
    env.pop("GITHUB_STEP_SUMMARY", None) if "GITHUB_STEP_SUMMARY" not in CASES[case][3] else None
    child = subprocess.Popen([sys.executable, "-m", "aicost", *(a.format(d=d) for a in args)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = child.communicate(timeout=LIMIT_S)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        return -1, out, err + "\n(timed out)", 0.0, False
    rss_mb = _peak_rss_mb(child.pid)
    after = sorted(str(p) for p in d.rglob("*"))
    return child.returncode, out, err, rss_mb, before == after


def _peak_rss_mb(pid: int) -> float:
    """A bound on the child's peak memory: the high-water mark of every child reaped so far."""
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Every case, two at a time (each is a child process)."""
    base = tmp_path_factory.mktemp("hostile")
    folders = {case: base / re.sub(r"\W+", "-", case) for case in CASES}
    for d in folders.values():
        d.mkdir()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(CASES, pool.map(lambda c: _run(c, folders[c]), CASES)))
    return {c: (*results[c], folders[c]) for c in CASES}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_input_is_refused_cleanly(outcomes, case):
    code, out, err, rss_mb, unchanged, d = outcomes[case]
    expected = CASES[case][2].replace("{d}", re.escape(str(d)))
    assert code == 2, f"exit {code}\n{err}"
    assert "Traceback" not in err + out and "internal error" not in err + out
    if CASES[case][1][0] == "check" and out:
        # check reports a budget file's input error in its report, as a row, beside the other checks
        assert out.rstrip().endswith("(exit 2)")
        first = out.split("ERROR", 1)[1].strip().splitlines()[0]
    else:
        assert out == ""
        first = err.splitlines()[0] if err else ""
    assert re.match(rf"^({re.escape(str(d))}/)?{expected}", first), first
    assert unchanged, "something was written"
    assert not (d / "ran").exists()
    assert rss_mb < LIMIT_RSS_MB
