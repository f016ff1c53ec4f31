"""Where the bundled pricing tables and scenarios are, in a wheel or a checkout."""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent.parent  # the aicost package

DEFAULT_SCENARIO = "support-assistant"


def _data(name: str) -> Path:
    packaged = _PKG / "_data" / name  # installed wheel: copied in at build time
    return packaged if packaged.is_dir() else _PKG.parent / name  # checkout / editable install


def pricing_dir() -> Path:
    return _data("pricing")


def scenarios_dir() -> Path:
    return _data("scenarios")


def bundled_scenarios() -> dict[str, Path]:
    d = scenarios_dir()
    return {p.stem: p for p in sorted(d.glob("*.yaml"))} if d.is_dir() else {}


def schema_dir() -> Path:
    return _data("schema")
