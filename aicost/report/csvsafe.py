"""RFC 4180 CSV that a spreadsheet opens inert: formula-like text cells are neutralised.

Text cells that begin with ``= + - @``, a tab, CR, LF or NUL get a leading ``'`` (OWASP CSV
injection guidance and ASVS 5.0 1.2.10); numbers are written as plain numbers and never
escaped, so negative credits stay numeric. Control characters in text (a line break, ESC, NUL;
not a tab) are shown as escapes, so no cell starts a line of its own in a CI log. ``raw=True`` turns the
escaping off for machines.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any, Iterable, Sequence

from aicost.base.errors import visible

DANGEROUS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
_SHOWN = {c: visible(chr(c)) for c in (*range(0x20), 0x7F) if c != 0x09}  # a tab stays a tab


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
    if raw:
        return s
    s = s.translate(_SHOWN)  # a line break in a name cannot start a line (a CI log's workflow command)
    return "'" + s if s.startswith(DANGEROUS) else s


def write_rows(header: Sequence[str], rows: Iterable[Sequence[Any]], raw: bool = False) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    w.writerow([cell(h, raw) for h in header])
    for row in rows:
        w.writerow([cell(v, raw) for v in row])
    return buf.getvalue()
