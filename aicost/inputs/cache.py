"""A small on-disk cache of validated inputs, so repeated runs skip parsing and validation.

Entries are pickles keyed by the files they were built from (path, size, modification
time) and by the versions of aicost, pydantic and Python. Set ``AICOST_NO_CACHE=1`` to turn
it off, or ``AICOST_CACHE_DIR`` to move it. Any failure to read or write is ignored: the
cache only ever saves time.
"""

from __future__ import annotations

import os
import pickle
import sys
import zlib
from pathlib import Path
from typing import Any, Iterable

from aicost.base.files import write_atomic


_PKG = Path(__file__).resolve().parent.parent
_CODE = [_PKG / n for n in ("inputs/pricebook.py", "inputs/gpubook.py", "inputs/scenario.py", "inputs/yamlio.py",
                            "inputs/ranges.py", "model/pricing.py", "model/scenario.py", "model/gpus.py")]


def folder() -> Path | None:
    if os.environ.get("AICOST_NO_CACHE"):
        return None
    if os.environ.get("AICOST_CACHE_DIR"):
        return Path(os.environ["AICOST_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "aicost"


def key(kind: str, files: Iterable[Path], extra: Iterable[str] = ()) -> str:
    """Everything an entry depends on, as one string (stored in the entry and compared on read)."""
    import pydantic

    from aicost.base.version import __version__

    parts = [kind, __version__, pydantic.VERSION, sys.version]
    for f in _CODE:  # the modules whose objects are pickled: a code change is a new key
        try:
            parts.append(str(f.stat().st_mtime_ns))
        except OSError:
            parts.append("-")
    parts += list(extra)
    for f in files:
        try:
            st = f.stat()
            parts.append(f"{os.path.abspath(f)}|{st.st_size}|{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{f}|missing")
    return "\0".join(parts)


def _name(full_key: str) -> str:
    kind = full_key.split("\0", 1)[0]
    return f"{kind}-{zlib.crc32(full_key.encode()):08x}-{len(full_key)}"


def get(full_key: str) -> Any:
    d = folder()
    if d is None:
        return None
    try:
        with open(d / f"{_name(full_key)}.pickle", "rb") as fh:
            stored_key, value = pickle.load(fh)
        return value if stored_key == full_key else None
    except Exception:
        return None


KEEP = 32  # entries kept; older ones (from changed files or code) are removed


def _prune(d: Path) -> None:
    entries = sorted(d.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP:]:
        try:
            old.unlink()
        except OSError:
            pass


def put(full_key: str, value: Any) -> None:
    d = folder()
    if d is None:
        return
    try:
        d.mkdir(parents=True, exist_ok=True)
        write_atomic(d / f"{_name(full_key)}.pickle", pickle.dumps((full_key, value), pickle.HIGHEST_PROTOCOL))
        _prune(d)
    except Exception:  # a cache that cannot be written is no cache, never an error
        pass
