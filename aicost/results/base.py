"""What every result shares: its ``kind`` and the format ``version`` (written here and only here)."""

from __future__ import annotations

from typing import Any, ClassVar

#: The version of every JSON result aicost writes.
RESULT_VERSION = "1"


def envelope(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """A JSON-ready result: ``version`` and ``kind`` first, then the payload."""
    return {"version": RESULT_VERSION, "kind": kind, **payload}


class Result:
    """Base of the typed results: ``to_dict()`` is the versioned JSON form (notices not yet in words)."""

    kind: ClassVar[str] = "result"

    def payload(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        return envelope(self.kind, self.payload())
