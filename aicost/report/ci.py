"""Reports for CI services beyond GitHub's own: GitLab's Code Quality report.

GitLab shows a Code Quality report's findings in the merge request's widget and on the diff
(``artifacts: reports: codequality:``): a JSON array of findings, each with a description, a
check name, a fingerprint that stays the same for the same finding from run to run (so GitLab
can tell new findings from fixed ones), a severity and the file and line it is about.
"""

from __future__ import annotations

import hashlib
from typing import Any

from aicost.report.check import workspace_path
from aicost.report.explain import say
from aicost.report.json import dumps

#: check status -> Code Quality severity (info, minor, major, critical, blocker)
SEVERITY = {"failed": "major", "error": "critical", "warning": "minor"}


def codequality(report, workspace: str | None = None, **_: Any) -> str:
    """One finding per breached, warned or failed check (checks that pass are not findings)."""
    findings = []
    for c in report.checks:
        if c.status not in SEVERITY:
            continue
        path = workspace_path(c.file, workspace)
        what = "aicost/input-error" if c.status == "error" else f"aicost/{c.budget}"
        key = "|".join((path, c.scenario, c.budget, c.option or "", c.status if c.status == "error" else ""))
        findings.append({
            "description": f"{c.scenario}: {say(c.message)}",
            "check_name": what,
            "fingerprint": hashlib.sha256(key.encode()).hexdigest()[:32],
            "severity": SEVERITY[c.status],
            "location": {"path": path, "lines": {"begin": c.line or 1}},
        })
    findings.sort(key=lambda f: (f["location"]["path"], f["location"]["lines"]["begin"], f["check_name"]))
    return dumps(findings)
