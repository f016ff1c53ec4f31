"""The result of ``aicost allocate``: usage cost by month and tag, shared costs split, and the
buckets no tag or no price claims (frames, exact sums; rounded only when rendered)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aicost.base.notices import Notice
from aicost.results.base import Result


@dataclass
class Allocation(Result):
    kind = "allocation"
    by: list[str]
    currency: str
    groups: Any  # DataFrame: month, tags..., kind, direct, shared.<name>..., shared, total, requests, tokens
    #: DataFrame: the priced aggregate for FOCUS: month, tags, sku, tier (categories), status, rows,
    #: then the counts and ``cost.<meter>`` the log has (one that is zero throughout is left out), cost
    detail: Any
    unpriced: Any  # DataFrame: month, sku, tier, reason, rows, requests, tokens
    billed: Any  # DataFrame: sku, rows, billed, repriced, difference, difference_pct
    shared_items: list[dict]
    totals: dict[str, Any]
    notes: list[Notice]
    #: provider id -> (ProviderName, PublisherName), for FOCUS rows
    provider_names: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: DataFrame from the providers' cost reports (``--billed``): month, provider, model, billed,
    #: repriced, difference, difference_pct (see :mod:`aicost.usage.reconcile`); None without them
    reported: Any = None

    def payload(self) -> dict[str, Any]:
        """The totals, unrounded (``aicost allocate --format json`` adds the groups, rounded to the
        millionth, in :mod:`aicost.report.allocation`)."""
        return {"currency": self.currency, "by": self.by, "totals": self.totals, "notes": self.notes}
