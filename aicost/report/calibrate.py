"""``aicost calibrate``'s scenario, as YAML (the text itself)."""

from __future__ import annotations

from typing import Any


def render_yaml(result: Any, **_: Any) -> str:
    return result.scenario_yaml
