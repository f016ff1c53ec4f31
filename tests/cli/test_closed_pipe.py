"""A closed output pipe (``aicost compare | head``, ``| true``) ends aicost quietly, like any Unix
filter: no "internal error", no traceback, the shell's code for SIGPIPE (issue 24)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from aicost.base.constants import EXIT_CLOSED_PIPE


@pytest.mark.parametrize("args", [["compare", "--format", "json"], ["compare", "--all"], ["--help"],
                                  ["pricing", "list"]])
def test_a_closed_pipe_ends_quietly(args):
    p = subprocess.Popen([sys.executable, "-m", "aicost", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdout.close()  # the reader is gone before the first byte is written
    err = p.stderr.read().decode()
    code = p.wait()
    assert "internal error" not in err and "Traceback" not in err and "BrokenPipe" not in err, err
    assert code == EXIT_CLOSED_PIPE
