"""Row-shaped results: price listings and price diffs (``aicost pricing list``, ``diff``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aicost.results.base import Result, envelope


@dataclass
class RowsResult(Result):
    what: str  # the kind of rows: "prices", "price-diff"
    rows: list[dict[str, Any]]
    columns: tuple[str, ...] | None = None  # the table's columns (None: every key of the first row)
    right: tuple[str, ...] = ()  # columns aligned right
    meta: dict[str, Any] = field(default_factory=dict)  # written before the rows in JSON
    wide_files: bool = False  # CSV and JSON carry every column, whatever the table shows

    def extra(self) -> dict[str, Any]:
        return self.meta

    def payload(self) -> dict[str, Any]:
        return {**self.meta, "rows": self.rows}

    @property  # type: ignore[override]
    def kind(self) -> str:  # type: ignore[override]
        return self.what

    def to_dict(self) -> dict[str, Any]:
        return envelope(self.what, self.payload())


@dataclass
class ModelCard(Result):
    """``aicost pricing show``: one model's tiers with their rates, sources and check dates."""

    kind = "model"
    currency: str
    models: list[dict[str, Any]]

    def payload(self) -> dict[str, Any]:
        return {"currency": self.currency, "models": self.models}


@dataclass
class Validation(Result):
    """``aicost pricing validate``: what was read (problems are errors, exit 2)."""

    kind = "validation"
    files: list[str]
    models: int
    tier_prices: int
    gpu_types: int
    gpu_offers: int
    open_models: int
    serving_profiles: int

    def payload(self) -> dict[str, Any]:
        return {"ok": True, "files": self.files, "models": self.models, "tier_prices": self.tier_prices,
                "gpu_types": self.gpu_types, "gpu_offers": self.gpu_offers, "open_models": self.open_models,
                "serving_profiles": self.serving_profiles}
