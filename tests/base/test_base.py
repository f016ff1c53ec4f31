"""base/: errors, notices and the one atomic writer."""

from __future__ import annotations

import os

import pytest

from aicost.base.errors import ARGUMENT, InputError, Problem, bad_argument
from aicost.base.files import atomic_path, write_atomic
from aicost.base.notices import Notice


def test_notices_compare_by_code_and_fields_and_keep_their_order():
    a = Notice.of("price_stale", model="openai/o3", tier="batch", age=120)
    b = Notice.of("price_stale", model="openai/o3", tier="batch", age=120)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Notice.of("price_stale", model="openai/o3", tier="flex", age=120)
    assert a["tier"] == "batch" and a.get("missing") is None


def test_a_bad_argument_is_an_input_error_naming_the_parameter():
    exc = bad_argument("metric", "expected cost_per_success, got 'x'")
    assert isinstance(exc, InputError) and exc.exit_code == 2
    assert exc.problems == [Problem(ARGUMENT, None, "metric", "expected cost_per_success, got 'x'")]
    assert str(exc) == "aicost: metric: expected cost_per_success, got 'x'"


def test_write_atomic_writes_text_and_bytes_whole(tmp_path):
    write_atomic(tmp_path / "a.csv", "x,y\r\n1,2\r\n")
    assert (tmp_path / "a.csv").read_bytes() == b"x,y\r\n1,2\r\n"  # no newline translation
    write_atomic(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            open(tmp, "w").write("half")
            raise RuntimeError("disk full")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["out.txt"]


def test_writing_into_a_missing_folder_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        write_atomic(tmp_path / "nope" / "x.txt", "x")
