"""JSON read as written: NaN, Infinity and numbers too large for a float (1e400) stay text, so
the check that reads a value names them instead of taking them for numbers; a file that is not
JSON, or is nested past Python's reader, is an input error with its place."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from aicost.base.errors import InputError, Problem


def _float(text: str) -> float | str:
    x = float(text)
    return x if math.isfinite(x) else text


def loads(text: str | bytes) -> Any:
    """JSON text as data; NaN, Infinity, -Infinity and 1e400 come back as the text written."""
    return json.loads(text, parse_constant=str, parse_float=_float)


def read(path: str | Path, what: str, max_bytes: int | None = None, missing: str = "") -> tuple[Any, str]:
    """(data, text) of a JSON file; ``what`` it should be names it in the messages, ``missing``
    is added to "no such file"."""
    from aicost.inputs.yamlio import MAX_FILE_BYTES, read_text

    where = str(path)
    if missing and not Path(path).exists():
        raise InputError(Problem(where, None, "", f"no such file ({missing})"))
    text = read_text(Path(path), where, max_bytes=max_bytes or MAX_FILE_BYTES)
    try:
        return loads(text), text
    except RecursionError:
        raise InputError(Problem(where, None, "", f"nested too deeply; not {what}")) from None
    except ValueError as exc:
        raise InputError(Problem(where, getattr(exc, "lineno", None), "",
                                 f"not a JSON file: {getattr(exc, 'msg', exc)}")) from None
