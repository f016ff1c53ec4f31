"""Replay (docs/usage.md "Replay"): a usage log's own requests priced again under other options
(another model, tier or provider, caching off, Batch or Flex for the traffic that can wait, a
cascade), beside what they cost as logged.

Cost is linear in the counts within a usage group (day or price period, provider, model, tier,
long-context bucket, tags), so an option is the log's groups with the model and tier changed,
priced once more: its cost is one more pricing of the groups, never another read of the rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from aicost.usage.layouts import USAGE_TIERS
from aicost.usage.price import Rates, price_frame

WAITING_TIERS = ("batch", "flex")


@dataclass(frozen=True)
class Stage:
    provider: str
    model: str
    tier: str
    share: float = 1.0  # the requests' expected calls on this stage (a cascade's reach x attempts)


@dataclass(frozen=True)
class ReplayOption:
    """One way the log's requests could have run: stages (one for a single model), caching kept as
    logged or turned off."""

    label: str
    stages: tuple[Stage, ...]
    caching: bool = True


def price_as(groups: pd.DataFrame, rates: Rates, stage: Stage, waits: np.ndarray, caching: bool) -> pd.DataFrame:
    """The groups priced as if every request ran on ``stage``'s model: on its tier where the request
    can wait (Batch, Flex), else on Standard; cache reads and writes as input when ``caching`` is off."""
    n = len(groups)
    cols = {k: groups[k] for k in groups.columns if k not in ("provider", "model", "tier")}
    cols["provider"] = pd.Categorical.from_codes(np.zeros(n, dtype=np.int32), categories=[stage.provider])
    cols["model"] = pd.Categorical.from_codes(np.zeros(n, dtype=np.int32), categories=[stage.model])
    code = USAGE_TIERS.index(stage.tier)
    std = USAGE_TIERS.index("standard")
    tier = np.full(n, code, dtype=np.int8)
    if stage.tier in WAITING_TIERS:
        tier = np.where(waits, code, std).astype(np.int8)
    cols["tier"] = tier
    if not caching:
        moved = sum(groups[k].to_numpy() for k in ("cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens")
                    if k in groups)
        if not isinstance(moved, int):
            cols["input_tokens"] = groups["input_tokens"].to_numpy() + moved
            for k in ("cached_input_tokens", "cache_write_tokens", "cache_write_1h_tokens"):
                if k in groups:
                    cols[k] = np.zeros(n)
    frame = pd.DataFrame(cols, copy=False)
    out = price_frame(frame, rates)
    if stage.share != 1.0:
        out["cost"] = out["cost"].to_numpy() * stage.share
    return out


def waiting(groups: pd.DataFrame, can_wait: list[tuple[str, str]]) -> np.ndarray:
    """The groups whose requests can wait: logged on Batch or Flex (they waited), or with a tag equal
    to one of the values named."""
    tiers = groups["tier"].to_numpy()
    mask = np.isin(tiers, [USAGE_TIERS.index(t) for t in WAITING_TIERS]) if len(groups) else np.zeros(0, bool)
    for tag, val in can_wait:
        col = groups.get(f"tag.{tag}")
        if col is not None:
            mask |= (col.astype(object) == val).to_numpy()
    return mask


def replay(groups: pd.DataFrame, rates: Rates, by: list[str], options: list[ReplayOption],
           can_wait: list[tuple[str, str]]) -> tuple[pd.DataFrame, float]:
    """Per value of the ``by`` tags: requests, the cost as logged and under each option, and the
    requests each leaves unpriced (summed over days, models and tiers); and the requests that can wait."""
    keys = [f"tag.{k}" for k in by]
    waits = waiting(groups, can_wait)
    base = groups[keys + ["requests"]].copy()
    logged = price_frame(groups.copy(), rates)
    base["paid"] = np.nan_to_num(logged["cost"].to_numpy())
    base["paid_unpriced"] = np.where(np.isnan(logged["cost"].to_numpy()), groups["requests"].to_numpy(), 0.0)
    for j, opt in enumerate(options):
        total = np.zeros(len(groups))
        unpriced = np.zeros(len(groups), dtype=bool)
        for st in opt.stages:
            c = price_as(groups, rates, st, waits, opt.caching)["cost"].to_numpy()
            unpriced |= np.isnan(c)
            total += np.nan_to_num(c)
        base[f"option.{j}"] = np.where(unpriced, 0.0, total)
        base[f"option.{j}.unpriced"] = np.where(unpriced, groups["requests"].to_numpy(), 0.0)
    for k in keys:
        base[k] = base[k].astype(object).where(base[k].notna(), None)
    summed = base.groupby(keys, dropna=False, sort=True).sum(numeric_only=True).reset_index() if keys else \
        base.sum(numeric_only=True).to_frame().T
    return summed, float(groups["requests"].to_numpy()[waits].sum())
