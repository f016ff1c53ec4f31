"""Old import path, kept for existing callers: the readers are now files, pieces and normalise."""

from __future__ import annotations

from aicost.base.constants import TIERS
from aicost.usage.days import _days
from aicost.usage.files import files_of
from aicost.usage.normalise import normalise
from aicost.usage.pieces import chunks

__all__ = ["TIERS", "_days", "chunks", "files_of", "normalise"]
