"""Views of results: every renderer is ``render(result, **options) -> str``, chosen here by the
result's ``kind`` and the format asked for (one registry, loaded lazily)."""

from __future__ import annotations

from enum import Enum
from importlib import import_module
from typing import Any


class Format(str, Enum):
    """Output formats of ``aicost compare`` (the golden files cover each)."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


#: (result kind, format) -> "module:function" under aicost.report.
RENDERERS: dict[tuple[str, str], str] = {
    ("compare", "table"): "table:render",
    ("compare", "json"): "json:render",
    ("compare", "csv"): "csv:render",
    ("compare", "markdown"): "markdown:render",
    ("gpu", "table"): "gpu:render_table",
    ("gpu", "json"): "json:render",
    ("gpu", "csv"): "gpu:render_csv",
    ("gpu", "markdown"): "gpu:render_markdown",
    ("sweep", "table"): "whatif:sweep_table",
    ("sweep", "csv"): "whatif:sweep_csv",
    ("sweep", "json"): "whatif:sweep_json",
    ("breakeven", "table"): "whatif:breakeven_table",
    ("breakeven", "json"): "whatif:breakeven_json",
    ("check", "table"): "check:table",
    ("check", "json"): "check:to_json",
    ("check", "markdown"): "check:markdown",
    ("check", "github"): "check:github",
    ("check", "junit"): "check:junit",
    ("check", "codequality"): "ci:codequality",
    ("diff", "table"): "diff:table",
    ("diff", "markdown"): "diff:markdown",
    ("diff", "json"): "diff:to_json",
    ("export", "csv"): "export:render_csv",
    ("export", "focus"): "export:render_focus",
    ("export", "json"): "export:render_json",
    ("allocation", "table"): "allocation:render_table",
    ("allocation", "csv"): "allocation:render_csv",
    ("allocation", "json"): "allocation:render_json",
    ("allocation", "focus"): "allocation:render_focus",
    ("model", "table"): "pricing:render_show",
    ("model", "json"): "json:render",
    ("validation", "table"): "pricing:render_validation",
    ("validation", "json"): "json:render",
    ("calibration", "yaml"): "calibrate:render_yaml",
    ("calibration", "json"): "json:render",
}
#: Row-shaped results (price lists, diffs, the tornado table) render in these formats.
ROW_FORMATS = ("table", "json", "csv", "markdown")


#: result kind -> "module:function" giving the lines a command says on stderr after its output.
MESSAGES: dict[str, str] = {
    "export": "export:summary_lines",
    "allocation": "allocation:summary_lines",
    "sensitivity": "whatif:sensitivity_lines",
}


def messages(result: Any, **options: Any) -> list[str]:
    """What a command says about its result on stderr (counts, totals, warnings), as lines."""
    target = MESSAGES.get(kind_of(result))
    if target is None:
        return []
    module, _, name = target.partition(":")
    return list(getattr(import_module(f"aicost.report.{module}"), name)(result, **options))


def kind_of(result: Any) -> str:
    return result.kind


def formats(kind: str) -> list[str]:
    """The formats a kind of result renders in."""
    found = [f for k, f in RENDERERS if k == kind]
    return found or list(ROW_FORMATS)


def render(result: Any, fmt: "Format | str", **options: Any) -> str:
    """``result`` in format ``fmt``; options a renderer does not take are ignored."""
    fmt = fmt.value if isinstance(fmt, Enum) else str(fmt)
    kind = kind_of(result)
    target = RENDERERS.get((kind, fmt))
    if target is None and getattr(result, "rows", None) is not None and fmt in ROW_FORMATS:
        from aicost.report.rows import render_result

        return render_result(result, fmt, **options)
    if target is None:
        raise ValueError(f"no {fmt} view of a {kind} result (formats: {', '.join(formats(kind))})")
    module, _, name = target.partition(":")
    return getattr(import_module(f"aicost.report.{module}"), name)(result, **options)
