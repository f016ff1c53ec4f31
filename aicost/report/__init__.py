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
        from .json import render as r
    elif fmt is Format.csv:
        from .csv import render as r
    elif fmt is Format.markdown:
        from .markdown import render as r
    else:
        from .table import render as r
    return r(result, **kw)
