"""RFC 4180 CSV that a spreadsheet opens inert: formula-like text cells are neutralised.

Text cells that begin with ``= + - @``, a tab, CR, LF or NUL get a leading ``'`` (OWASP CSV
injection guidance and ASVS 5.0 1.2.10); numbers are written as plain numbers and never
escaped, so negative credits stay numeric. ``raw=True`` turns the escaping off for machines.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any, Iterable, Sequence

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")


def cell(value: Any, raw: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    if isinstance(value, float):
        return repr(float(f"{value:.12g}")) if value == value else ""
    s = str(value)
    if not raw and s.startswith(DANGEROUS):
        return "'" + s
    return s


def write_rows(header: Sequence[str], rows: Iterable[Sequence[Any]], raw: bool = False) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    w.writerow([cell(h, raw) for h in header])
    for row in rows:
        w.writerow([cell(v, raw) for v in row])
    return buf.getvalue()
