"""Helpers shared by the benchmark scripts: running a child process as a user runs it (wall time
and its own peak memory), the environment it runs in, and medians with ranges.

Every benchmark here runs aicost from this checkout (``PYTHONPATH`` = the checkout's root), not
from whatever ``aicost`` the interpreter has installed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
AICOST = [PY, "-m", "aicost"]
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").exists() and sys.platform.startswith("linux") else \
    shutil.which("gtime")


def child_env(src: str | Path | None = None, **extra: str) -> dict[str, str]:
    """The environment for a child: this one, with ``src`` (default: this checkout) first on
    ``PYTHONPATH``, and Python's default bytecode caching (some shells set
    PYTHONDONTWRITEBYTECODE, which would recompile a checkout's sources on every run)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    src = str(Path(src or ROOT).resolve())
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra)
    return env


@dataclass
class Run:
    """One child process: wall seconds, its own peak resident memory (MiB, max RSS from
    ``wait4``, so one run's peak never hides another's) and exit code (None: killed at the
    timeout)."""

    wall_s: float
    peak_mb: float
    exit: int | None

    @property
    def ok(self) -> bool:
        return self.exit == 0


def run_child(cmd: list[str], stdout: str | Path | None = None, env: dict | None = None, cwd: str | Path | None = None,
              timeout: float | None = None, check: bool = True) -> Run:
    """Run ``cmd``, its stdout to the file ``stdout`` (or /dev/null), stderr to /dev/null; wall time
    by ``time.perf_counter`` around it. With ``check``, a failure raises SystemExit."""
    killed = []
    with contextlib.ExitStack() as stack:
        fh = stack.enter_context(open(stdout, "wb")) if stdout is not None else subprocess.DEVNULL
        # GNU time, where there is one, reports the command's own peak: a child's max RSS starts from
        # its parent's at fork and exec on Linux, so a big benchmark process would floor every figure
        peak_file = stack.enter_context(tempfile.NamedTemporaryFile("r", suffix=".rss")) if GNU_TIME else None
        wrapped = [GNU_TIME, "-f", "%M", "-o", peak_file.name, *map(str, cmd)] if peak_file else cmd
        t0 = time.perf_counter()
        child = subprocess.Popen(wrapped, stdout=fh, stderr=subprocess.DEVNULL,
                                 env=env if env is not None else child_env(), cwd=cwd, start_new_session=True)
        if timeout:
            def kill() -> None:
                killed.append(True)
                os.killpg(child.pid, signal.SIGKILL)  # the command and GNU time around it

            timer = threading.Timer(timeout, kill)
            timer.start()
            stack.callback(timer.cancel)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - t0
        own = peak_file.read().split() if peak_file else []
    child.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in KiB on Linux, bytes on macOS; GNU time's %M in KiB (its last line: a failed
    # command's status comes first)
    peak = int(own[-1]) / 1024 if own and own[-1].isdigit() else \
        usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    run = Run(wall, peak, None if killed else child.returncode)
    if check and not run.ok:
        why = f"over {timeout:.0f} s" if killed else f"exit {child.returncode}"
        raise SystemExit(f"failed ({why}): {' '.join(map(str, cmd))}")
    return run


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def spread(xs: list[float]) -> tuple[float, float, float]:
    """Median, least and greatest."""
    return statistics.median(xs), min(xs), max(xs)
