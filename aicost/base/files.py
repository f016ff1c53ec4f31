"""Write a file all at once: a temporary file beside it, then a rename (the one writer of outputs,
charts and cache entries; readers never see half a file)."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from aicost.base.errors import InputError, Problem


@contextmanager
def atomic_path(path: str | Path, suffix: str = ".tmp") -> Iterator[str]:
    """A temporary path beside ``path`` to write to; renamed over ``path`` when the block ends
    without an error, removed otherwise."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(Problem(str(path), None, "", f"cannot write: folder {folder} does not exist"))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=folder)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_atomic(path: str | Path, data: str | bytes, encoding: str = "utf-8") -> None:
    """Text (or bytes) to ``path``, all at once."""
    with atomic_path(path) as tmp:
        if isinstance(data, bytes):
            Path(tmp).write_bytes(data)
        else:
            with open(tmp, "w", encoding=encoding, newline="") as f:
                f.write(data)
