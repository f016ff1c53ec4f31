"""Old import path, kept for existing callers: the pipeline is now pipeline, allocate and shared."""

from __future__ import annotations

import sys
import types

from aicost.usage import pipeline
from aicost.usage.allocate import Allocation
from aicost.usage.pipeline import process_file, run, workers
from aicost.usage.shared import load_shared

__all__ = ["Allocation", "load_shared", "process_file", "run", "workers"]


class _Forward(types.ModuleType):
    """Setting ``workers`` or ``process_file`` here sets it where the pipeline looks it up
    (tests/test_allocate_pieces.py monkeypatches ``showback.workers``); drop this once callers
    patch aicost.usage.pipeline instead."""

    def __setattr__(self, name: str, value) -> None:
        if name in ("workers", "process_file"):
            setattr(pipeline, name, value)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Forward
