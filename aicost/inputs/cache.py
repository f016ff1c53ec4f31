"""A small on-disk cache of validated inputs, so repeated runs skip parsing and validation.

It only ever saves time, and it cannot lie:

- an entry is keyed by the **contents** of the files it was built from (a BLAKE2 hash), the
  code that builds it, the working folder (file labels depend on it) and the versions of
  aicost, pydantic and Python, so any edit is a new entry, whatever the file's size and time;
- an entry is **data only**: JSON read back by building plain values and a short list of
  aicost's own classes (:mod:`aicost.inputs.codec`), never a pickle, so no entry can run code;
- every entry is **signed** (HMAC-SHA256) with a secret only its owner can read (a key file,
  mode 0600, in the cache folder); an entry whose signature does not verify -- edited, corrupt,
  or placed there by someone else -- is a miss and is not read at all;
- the folder must be the user's own and private (mode 0700): otherwise the cache is not used.

Set ``AICOST_NO_CACHE=1`` to turn it off, or ``AICOST_CACHE_DIR`` to move it. Any failure to
read or write is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
import sys
from pathlib import Path
from typing import Any, Iterable

from aicost.base.files import write_atomic
from aicost.inputs import codec

_PKG = Path(__file__).resolve().parent.parent
_CODE = [_PKG / n for n in ("inputs/pricebook.py", "inputs/gpubook.py", "inputs/scenario.py", "inputs/yamlio.py",
                            "inputs/codec.py",
                            "inputs/ranges.py", "inputs/tables.py", "model/pricing.py", "model/scenario.py",
                            "model/gpus.py", "model/__init__.py", "base/engines.py")]
KEY_FILE = ".key"
SUFFIX = ".json"


def folder() -> Path | None:
    """The cache folder, created private; None when the cache is off or the folder is not safe."""
    if os.environ.get("AICOST_NO_CACHE"):
        return None
    if os.environ.get("AICOST_CACHE_DIR"):
        d = Path(os.environ["AICOST_CACHE_DIR"])
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        d = Path(base) / "aicost"
    try:
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
        st = d.lstat()
        if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
            return None
        if st.st_mode & 0o077:  # readable or writable by others: make it private, or do not use it
            os.chmod(d, 0o700)
            if d.lstat().st_mode & 0o077:
                return None
        return d
    except OSError:
        return None


def _secret(d: Path) -> bytes | None:
    """The folder's signing key (made on first use, mode 0600)."""
    f = d / KEY_FILE
    try:
        if not f.exists():
            fd = os.open(f, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(os.urandom(32))
        st = f.lstat()
        if not stat.S_ISREG(st.st_mode) or st.st_mode & 0o077 or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
            return None
        secret = f.read_bytes()
        return secret if len(secret) == 32 else None
    except OSError:
        return None


def _digest(path: Path) -> str:
    if not stat.S_ISREG(path.stat().st_mode):  # never read a device or FIFO to key an entry
        return f"special:{path.stat().st_mode:o}"
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _pydantic_version() -> str:
    """pydantic's version, as the text of its ``version`` module (importing pydantic to ask it costs
    more than a cached run's whole reading), or its ``VERSION`` where that file is not found."""
    import importlib.util

    spec = importlib.util.find_spec("pydantic")
    if spec is not None and spec.origin:
        try:
            return _digest(Path(spec.origin).with_name("version.py"))
        except OSError:
            pass
    import pydantic

    return pydantic.VERSION


def key(kind: str, files: Iterable[Path], extra: Iterable[str] = ()) -> str:
    """Everything an entry depends on, as one string (stored in the entry and compared on read)."""
    from aicost.base.version import __version__

    parts = [kind, __version__, _pydantic_version(), sys.version, os.getcwd()]
    for f in _CODE:  # the modules whose objects are stored: a code change is a new key
        try:
            parts.append(_digest(f))
        except OSError:
            parts.append("-")
    parts += list(extra)
    for f in files:
        try:
            parts.append(f"{os.path.abspath(f)}|{_digest(Path(f))}")
        except OSError:
            parts.append(f"{f}|missing")
    return "\0".join(parts)


def _name(full_key: str) -> str:
    kind = full_key.split("\0", 1)[0]
    return f"{kind}-{hashlib.blake2b(full_key.encode(), digest_size=12).hexdigest()}"


def get(full_key: str) -> Any:
    d = folder()
    secret = _secret(d) if d is not None else None
    if secret is None:
        return None
    try:
        blob = (d / f"{_name(full_key)}{SUFFIX}").read_bytes()
        sig, body = blob[:32], blob[32:]
        if not hmac.compare_digest(sig, hmac.new(secret, body, hashlib.sha256).digest()):
            return None  # edited, corrupt or not ours: not read at all
        stored_key, value = codec.loads(body)
        return value if stored_key == full_key else None
    except Exception:
        return None


KEEP = 32  # entries kept; older ones (from changed files or code) are removed


def _prune(d: Path) -> None:
    entries = sorted(d.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
    old_formats = sorted(d.glob("*.pickle")) + sorted(d.glob("*.entry"))  # entries of the formats before
    for old in entries[KEEP:] + old_formats:
        try:
            old.unlink()
        except OSError:
            pass


def put(full_key: str, value: Any) -> None:
    d = folder()
    secret = _secret(d) if d is not None else None
    if secret is None:
        return
    try:
        body = codec.dumps([full_key, value])
        write_atomic(d / f"{_name(full_key)}{SUFFIX}", hmac.new(secret, body, hashlib.sha256).digest() + body)
        _prune(d)
    except Exception:  # a cache that cannot be written is no cache, never an error
        pass
