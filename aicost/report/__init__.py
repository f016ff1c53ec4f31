"""Renderers: each turns the one result into text, ``render(result) -> str``."""

from __future__ import annotations

from enum import Enum


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


def render(result, fmt: Format | str, **kw) -> str:
    fmt = Format(fmt)
    if fmt is Format.json:
        from aicost.report.json import render as r
    elif fmt is Format.csv:
        from aicost.report.csv import render as r
    elif fmt is Format.markdown:
        from aicost.report.markdown import render as r
    else:
        from aicost.report.table import render as r
    return r(result, **kw)
