"""Views of a budget check: a table for the log and the versioned JSON."""

from __future__ import annotations

from aicost.report.explain import figure, say
from aicost.report.json import dumps
from aicost.report.markdown import code as code_span
from aicost.report.markdown import esc
from aicost.report.table import columns, shorten

MARK = {"ok": "ok", "warning": "WARN", "failed": "FAIL", "error": "ERROR"}


def _fig(metric: str | None, x: float | None, currency: str) -> str:
    return "—" if metric is None else figure(metric, x, currency)


def summary_line(report, code: int) -> str:
    n = report.counts()
    parts = [f"{len(report.checks)} check{'s' if len(report.checks) != 1 else ''}", f"{n['ok']} ok",
             f"{n['warning']} warning{'s' if n['warning'] != 1 else ''}", f"{n['failed']} failed",
             f"{n['error']} error{'s' if n['error'] != 1 else ''}"]
    if report.skipped:
        parts.append(f"{len(report.skipped)} file{'s' if len(report.skipped) != 1 else ''} without a budget")
    if report.ignored:
        parts.append(f"{report.ignored} other YAML file{'s' if report.ignored != 1 else ''} passed over")
    return ", ".join(parts) + f" (exit {code})"


def table(report, code: int | None = None, width: int = 160, **_) -> str:
    """A compact table of the checks fitted to ``width`` (where it is too narrow, the option judged
    goes on a line under its checks), then one line per check that is not ok (``file:line: why``),
    which a log reader or an editor can jump to: those are never cut."""
    code = report.exit_code() if code is None else code
    cur = report.currency
    rows, details = [], []
    for c in report.checks:
        place = c.file if c.line is None else f"{c.file}:{c.line}"
        if c.status == "error":
            details.append(f"{MARK[c.status]:<5}  {say(c.message)}")
            continue
        judged = f"{c.option} ({c.chosen})" if c.option else f"({c.chosen})"
        limit = "—" if c.kind is None else ("≤ " if c.kind == "max" else "≥ ") + _fig(c.metric, c.limit, cur)
        rows.append((MARK[c.status], c.scenario, c.budget + (f" P{c.percentile}" if c.percentile else ""),
                     _fig(c.metric, c.actual, cur), limit, judged))
        if c.status != "ok":
            details.append(f"{MARK[c.status]:<5}  {place}: {c.scenario}: {say(c.message)}")
    out = []
    if rows:
        header, right = ("status", "scenario", "budget", "actual", "limit", "option judged"), \
            [False, False, False, True, True, False]
        lines = columns(header, rows, right)
        if max(map(len, lines)) > width:  # narrow: the option judged on a line under its checks
            narrow = [list(r[:5]) for r in rows]
            over = max(map(len, columns(header[:5], narrow, right[:5]))) - width
            if over > 0:  # the scenario names give up what is over
                room = max(10, max(len(r[1]) for r in narrow) - over)
                narrow = [[r[0], shorten(r[1], room), *r[2:]] for r in narrow]
            lines = columns(header[:5], narrow, right[:5])
            out.append(lines[0])
            for k, (line, r) in enumerate(zip(lines[1:], rows)):
                out.append(line)
                if k + 1 == len(rows) or rows[k + 1][1:2] + rows[k + 1][5:] != r[1:2] + r[5:]:
                    line = f"        option judged: {r[5]}"  # never cut: it is what a budget's option names
                    out += [line] if len(line) <= width else ["        option judged:", f"          {r[5]}"]
        else:
            out += lines
    if details:
        out += ([""] if rows else []) + details
    for file, why in report.skipped:
        out.append(f"skipped {file}: {say(why)}")
    out.append(summary_line(report, code))
    return "\n".join(out) + "\n"


def to_json(report, code: int | None = None, **_) -> str:
    code = report.exit_code() if code is None else code
    from aicost.results.base import envelope

    return dumps(envelope(report.kind, report.payload(code)))


# ---- GitHub Actions workflow commands ----------------------------------------------------------
MAX_ANNOTATIONS = 10  # GitHub shows at most 10 error and 10 warning annotations per step


def gh_data(text: str) -> str:
    """A workflow command's message: %, CR and LF escaped, so no text can start a new command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def gh_property(text: str) -> str:
    """A workflow command's property value: as data, plus ':' and ','."""
    return gh_data(text).replace(":", "%3A").replace(",", "%2C")


def _severity(c) -> float:
    """Biggest overrun first: how far past the limit, relative to it."""
    if c.over_by is None or not c.limit:
        return float("inf")
    return c.over_by / abs(c.limit)


def workspace_path(file: str, workspace: str | None) -> str:
    """A file as GitHub attaches annotations: relative to the workspace (the repository's root),
    even when aicost runs from a folder below it; as given when outside it or without one."""
    import os

    if not workspace:
        return file
    full = os.path.abspath(file)
    root = os.path.abspath(workspace)
    if os.path.commonpath([full, root]) != root:
        return file
    return os.path.relpath(full, root).replace(os.sep, "/")


def github(report, code: int | None = None, workspace: str | None = None, **_) -> str:
    """``::error`` / ``::warning`` annotations on each budget's line (errors and breaches first, then
    warnings, biggest overrun first; at most 10 of each, the rest counted in a notice), then the
    summary line. File paths are made relative to ``workspace`` ($GITHUB_WORKSPACE)."""
    code = report.exit_code() if code is None else code
    errors = sorted((c for c in report.checks if c.status in ("failed", "error")),
                    key=lambda c: (c.status != "error", -_severity(c)))
    warnings = sorted((c for c in report.checks if c.status == "warning"), key=lambda c: -_severity(c))
    out = []
    for level, group in (("error", errors), ("warning", warnings)):
        for c in group[:MAX_ANNOTATIONS]:
            props = [f"file={gh_property(workspace_path(c.file, workspace))}"] + ([f"line={c.line}"] if c.line else [])
            title = "aicost: bad input" if c.status == "error" else \
                f"aicost budget: {c.scenario}: {c.budget}" + (" (warning)" if level == "warning" else "")
            props.append(f"title={gh_property(title)}")
            out.append(f"::{level} {','.join(props)}::{gh_data(say(c.message))}")
    more_e, more_w = max(0, len(errors) - MAX_ANNOTATIONS), max(0, len(warnings) - MAX_ANNOTATIONS)
    if more_e or more_w:
        out.append(f"::notice title=aicost::{more_e} more error(s) and {more_w} more warning(s) not annotated "
                   f"(GitHub shows 10 of each per step); the full list is in the job summary and the log")
    out.append(gh_data(summary_line(report, code)))
    return "\n".join(out) + "\n"


# ---- Markdown (a pull-request comment or a job summary) -------------------------------------------
MAX_SUMMARY_BYTES = 900_000  # GitHub's step summary limit is 1 MiB
#: The first line of the Markdown report, unseen once rendered: a CI job finds its earlier
#: pull-request comment by it and updates that one instead of adding another (docs/ci.md).
COMMENT_MARKER = "<!-- aicost-check -->"


def markdown(report, code: int | None = None, **_) -> str:
    code = report.exit_code() if code is None else code
    cur = report.currency
    n = report.counts()
    head = "✅ within budget" if code == 0 and not n["warning"] else ("⚠️ within budget, with warnings" if code == 0
                                                                     else "❌ over budget" if not n["error"]
                                                                     else "❌ could not check everything")
    out = [COMMENT_MARKER, f"## aicost budget check: {head}", "", esc(summary_line(report, code)), ""]
    rows = [c for c in report.checks if c.status != "error"]
    if rows:
        out += ["| status | scenario | budget | actual | limit | option judged | why |",
                "|---|---|---|--:|--:|---|---|"]
        for c in sorted(rows, key=lambda c: ({"failed": 0, "warning": 1, "ok": 2}[c.status], -_severity(c))):
            limit = "—" if c.kind is None else ("≤ " if c.kind == "max" else "≥ ") + _fig(c.metric, c.limit, cur)
            place = c.file if c.line is None else f"{c.file}:{c.line}"
            out.append(f"| {MARK[c.status]} | {esc(c.scenario)} | {esc(c.budget)} | {_fig(c.metric, c.actual, cur)} "
                       f"| {limit} | {esc(c.option or '—')} ({esc(c.chosen)}) | {code_span(place)} {esc(say(c.message))} |")
    bad = [c for c in report.checks if c.status == "error"]
    if bad:
        out += ["", "**Input errors**", ""] + [f"- {code_span(say(c.message))}" for c in bad]
    if report.skipped:
        out += ["", f"<details><summary>{len(report.skipped)} file(s) without a budget</summary>", ""]
        out += [f"- {code_span(f)}" for f, _ in report.skipped] + ["", "</details>"]
    text = "\n".join(out) + "\n"
    if len(text.encode()) > MAX_SUMMARY_BYTES:
        text = text.encode()[:MAX_SUMMARY_BYTES].decode(errors="ignore").rsplit("\n", 1)[0] + \
            "\n\n… cut to stay under GitHub's 1 MiB summary limit; the JSON report has every check.\n"
    return text


# ---- JUnit XML (GitLab, Jenkins, Azure DevOps test tabs) -----------------------------------------
_XML_BAD = {c: None for c in range(32) if c not in (9, 10, 13)} | {0xFFFE: None, 0xFFFF: None}


def _x(text) -> str:
    """Text XML 1.0 can carry (control characters dropped); ElementTree escapes the rest."""
    return str(text).translate(_XML_BAD)


def junit(report, code: int | None = None, **_) -> str:
    """One testsuite per scenario file, one testcase per budget limit (``failure`` for a breach,
    ``error`` for bad input, ``skipped`` for a file without a budget; a warning passes, and is
    said in the suite's ``system-out``). Case names are unique (GitLab keeps only the first of
    duplicates). Valid against both the Jenkins xUnit plugin's schema and the Apache Ant JUnit
    schema: no attributes on ``testsuites``; every suite has properties, system-out and
    system-err, a timestamp (the prices' date, so that the same input gives the same file),
    ``localhost``, a package and an id; every case a classname and a time."""
    code = report.exit_code() if code is None else code
    import xml.etree.ElementTree as ET

    suites: dict[str, list] = {}
    for c in report.checks:
        suites.setdefault(c.file, []).append(c)
    for f, _ in report.skipped:
        suites.setdefault(f, [])
    root = ET.Element("testsuites")
    for n, file in enumerate(sorted(suites)):
        checks = suites[file]
        suite = ET.SubElement(root, "testsuite", name=_x(file) or "-", timestamp=f"{report.as_of}T00:00:00",
                              hostname="localhost", package="aicost", id=str(n), time="0")
        ET.SubElement(suite, "properties")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        seen: dict[str, int] = {}
        said: list[str] = []
        for c in checks or [None]:
            base = f"{c.scenario} / {c.budget}" if c else f"{file} / budget"
            seen[base] = seen.get(base, 0) + 1
            name = base if seen[base] == 1 else f"{base} ({seen[base]})"
            case = ET.SubElement(suite, "testcase", classname=_x(file), name=_x(name), time="0")
            counts["tests"] += 1
            if c is None:
                ET.SubElement(case, "skipped", message="no budget: block")
                counts["skipped"] += 1
            elif c.status == "failed":
                el = ET.SubElement(case, "failure", message=_x(say(c.message)), type="budget_exceeded")
                el.text = _x(f"{c.file}:{c.line}: {say(c.message)}" if c.line else f"{c.file}: {say(c.message)}")
                counts["failures"] += 1
            elif c.status == "error":
                el = ET.SubElement(case, "error", message=_x(say(c.message)), type="input_error")
                el.text = _x(say(c.message))
                counts["errors"] += 1
            elif c.status == "warning":
                said.append(_x(f"warning: {name}: {say(c.message)}"))
        ET.SubElement(suite, "system-out").text = "\n".join(said)
        ET.SubElement(suite, "system-err")
        for k, v in counts.items():
            suite.set(k, str(v))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


