"""Writes that keep promises (issue 16, items 4 and 10): through symlinks, hard links kept, modes
kept or from the umask, devices and folders refused, failures as exit 2, all outputs or none."""

from __future__ import annotations

import os
import stat

import pytest
from typer.testing import CliRunner

from aicost.base.errors import InputError
from aicost.base.files import write_all, write_atomic
from aicost.cli import app

runner = CliRunner()


def test_a_symlink_is_written_through_to_its_target(tmp_path):
    target = tmp_path / "real.csv"
    target.write_text("old")
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    write_atomic(link, "new")
    assert link.is_symlink() and target.read_text() == "new"


def test_a_hard_linked_file_stays_one_file(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("old")
    b = tmp_path / "b.csv"
    os.link(a, b)
    write_atomic(a, "new")
    assert b.read_text() == "new" and a.stat().st_ino == b.stat().st_ino


def test_an_existing_file_keeps_its_mode_and_a_new_one_follows_the_umask(tmp_path):
    f = tmp_path / "shared.csv"
    f.write_text("old")
    os.chmod(f, 0o664)
    write_atomic(f, "new")
    assert stat.S_IMODE(f.stat().st_mode) == 0o664
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "fresh.csv", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "fresh.csv").stat().st_mode) == 0o644


@pytest.mark.parametrize("where", ["/dev/null", "DIR"])
def test_devices_and_folders_are_refused(tmp_path, where):
    target = str(tmp_path) if where == "DIR" else where
    with pytest.raises(InputError, match="cannot write: it is"):
        write_atomic(target, "x")
    assert os.path.exists("/dev/null") and stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_failed_write_is_exit_2_with_the_file_named(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chmod(locked, 0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        r = runner.invoke(app, ["compare", "worked-example", "--output", str(locked / "x.csv"), "-f", "csv"])
        assert r.exit_code == 2 and f"{locked / 'x.csv'}: cannot write" in r.stderr and "internal" not in r.stderr
    finally:
        os.chmod(locked, 0o700)


def test_several_outputs_all_or_none(tmp_path):
    first = tmp_path / "first.txt"
    first.write_text("old")
    with pytest.raises(InputError):
        write_all([(first, "new"), (tmp_path / "missing" / "second.txt", "new")])
    assert first.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["first.txt"]
    r = runner.invoke(app, ["check", "tests/data/check/within.yaml", "--as-of", "2026-11-21",
                            "--output", f"json={first}", "--output", f"junit={tmp_path / 'no' / 'x.xml'}"])
    assert r.exit_code == 2 and first.read_text() == "old"


# ---- a run stopped while writing leaves nothing behind (issue 16, item 10) -----------------------
CHILD = """
import signal, sys, time
from aicost.cli import _terminated
signal.signal(signal.SIGTERM, _terminated)
from aicost.base.files import atomic_path
with atomic_path(sys.argv[1]) as tmp:
    open(tmp, "w").write("half a report")
    print(tmp, flush=True)
    time.sleep(60)
"""


def test_sigterm_while_writing_removes_the_temporary_file(tmp_path):
    import signal
    import subprocess
    import sys

    out = tmp_path / "report.json"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(out)], stdout=subprocess.PIPE, text=True)
    tmp = child.stdout.readline().strip()
    assert tmp and os.path.exists(tmp)
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=30) == 143
    assert not os.path.exists(tmp) and not out.exists()
    assert os.listdir(tmp_path) == []


def test_the_command_line_turns_sigterm_into_an_exit(monkeypatch):
    import signal
    import sys

    from aicost import cli

    before = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(sys, "argv", ["aicost", "--version"])
    try:
        with pytest.raises(SystemExit):
            cli.main()
        assert signal.getsignal(signal.SIGTERM) is cli._terminated
    finally:
        signal.signal(signal.SIGTERM, before)


def test_a_temporary_file_left_by_a_killed_run_is_removed_by_the_next_write(tmp_path):
    out = tmp_path / "report.json"
    dead = tmp_path / ".report.json.aicost-4194999-x1.tmp"  # above any pid this kernel hands out
    live = tmp_path / f".report.json.aicost-{os.getpid()}-x2.tmp"  # a run still writing: kept
    other = tmp_path / ".notes.txt.aicost-4194999-x3.tmp"  # another file's: not ours to touch here
    for f in (dead, live, other):
        f.write_text("half")
    write_atomic(out, "{}")
    assert out.read_text() == "{}" and not dead.exists() and live.exists() and other.exists()


def test_a_chart_with_an_unwritable_matplotlib_folder_is_drawn_quietly(tmp_path):
    """matplotlib's settings folder that cannot be written is replaced by a temporary one, removed
    at exit, without matplotlib's two warnings (issue 16, item 10)."""
    import subprocess
    import sys

    pytest.importorskip("matplotlib")
    chart = tmp_path / "c.png"
    env = {**os.environ, "MPLCONFIGDIR": "/proc/not-a-folder", "TMPDIR": str(tmp_path)}
    r = subprocess.run([sys.executable, "-m", "aicost", "sweep", "worked-example", "--vary",
                        "volume.tasks_per_month=1000:1e6:5", "--chart", str(chart)], capture_output=True, text=True,
                       env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert chart.stat().st_size > 0
    assert r.stderr.strip() == f"aicost: wrote {chart}"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("aicost-matplotlib-")]
