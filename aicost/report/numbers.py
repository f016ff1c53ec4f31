"""How numbers look in human-readable output (rounding happens here, and only here)."""

from __future__ import annotations

import math

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}


def present(x):
    """``x``, or None where it is missing (None or a float NaN, as pandas gives an empty cell)."""
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def money(x: float | None, currency: str = "USD") -> str:
    """$12,345 for large amounts, $1.23 for small, three significant digits below $1."""
    if x is None:
        return "—"
    sym = SYMBOLS.get(currency, currency + " ")
    sign = "-" if x < 0 else ""
    a = abs(x)
    if a >= 1000:
        body = f"{a:,.0f}"
    elif a >= 1:
        body = f"{a:,.2f}"
    elif a == 0:
        body = "0"
    else:  # three significant digits, never scientific notation
        digits = min(12, 2 - math.floor(math.log10(a)))
        body = f"{a:.{digits}f}"
    return f"{sign}{sym}{body}"


def pct(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x * 100:.1f}%" if abs(x) < 10 else f"{x * 100:,.0f}%"


def num(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}g}"


def latency(o) -> str:
    """Estimated seconds per attempt; '≥' when it is a lower bound (no time to first token known)."""
    x = o.metrics.get("latency_seconds")
    if x is None:
        return "—"
    return f"{'≥' if o.latency_lower_bound else ''}{x:.1f} s"


def months(x: float | None) -> str:
    if x is None:
        return "never"
    return "<0.1 mo" if 0 < x < 0.05 else f"{x:.1f} mo"
