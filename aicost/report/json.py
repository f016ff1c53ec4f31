"""The canonical, versioned JSON result (every other format is a projection of it)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any


def _tidy(x: Any) -> Any:
    """Floats to 12 significant digits so output is stable and readable; exact decimals (prices)
    as numbers, dates as ISO text; the rest unchanged."""
    if isinstance(x, float):
        return float(f"{x:.12g}")
    if isinstance(x, Decimal):
        return float(x)
    if isinstance(x, date):
        return x.isoformat()
    if isinstance(x, dict):
        return {k: _tidy(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_tidy(v) for v in x]
    return x


def dumps(data: Any) -> str:
    """JSON text of a result's data: notices in words, floats to 12 significant digits."""
    from aicost.report.explain import plain

    return json.dumps(_tidy(plain(data)), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render(result, **_: Any) -> str:
    """Any typed result as its versioned JSON."""
    return dumps(result.to_dict())
