"""``aicost allocate``: usage logs priced at each day's rates and allocated to tags (the stages are
in :mod:`aicost.usage`)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from aicost.base.errors import bad_argument
from aicost.results.allocate import Allocation


def usage_files(usage: Sequence[Path]) -> list[Path]:
    """Every usage file the paths name (directories walked once; pass the list on to :func:`run`)."""
    from aicost.usage.files import files_of

    return [f for p in usage for f in files_of(Path(p))]


def run(usage: Sequence[Path], by: str = "team", source: str = "aicost", shared: Path | None = None,
        pricing: Sequence = (), on_error: str = "stop", engine: str = "local", scheduler: str | None = None,
        progress=None, billed: Sequence[Path] = ()) -> Allocation:
    """Usage priced at each day's rates, allocated to the tags ``by`` names; with ``billed`` (the
    providers' cost reports), what they charged beside aicost's repricing (``Allocation.reported``)."""
    from aicost.inputs.pricebook import PriceBook
    from aicost.usage import layouts, pipeline
    from aicost.usage.shared import load_shared

    keys = [k.strip() for k in by.split(",") if k.strip()]
    if not keys:
        raise bad_argument("by", "give at least one tag, e.g. team")
    layout = layouts.get(source)
    items = load_shared(shared, keys) if shared is not None else []
    book = PriceBook.load(list(pricing))
    charged = None
    if billed:  # read (and checked) before any pricing: a bad report stops the run with nothing done
        from aicost.usage.billed import read_billed

        twice = [str(f) for i, f in enumerate(billed) if Path(f).resolve() in {Path(g).resolve() for g in billed[:i]}]
        if twice:
            raise bad_argument("billed", f"{twice[0]} is given twice: its costs would count twice")

        charged = read_billed(list(billed))
    alloc = pipeline.run(list(usage), layout, keys, book, items, on_error, engine, scheduler, progress=progress)
    if charged is not None:
        from aicost.usage.price import Rates
        from aicost.usage.reconcile import reconcile

        alloc.reported = reconcile(alloc.detail, charged, Rates(book))
    return alloc
