"""Retrieval with its real drivers: storage, freshness, fan-out and ownership of the vector store
(docs/formulas.md "Retrieval").

Hosted file search: the vector store's storage per GB-day (the tables, after the free GB); its
searches are the steps' ``file_searches`` (tool fees). Your own store (``retrieval.own_store``):

    storage   = GB x storage per GB-month
    freshness = corpus tokens x refresh share x the embedding model's input rate / 1M
    fan-out   = tasks x attempts x queries per attempt x read units per query x per 1M read units / 1M
    ownership = instance + operations + the plan's minimum not reached by storage and reads
"""

from __future__ import annotations

from typing import Any

import numpy as np

from aicost.engine.attempt import pt


def embedding_rate(book: Any, retrieval: dict, as_of: Any) -> float | None:
    """The embedding model's input rate per 1M tokens on its tier (NaN: no price; None: none named)."""
    ref = retrieval.get("embedding_model")
    if not ref:
        return None
    hits = book.resolve(ref)
    price = book.price(hits[0], retrieval.get("embedding_tier") or "batch", as_of) if hits else None
    return np.nan if price is None else float(price.input)


def own_store(values: dict, rate: float | None, tasks: Any, attempts: Any) -> dict[str, Any] | None:
    """The monthly cost of your own store by driver (None: hosted file search)."""
    r = values["retrieval"]
    own = r.get("own_store")
    if not own:
        return None
    gb = pt(r["vector_store_gb"])
    storage = gb * pt(own["storage_per_gb_month"])
    refreshed = pt(r["corpus_tokens"]) * pt(r["refresh_share"])
    with np.errstate(all="ignore"):
        freshness = np.where(refreshed > 0, refreshed * (np.nan if rate is None else rate) / 1e6, 0.0)
        reads = tasks * attempts * pt(own["queries_per_task"]) * pt(own["read_units_per_query"])
        fan_out = np.where(reads > 0, reads * pt(own["per_million_read_units"]) / 1e6, 0.0)
    top_up = np.maximum(pt(own["minimum_monthly"]) - (storage + fan_out), 0.0)
    ownership = pt(own["instance_monthly"]) + pt(own["ops_monthly"]) + top_up
    return {"storage": storage, "freshness": freshness, "fan_out": fan_out, "ownership": ownership}
