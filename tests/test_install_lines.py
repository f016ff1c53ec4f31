"""Every install line in the docs installs this project (issue 17, item 2): on the package index,
"aicost" is an unrelated, empty package, so no line may ask the index for it; the distribution
is "aicost-calc" (the command and the import stay "aicost")."""

from __future__ import annotations

import re
import shlex
import tomllib

from conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "bench" / "README.md"]
SOURCES = sorted((ROOT / "aicost").rglob("*.py"))
NAME = "aicost-calc"


def _requirements(text: str) -> list[str]:
    out = []
    for m in re.finditer(r"pip install ([^\n`#]*)", text):
        try:
            words = shlex.split(m.group(1))
        except ValueError:
            words = m.group(1).split()
        for w in words:
            if w in ("&&", "||", ";", "|"):  # the next command
                break
            if not w.startswith("-"):
                out.append(w)
    return out


def _ours_or_other(req: str) -> bool:
    base = re.split(r"[\[\s@=<>!~;]", req, maxsplit=1)[0].strip().lower()
    if base in ("", "."):  # this repository, from a clone
        return True
    if base.replace("_", "-") == "aicost":  # the unrelated package on the index
        return False
    return True


def test_the_distribution_name_is_the_free_one():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["name"] == NAME
    assert meta["project"]["scripts"] == {"aicost": "aicost.cli:main"}


def test_no_install_line_asks_the_index_for_the_unrelated_package():
    found = []
    for f in DOCS + SOURCES:
        text = f.read_text(encoding="utf-8")
        found += [(f.name, r) for r in _requirements(text) if not _ours_or_other(r)]
        found += [(f.name, m) for m in re.findall(r"\baicost\[\w+\]", text)]  # an extra of the wrong package
    assert not found


def test_the_docs_say_how_to_install_before_and_after_publication():
    ci = (ROOT / "docs" / "ci.md").read_text()
    assert f'pip install "{NAME} @ git+' in ci and f"once published: pip install {NAME}" in ci
    readme = (ROOT / "README.md").read_text()
    assert "pip install . && aicost compare" in readme and f"`{NAME}`" in readme


def test_the_checker_catches_the_bad_line():
    assert not _ours_or_other("aicost") and not _ours_or_other("aicost[plot]")
    assert _ours_or_other(".") and _ours_or_other(".[test]") and _ours_or_other(f"{NAME} @ git+https://x/y")
    assert _requirements("run: pip install aicost   # or a wheel") == ["aicost"]
