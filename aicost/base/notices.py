"""Reasons, notes and warnings as values: a code and the fields a sentence needs.

The core says *what* (``Notice("too_slow", tier="batch", seconds=86400.0, need="p95 6 s")``);
only :mod:`aicost.report.explain` turns a notice into words. Code that reacts to a notice
(``check`` picking the price warnings behind the option it judges, a renderer marking a
latency as a lower bound) reads its code and fields, never its text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Notice:
    code: str
    fields: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    #: a hashable identity for sorting and de-duplicating (the fields, in order)
    key: tuple = field(default=(), compare=True)

    @classmethod
    def of(cls, code: str, **fields: Any) -> "Notice":
        return cls(code, fields, (code, *((k, repr(v)) for k, v in fields.items())))

    def __getitem__(self, name: str) -> Any:
        return self.fields[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)
