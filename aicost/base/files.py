"""Write files all at once: each to a temporary file beside it, then renamed over it (the one
writer of outputs, charts and cache entries; readers never see half a file).

The promises (issue 16): a symlink is written through to its target; a file with other hard
links is rewritten in place so the links stay one file; an existing file keeps its mode and a
new one follows the umask; devices, FIFOs and directories are refused; a failed write (disk
full, permission) is an input error naming the file, and leaves nothing behind; with several
files, none is replaced unless every one could be written. SIGTERM and SIGINT unwind through
the writers (the CLI turns SIGTERM into an exit), so a temporary file is removed; one left by
SIGKILL is removed by the next write of the same file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from aicost.base.errors import InputError, Problem


def _target(path: str | Path) -> Path:
    """Where writing ``path`` lands: a symlink's target; refuses what is not a regular file."""
    path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if path.exists() and not path.is_file():
        what = "a directory" if path.is_dir() else "not a regular file (a device, FIFO or socket)"
        raise InputError(Problem(str(path), None, "", f"cannot write: it is {what}"))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(Problem(str(path), None, "", f"cannot write: folder {folder} does not exist"))
    return path


def _mode(path: Path) -> int:
    """The mode the written file gets: the existing file's, else what the umask allows."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _failed(path: Path, exc: OSError) -> InputError:
    return InputError(Problem(str(path), None, "", f"cannot write: {exc.strerror or exc}"))


@contextmanager
def atomic_path(path: str | Path, suffix: str = ".tmp") -> Iterator[str]:
    """A temporary path beside ``path`` to write to; renamed over ``path`` when the block ends
    without an error, removed otherwise."""
    target = _target(path)
    try:
        fd, tmp = _temporary(target, suffix)
    except OSError as exc:
        raise _failed(target, exc) from None
    os.close(fd)
    try:
        yield tmp
        _commit(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise _failed(target, exc) from None
        raise


def _temporary(target: Path, suffix: str) -> tuple[int, str]:
    """A new temporary file beside ``target``, named with this process's id; those that a
    killed run (SIGKILL, a power cut) left beside it are removed first."""
    _remove_stale(target, suffix)
    return tempfile.mkstemp(prefix=f".{target.name}.aicost-{os.getpid()}-", suffix=suffix, dir=target.parent)


def _remove_stale(target: Path, suffix: str) -> None:
    """Temporary files of ``target`` whose writing process is gone."""
    prefix = f".{target.name}.aicost-"
    try:
        names = [n for n in os.listdir(target.parent) if n.startswith(prefix) and n.endswith(suffix)]
    except OSError:
        return
    for name in names:
        pid = name[len(prefix):].split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        try:
            os.unlink(target.parent / name)
        except OSError:
            pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _commit(tmp: str, target: Path) -> None:
    mode = _mode(target)
    if target.exists() and target.stat().st_nlink > 1:  # keep the hard links: rewrite in place
        with open(tmp, "rb") as src, open(target, "r+b") as dst:
            dst.truncate(0)
            dst.write(src.read())
        os.unlink(tmp)
        return
    os.chmod(tmp, mode)
    os.replace(tmp, target)


def _write(tmp: str, data: str | bytes, encoding: str) -> None:
    if isinstance(data, bytes):
        Path(tmp).write_bytes(data)
    else:
        with open(tmp, "w", encoding=encoding, newline="") as f:
            f.write(data)


def write_atomic(path: str | Path, data: str | bytes, encoding: str = "utf-8") -> None:
    """Text (or bytes) to ``path``, all at once."""
    with atomic_path(path) as tmp:
        _write(tmp, data, encoding)


def write_all(outputs: list[tuple[str | Path, str | bytes]], encoding: str = "utf-8") -> None:
    """Several files, all or none: every one written to its temporary file first, then each
    renamed into place; if any cannot be written, none is replaced."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in outputs:
            target = _target(path)
            try:
                fd, tmp = _temporary(target, ".tmp")
                os.close(fd)
                staged.append((tmp, target))
                _write(tmp, data, encoding)
            except OSError as exc:
                raise _failed(target, exc) from None
        for tmp, target in staged:
            _commit(tmp, target)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                try:
                    os.unlink(tmp)
                except OSError:
                    pass


def append(path: str | Path, text: str, what: str) -> None:
    """Text added at the end of ``path`` (a CI job summary); a failure is an input error naming
    ``what`` the file is."""
    p = Path(path)
    try:
        if p.is_dir():
            raise IsADirectoryError(21, "it is a directory")
        with open(p, "a", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise InputError(Problem(str(p), None, "", f"cannot write {what}: {exc.strerror or exc}")) from None
