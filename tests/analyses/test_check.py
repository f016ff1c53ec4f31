"""aicost check: budgets as a CI gate — exit codes, the option judged, warnings, unpriced options."""

from __future__ import annotations

import json
import textwrap

import pytest
from typer.testing import CliRunner

from aicost.analyses.check import run_checks
from aicost.cli import app
from aicost.inputs.pricebook import PriceBook

runner = CliRunner()
BOOK = PriceBook.load([])

BASE = """\
version: 1
name: {name}
volume: {{tasks_per_month: 120000}}
latency: {{p95_seconds: 6}}
attempt:
  steps:
    - {{name: answer, input_tokens: 2500, output_tokens: 350{extra}}}
models:
  gpt-5-mini: {{p_success: 0.85}}
  gpt-5-nano: {{p_success: 0.7}}
  claude-haiku-4-5: {{p_success: 0.85}}
value: {{value_per_success: 0.5}}
"""


def write(tmp_path, budget: str, name="Support", extra="", file="s.yaml"):
    p = tmp_path / file
    p.write_text(BASE.format(name=name, extra=extra) + "budget:\n" + textwrap.indent(textwrap.dedent(budget), "  "))
    return p


#: The day these checks price on: before GPT-5's retirement was announced (2026-06-11), so that the
#: judged options carry no deprecation warning, and whatever today's date is.
AS_OF = "2026-06-01"


def run(*args):
    args = [*map(str, args)] + ([] if "--as-of" in map(str, args) else ["--as-of", AS_OF])
    r = runner.invoke(app, ["check", *args])
    return r.exit_code, r.stdout, r.stderr


def test_within_budget_is_exit_0(tmp_path):
    p = write(tmp_path, "option: gpt-5-mini:standard\nmax_cost_per_success: 0.01\nmax_monthly_cost: 5000\n")
    code, out, _ = run(p, "-f", "json")
    data = json.loads(out)
    assert code == 0 and data["exit_code"] == 0 and data["counts"] == {"ok": 2, "warning": 0, "failed": 0, "error": 0}
    c = data["checks"][0]
    # by hand: (2500 x $0.25 + 350 x $2.00) / 1e6 per attempt; 1 / 0.85 attempts a success at most 3 attempts...
    # the engine's figure is compared with the compare command's, and the limit and line are the file's
    compare = json.loads(runner.invoke(app, ["compare", str(p), "-f", "json"]).stdout)
    opt = next(o for o in compare["scenarios"][0]["options"] if o["id"] == "openai/gpt-5-mini:standard")
    assert c["actual"] == opt["cost_per_success"]
    assert c["line"] == 15 and c["limit"] == 0.01 and c["chosen"] == "production"


def test_over_budget_is_exit_1_and_says_by_how_much(tmp_path):
    p = write(tmp_path, "option: gpt-5-mini:standard\nmax_cost_per_success: 0.001\n")
    code, out, _ = run(p)
    assert code == 1
    assert "FAIL" in out and "over the budget of $0.00100 by" in out and "s.yaml:15" in out


def test_min_roi_breach(tmp_path):
    p = write(tmp_path, "option: gpt-5-mini:standard\nmin_roi: 1000\n")
    code, out, _ = run(p)
    assert code == 1 and "below the minimum" in out


def test_warning_level_fail_on_warn_and_no_fail(tmp_path):
    data = json.loads(run(write(tmp_path, "option: gpt-5-mini:standard\nmax_monthly_cost: 1000\n"), "-f",
                          "json")[1])
    actual = data["checks"][0]["actual"]
    p = write(tmp_path, f"option: gpt-5-mini:standard\nmax_monthly_cost: {actual / 0.9}\nwarn_at: 80%\n")
    code, out, _ = run(p)
    assert code == 0 and "WARN" in out and "past the warning level" in out
    assert run(p, "--fail-on-warn")[0] == 1
    over = write(tmp_path, "option: gpt-5-mini:standard\nmax_monthly_cost: 1\n")
    assert run(over, "--no-fail")[0] == 0
    (tmp_path / "broken.yaml").write_text("version: 1\nname: [unclosed\n")
    assert run(over, tmp_path / "broken.yaml", "--no-fail")[0] == 2  # an incomplete run never exits 0


def test_without_an_option_the_best_eligible_is_judged_and_said(tmp_path):
    p = write(tmp_path, "max_cost_per_success: 1\n")
    data = json.loads(run(p, "-f", "json")[1])
    compare = json.loads(runner.invoke(app, ["compare", str(p), "-f", "json"]).stdout)
    assert data["checks"][0]["chosen"] == "best eligible"
    assert data["checks"][0]["option"] == compare["scenarios"][0]["options"][0]["id"]


def test_a_budget_on_an_unpriced_option_fails(tmp_path):
    # a code session on every call: Anthropic has no code-session price in the tables
    p = write(tmp_path, "option: anthropic/claude-haiku-4-5:standard\nmax_cost_per_success: 100\n",
              extra=", code_sessions: 1")
    code, out, _ = run(p, "-f", "json")
    data = json.loads(out)
    assert code == 1 and data["checks"][0]["status"] == "failed"
    assert data["checks"][0]["actual"] is None and "unpriced" in data["checks"][0]["message"]


def test_bad_input_is_exit_2_even_beside_a_breach_and_the_breach_is_still_reported(tmp_path):
    write(tmp_path, "option: gpt-5-mini:standard\nmax_cost_per_success: 0.001\n", file="over.yaml")
    write(tmp_path, "option: gpt-5-mini:standrd\nmax_cost_per_success: 0.001\n", file="typo.yaml")
    (tmp_path / "broken.yaml").write_text("version: 1\nname: [unclosed\n")
    code, out, _ = run(tmp_path)
    assert code == 2
    assert "FAIL" in out and "over.yaml:15" in out
    assert "typo.yaml:14: budget.option: no option 'gpt-5-mini:standrd'" in out
    assert "did you mean" in out and "broken.yaml" in out


def test_a_budget_with_no_limit_or_a_bad_warn_level_is_an_input_error(tmp_path):
    code, out, _ = run(write(tmp_path, "warn_at: 80%\n"))
    assert code == 2 and "give at least one limit" in out
    code, out, _ = run(write(tmp_path, "max_monthly_cost: 10\nwarn_at: 180%\n"))
    assert code == 2 and "s.yaml:15: budget.warn_at: must be at most 1" in out


def test_files_without_a_budget_are_skipped_and_said(tmp_path):
    (tmp_path / "plain.yaml").write_text(BASE.format(name="No budget", extra=""))
    code, out, _ = run(tmp_path)
    assert code == 0 and "skipped" in out and "without a budget" in out


def test_missing_paths_and_empty_globs_are_usage_errors(tmp_path):
    assert run(tmp_path / "nope.yaml")[0] == 2
    code, _, err = run(str(tmp_path / "*.yml"))
    assert code == 2 and "no file matches" in err


def test_a_percentile_budget_judges_that_percentile(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text(BASE.format(name="Ranged", extra="").replace("gpt-5-mini: {p_success: 0.85}",
                                                            "gpt-5-mini: {p_success: {low: 0.5, likely: 0.85, "
                                                            "high: 0.95}}")
                 + "budget:\n  option: gpt-5-mini:standard\n  max_cost_per_success: 1\n  percentile: 90\n")
    point = json.loads(run(p, "-f", "json", "--set", "budget.percentile=50")[1])["checks"][0]["actual"]
    p90 = run_checks([str(p)], BOOK, samples=4000).checks[0]
    assert p90.percentile == 90 and p90.actual > point  # a worse success rate costs more per success


# ---- report formats: golden files, annotation escaping and cap, JUnit structure --------------------
import os  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

from conftest import ROOT  # noqa: E402

DATA = ROOT / "tests" / "data" / "check"
GOLDEN = ROOT / "tests" / "golden" / "check"
EXT = {"table": "txt", "json": "json", "markdown": "md", "github": "github.txt", "junit": "xml"}


@pytest.mark.parametrize("fmt", list(EXT))
def test_every_format_matches_its_golden_file(fmt, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    r = runner.invoke(app, ["check", "tests/data/check", "--as-of", AS_OF, "--format", fmt])
    assert r.exit_code == 2  # the typo file is an input error; the breaches are still in the report
    path = GOLDEN / f"check.{EXT[fmt]}"
    if os.environ.get("AICOST_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(r.stdout, encoding="utf-8", newline="")
    assert r.stdout == path.read_text(encoding="utf-8")


def test_several_formats_in_one_run_and_the_step_summary(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    r = runner.invoke(app, ["check", "tests/data/check/over.yaml", "tests/data/check/within.yaml", "--as-of",
                            AS_OF, "--format", "github", "--output", f"junit={tmp_path / 'r.xml'}",
                            "--output", f"json={tmp_path / 'r.json'}"])
    assert r.exit_code == 1
    assert r.stdout.startswith("::error file=tests/data/check/over.yaml,line=14,")
    assert sum(int(s.get("failures")) for s in ET.parse(tmp_path / "r.xml").getroot()) == 2
    assert json.loads((tmp_path / "r.json").read_text())["exit_code"] == 1
    text = summary.read_text()
    assert text.startswith("earlier step\n<!-- aicost-check -->\n## aicost budget check: ❌ over budget")  # appended


def test_a_malicious_scenario_name_cannot_inject_a_workflow_command_or_break_the_xml(tmp_path):
    evil = '"100% sure: a, b\\n::error::pwned\\r\\n<x>&\\x01</testsuite>"'
    p = write(tmp_path, "max_cost_per_success: 0.0000001\n", name=evil)
    out = run(p, "-f", "github")[1]
    lines = out.splitlines()
    assert all(line.startswith(("::error file=", "::warning file=", "::notice ")) for line in lines[:-1])
    assert not any(line.startswith("::error::") for line in lines)
    assert "title=aicost budget%3A 100%25 sure%3A a%2C b%0A%3A%3Aerror%3A%3Apwned%0D%0A<x>&" in lines[0]
    xml = run(p, "-f", "junit")[1]
    root = ET.fromstring(xml)  # parses: escaped, control characters dropped
    case = root.find("testsuite/testcase")
    assert case.get("name").startswith("100% sure: a, b\n::error::pwned") and "\x01" not in case.get("name")
    assert len(root.findall("testsuite")) == 1 and case.find("failure") is not None


def test_at_most_ten_error_and_ten_warning_annotations(tmp_path):
    for k in range(12):
        write(tmp_path, "max_cost_per_success: 0.0000001\n", name=f"Over {k:02d}", file=f"over{k:02d}.yaml")
    out = run(tmp_path, "-f", "github")[1]
    assert out.count("::error ") == 10 and "::warning " not in out
    assert "::notice title=aicost::2 more error(s) and 0 more warning(s) not annotated" in out


def test_junit_has_the_shape_gitlab_and_jenkins_read(monkeypatch):
    """testsuites > testsuite > testcase > failure | error | skipped, with consistent counts and unique
    case names (the JUnit XSD subset those tools read)."""
    monkeypatch.chdir(ROOT)
    xml = runner.invoke(app, ["check", "tests/data/check", "--as-of", AS_OF, "-f", "junit"]).stdout
    root = ET.fromstring(xml)
    assert root.tag == "testsuites"
    allowed = {"testsuites": set(),
               "testsuite": {"name", "tests", "failures", "errors", "skipped", "timestamp", "hostname", "package",
                             "id", "time"},
               "properties": set(), "system-err": set(),
               "testcase": {"classname", "name", "time"}, "failure": {"message", "type"},
               "error": {"message", "type"}, "skipped": {"message"}, "system-out": set()}
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for el in root.iter():
        assert el.tag in allowed and set(el.attrib) <= allowed[el.tag], el.tag
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        names = [c.get("name") for c in cases]
        assert len(names) == len(set(names))
        counts = {"tests": len(cases), "failures": sum(c.find("failure") is not None for c in cases),
                  "errors": sum(c.find("error") is not None for c in cases),
                  "skipped": sum(c.find("skipped") is not None for c in cases)}
        assert {k: int(suite.get(k)) for k in counts} == counts
        for k in totals:
            totals[k] += counts[k]
        assert all(len([x for x in c if x.tag in ("failure", "error", "skipped")]) <= 1 for c in cases)
    assert totals["failures"] >= 3 and totals["errors"] == 1 and totals["skipped"] == 1


def test_stale_prices_behind_the_judged_option_warn_and_fail_with_fail_on_warn(monkeypatch):
    monkeypatch.chdir(ROOT)
    args = ["check", "tests/data/check/over.yaml", "--as-of", "2026-12-10", "--max-price-age", "10d", "-f", "json"]
    data = json.loads(runner.invoke(app, args + ["--set", "budget.max_cost_per_success=1",
                                                 "--set", "budget.max_cost_per_resolved_task=1"]).stdout)
    stale = [c for c in data["checks"] if c["budget"] == "price_age"]
    assert data["exit_code"] == 0 and len(stale) == 1  # only the judged option's own tier
    assert stale[0]["status"] == "warning" and "gpt-5-nano standard price was checked" in stale[0]["message"]
    r = runner.invoke(app, args + ["--set", "budget.max_cost_per_success=1", "--set",
                                   "budget.max_cost_per_resolved_task=1", "--fail-on-warn"])
    assert r.exit_code == 1
    r = runner.invoke(app, args + ["--set", "budget.max_cost_per_success=1", "--set",
                                   "budget.max_cost_per_resolved_task=1", "--max-price-age", "30d"])
    assert not [c for c in json.loads(r.stdout)["checks"] if c["budget"] == "price_age"]


# ---- against a baseline ---------------------------------------------------------------------------
def test_changes_against_a_baseline_are_held_to_max_increase(tmp_path):
    p = write(tmp_path, "option: gpt-5-mini:standard\nmax_increase: 10%\n")
    base = tmp_path / "base.json"
    assert runner.invoke(app, ["check", str(p), "--as-of", AS_OF, "--output", f"json={base}"]).exit_code == 0
    # the same inputs: no change, within
    same = json.loads(run(p, "--compare-to", base, "-f", "json")[1])
    assert same["exit_code"] == 0 and {c["budget"] for c in same["checks"]} == {"max_increase.cost_per_success",
                                                                                "max_increase.monthly_cost"}
    # 5% more input tokens raises both figures by less than 10%; 50% more by more (by hand: the cost is linear
    # in tokens, so the change is the input share of the per-attempt cost times the increase)
    assert run(p, "--compare-to", base, "--set", "attempt.steps.0.input_tokens=*1.05")[0] == 0
    code, out, _ = run(p, "--compare-to", base, "--set", "attempt.steps.0.input_tokens=*1.5")
    assert code == 1 and "went from $0.00156 to $0.00193" in out and "allowed +10%" in out
    was = json.loads(base.read_text())["scenarios"][0]["figures"]["monthly_cost"]
    data = json.loads(run(p, "--compare-to", base, "--set", "attempt.steps.0.input_tokens=*1.5", "-f", "json")[1])
    monthly = next(c for c in data["checks"] if c["budget"] == "max_increase.monthly_cost")
    assert monthly["limit"] == pytest.approx(was * 1.1) and monthly["status"] == "failed"


def test_max_increase_as_an_amount_per_figure(tmp_path):
    p = write(tmp_path, "option: gpt-5-mini:standard\nmax_increase: {monthly_cost: 100}\n")
    base = tmp_path / "base.json"
    runner.invoke(app, ["check", str(p), "--as-of", AS_OF, "--output", f"json={base}"])
    was = json.loads(base.read_text())["scenarios"][0]["figures"]["monthly_cost"]  # $159.00, no fixed costs
    data = json.loads(run(p, "--compare-to", base, "--set", "volume.tasks_per_month=*1.5", "-f", "json")[1])
    (c,) = data["checks"]  # +$79.50: within the $100 allowed
    assert c["budget"] == "max_increase.monthly_cost" and c["status"] == "ok" and c["limit"] == was + 100
    (c,) = json.loads(run(p, "--compare-to", base, "--set", "volume.tasks_per_month=*2", "-f", "json")[1])["checks"]
    assert c["status"] == "failed" and c["actual"] == pytest.approx(2 * was)  # +$159.00 > $100


def test_a_scenario_new_since_the_baseline_passes_and_says_so(tmp_path):
    p = write(tmp_path, "max_increase: 5%\n")
    base = tmp_path / "base.json"
    runner.invoke(app, ["check", str(p), "--as-of", AS_OF, "--output", f"json={base}"])
    q = write(tmp_path, "max_increase: 5%\n", name="Brand new", file="new.yaml")
    data = json.loads(run(q, "--compare-to", base, "-f", "json")[1])
    assert data["exit_code"] == 0 and all("not in the baseline" in c["message"] for c in data["checks"])


@pytest.mark.parametrize("content,message", [(None, "no such file"), ("{not json", "not a JSON file"),
                                             ('{"kind": "compare"}', "not an aicost check JSON report")])
def test_a_bad_baseline_is_exit_2(tmp_path, content, message):
    p = write(tmp_path, "max_increase: 5%\n")
    base = tmp_path / "base.json"
    if content is not None:
        base.write_text(content)
    code, _, err = run(p, "--compare-to", base)
    assert code == 2 and message in err


def test_bad_max_increase_is_an_input_error_at_its_line(tmp_path):
    code, out, _ = run(write(tmp_path, "max_monthly_cost: 10\nmax_increase: ten percent\n"))
    assert code == 2 and "s.yaml:15: budget.max_increase" in out


# ---- a budgets file pointing at scenarios ----------------------------------------------------------
def test_a_budgets_file_holds_the_scenarios_it_names_and_blames_its_own_lines(tmp_path):
    (tmp_path / "plain.yaml").write_text(BASE.format(name="Team workload", extra=""))
    team = tmp_path / "team-budgets.yaml"
    team.write_text(textwrap.dedent("""\
        kind: budgets
        version: 1
        budgets:
          - scenario: plain.yaml
            option: gpt-5-nano:standard
            max_cost_per_success: 0.0003
          - scenario: plain.yaml
            set: ["volume.tasks_per_month=*10"]
            max_monthly_cost: 100000
          - scenario: nowhere.yaml
            max_monthly_cost: 1
        """))
    code, out, _ = run(team, "-f", "json")
    data = json.loads(out)
    assert code == 2
    first, second, missing = data["checks"]
    assert first["status"] == "failed" and first["file"].endswith("team-budgets.yaml") and first["line"] == 6
    assert first["option"] == "openai/gpt-5-nano:standard" and first["chosen"] == "production"
    assert second["status"] == "ok" and second["line"] == 9 and second["chosen"] == "best eligible"
    assert missing["status"] == "error" and missing["line"] == 10 and "nowhere.yaml" in missing["message"]


def test_a_bad_budgets_file_is_reported_at_its_lines(tmp_path):
    team = tmp_path / "b.yaml"
    team.write_text("kind: budgets\nversion: 1\nbudgets:\n  - scenario: x.yaml\n    max_monthly_cost: -5\n"
                    "  - max_monthly_cost: 5\n")
    code, out, _ = run(team)
    assert code == 2 and "b.yaml:5: budgets[0].max_monthly_cost" in out and "b.yaml:6: budgets[1].scenario" in out


def test_an_internal_error_is_exit_3_without_a_traceback(tmp_path, monkeypatch):
    import aicost.analyses.check

    def boom(*a, **k):
        raise RuntimeError("simulated")

    monkeypatch.setattr(aicost.analyses.check, "check_scenario", boom)
    code, out, err = run(write(tmp_path, "max_monthly_cost: 10\n"))
    assert code == 3 and "internal error" in err and "Traceback" not in err + out


@pytest.mark.parametrize("xsd", ["junit.xsd", "junit-jenkins-xunit.xsd", "junit-ant.xsd"])
def test_junit_validates_against_the_junit_xml_schemas(monkeypatch, tmp_path, xsd):
    """GitLab's shape, the Jenkins xUnit plugin's junit-10 and the Apache Ant schema (issue 17, item 3)."""
    xmlschema = pytest.importorskip("xmlschema")
    schema = xmlschema.XMLSchema(str(DATA.parent / xsd))
    monkeypatch.chdir(ROOT)
    xml = runner.invoke(app, ["check", "tests/data/check", "--as-of", AS_OF, "-f", "junit"]).stdout
    schema.validate(xml)
    evil = write(tmp_path, "max_cost_per_success: 0.0000001\n", name='"a <b> & \\"c\\" \\x07 ]]>"')
    schema.validate(run(evil, "-f", "junit")[1])
    warned = write(tmp_path, "max_monthly_cost: 160\nwarn_at: 50%\n", file="w.yaml")
    schema.validate(run(warned, "-f", "junit")[1])
    with pytest.raises(xmlschema.XMLSchemaValidationError):  # the schema is strict enough to catch a bad shape
        schema.validate("<testsuites><testsuite name='x' tests='1' failures='0' errors='0'><failure/></testsuite>"
                        "</testsuites>")
    if xsd != "junit.xsd":  # what the Jenkins xUnit plugin rejected: a count on <testsuites>
        with pytest.raises(xmlschema.XMLSchemaValidationError):
            schema.validate(xml.replace("<testsuites>", '<testsuites skipped="1">'))


def test_a_directory_walk_passes_over_yaml_that_is_not_a_scenario_but_a_named_file_is_checked(tmp_path):
    write(tmp_path, "max_monthly_cost: 5000\n")
    (tmp_path / "prices.yaml").write_text("version: 1\nprovider: acme\nmodels: {}\n")
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "ci.yml").write_text("on: push\n")
    code, out, _ = run(tmp_path)
    assert code == 0 and "1 other YAML file passed over" in out
    code, out, _ = run(tmp_path / "prices.yaml")
    assert code == 2 and "prices.yaml" in out


@pytest.mark.parametrize("figure, said", [("1e308", "1e+308 is not a figure aicost reports"),
                                          ("true", "not a number: true"), ("NaN", 'not a number: "NaN"'),
                                          ('"159"', 'not a number: "159"'), ("-1", "negative (-1)"),
                                          ("1e400", 'not a number: "1e400"')])
def test_a_baseline_figure_that_would_let_any_increase_pass_is_refused(tmp_path, figure, said):
    """A baseline is an input like any other (issue 16, item 5): 1e308 or true must not pass a 50% rise."""
    p = write(tmp_path, "option: gpt-5-mini:standard\nmax_increase: 10%\n")
    base = tmp_path / "base.json"
    runner.invoke(app, ["check", str(p), "--as-of", AS_OF, "--output", f"json={base}"])
    text = base.read_text()
    line = text[:text.index('"monthly_cost"')].count("\n") + 1
    base.write_text(text.replace('"monthly_cost": 159.0', f'"monthly_cost": {figure}', 1))
    code, out, err = run(p, "--compare-to", base, "--set", "volume.tasks_per_month=*1.5")
    assert code == 2 and out == ""
    assert f"{base}:{line}: scenarios[0].figures.monthly_cost: {said}" in err


def test_a_baseline_nested_thousands_deep_is_exit_2(tmp_path):
    p = write(tmp_path, "max_increase: 5%\n")
    base = tmp_path / "base.json"
    base.write_text("[" * 100000 + "]" * 100000)
    code, out, err = run(p, "--compare-to", base)
    assert code == 2 and "nested too deeply" in err and "Traceback" not in err


# ---- a change judged as a change (issue 17, item 3) -----------------------------------------------
@pytest.mark.parametrize("change, code, statuses", [
    (None, 0, {"ok"}),  # nothing changed: never a warning, even with --fail-on-warn
    ("*0.9", 0, {"ok"}),  # 10% cheaper: ok
    ("*1.05", 0, {"ok"}),  # +5%: under 80% of the +10% allowed
    ("*1.09", 1, {"ok", "warning"}),  # +9% of monthly cost: past 80% of the allowed increase (cost per success unchanged)
    ("*1.2", 1, {"ok", "failed"}),  # +20%: over
])
def test_warn_at_judges_the_increase_not_the_level(tmp_path, change, code, statuses):
    p = write(tmp_path, "option: gpt-5-mini:standard\nmax_increase: 10%\nwarn_at: 80%\n")
    base = tmp_path / "base.json"
    assert runner.invoke(app, ["check", str(p), "--as-of", AS_OF, "--output", f"json={base}"]).exit_code == 0
    sets = ["--set", f"volume.tasks_per_month={change}"] if change else []
    got, out, _ = run(p, "--compare-to", base, "--fail-on-warn", *sets, "-f", "json")
    assert got == code, out
    assert {c["status"] for c in json.loads(out)["checks"]} == statuses


def test_no_increase_allowed_and_none_made_passes(tmp_path):
    p = write(tmp_path, "option: gpt-5-mini:standard\nmax_increase: 0%\n")
    base = tmp_path / "base.json"
    runner.invoke(app, ["check", str(p), "--as-of", AS_OF, "--output", f"json={base}"])
    assert run(p, "--compare-to", base)[0] == 0  # equal at the baseline's 12 digits is unchanged
    assert run(p, "--compare-to", base, "--set", "volume.tasks_per_month=*1.001")[0] == 1


def test_annotation_paths_are_relative_to_the_workspace(tmp_path, monkeypatch):
    """Run from a folder below the repository's root, the annotations still attach (issue 17, item 3)."""
    sub = tmp_path / "ci" / "budgets"
    sub.mkdir(parents=True)
    p = write(sub, "max_monthly_cost: 10\n")
    monkeypatch.chdir(sub)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    r = runner.invoke(app, ["check", p.name, "--as-of", AS_OF, "-f", "github"])
    assert r.stdout.startswith("::error file=ci/budgets/s.yaml,line=")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "elsewhere"))  # outside it: as given
    assert runner.invoke(app, ["check", p.name, "--as-of", AS_OF, "-f", "github"]).stdout.startswith("::error file=s.yaml,line=")


def test_gitlab_code_quality_report(monkeypatch, tmp_path):
    """One finding per breach, warning or input error, on the budget's line, with a fingerprint
    that stays the same from run to run and differs between findings (issue 17, item 3)."""
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    args = ["check", "tests/data/check", "--as-of", AS_OF, "-f", "codequality"]
    first = json.loads(runner.invoke(app, args).stdout)
    again = json.loads(runner.invoke(app, args + ["--set", "volume.tasks_per_month=*1.01"]).stdout)
    assert {f["severity"] for f in first} == {"major", "minor", "critical"}
    assert all(set(f) == {"description", "check_name", "fingerprint", "severity", "location"} for f in first)
    assert len({f["fingerprint"] for f in first}) == len(first)
    assert [f["fingerprint"] for f in first] == [f["fingerprint"] for f in again]  # the same findings, figures moved
    over = [f for f in first if f["location"]["path"] == "tests/data/check/over.yaml"]
    assert [f["location"]["lines"]["begin"] for f in over] == [14, 15] and over[0]["severity"] == "major"
    assert runner.invoke(app, ["check", "tests/data/check/within.yaml", "--as-of", AS_OF, "-f",
                               "codequality", "--set", "budget.warn_at=99%"]).stdout == "[]\n"
