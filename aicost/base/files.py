"""Write an output file all at once: a temporary file beside it, then a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from aicost.base.errors import InputError, Problem


def write_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> None:
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(Problem(str(path), None, "", f"cannot write: folder {folder} does not exist"))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
