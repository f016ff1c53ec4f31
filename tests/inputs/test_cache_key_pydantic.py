"""The cache key names pydantic's version without importing pydantic (issue 24: start-up): the text
of its ``version`` module, so another pydantic is another key."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from aicost.inputs import cache


def test_the_key_follows_pydantics_version_file(tmp_path, monkeypatch):
    real = cache._pydantic_version()
    spec = importlib.util.find_spec("pydantic")
    assert real == cache._digest(Path(spec.origin).with_name("version.py"))
    fake = tmp_path / "pydantic"
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    keys = []
    for text in ("VERSION = '2.13.4'\n", "VERSION = '2.14.0'\n"):
        (fake / "version.py").write_text(text)
        monkeypatch.setattr(importlib.util, "find_spec",
                            lambda name: importlib.machinery.ModuleSpec(name, None, origin=str(fake / "__init__.py")))
        keys.append(cache.key("pricing", []))
    assert keys[0] != keys[1]


def test_without_the_file_the_key_asks_pydantic(monkeypatch):
    import pydantic

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert cache._pydantic_version() == pydantic.VERSION
