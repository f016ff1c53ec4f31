"""``aicost allocate``: usage logs priced at each day's rates and allocated to tags (the stages are
in :mod:`aicost.usage`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from aicost.base.errors import InputError


def size_of(usage: Sequence[Path]) -> int:
    """Bytes of every usage file named (directories walked), for a progress bar."""
    from aicost.usage.read import files_of

    return sum(f.stat().st_size for p in usage for f in files_of(Path(p)))


def run(usage: Sequence[Path], by: str = "team", source: str = "aicost", shared: Path | None = None,
        pricing: Sequence = (), on_error: str = "stop", engine: str = "local", scheduler: str | None = None,
        progress=None) -> tuple[Any, Any]:
    """The allocation, and the price book it was priced with."""
    from aicost.inputs.pricebook import PriceBook
    from aicost.usage import layouts, showback
    from aicost.usage.read import files_of

    keys = [k.strip() for k in by.split(",") if k.strip()]
    if not keys:
        raise InputError("--by: give at least one tag, e.g. --by team")
    layout = layouts.get(source)
    items = showback.load_shared(shared, keys) if shared is not None else []
    book = PriceBook.load(list(pricing))
    files = [f for p in usage for f in files_of(Path(p))]
    alloc = showback.run(files, layout, keys, book, items, on_error, engine, scheduler, progress=progress)
    return alloc, book
