"""The Python API: one function per command, returning a pandas DataFrame with documented,
stable columns, and a ``*_result`` twin returning the typed result (see :mod:`aicost.results`).

Arguments mirror the command's options (``sets`` is ``--set``, ``pricing`` is ``--pricing``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Iterable, Sequence

from aicost.base.constants import DEFAULT_MAX_PRICE_AGE
from aicost.report.frames import frame, to_frame


def _list(x: Any) -> list | None:
    if x is None:
        return None
    return [x] if isinstance(x, (str, bytes)) or hasattr(x, "__fspath__") else list(x)


def compare_result(scenarios=None, pricing: Sequence = (), sets: Iterable[str] = (), as_of: date | None = None,
                   tiers=None, providers=None, top=None, samples=None, seed=0):
    """``aicost compare``; ``scenarios``: paths or bundled names (default: the bundled default)."""
    from aicost.analyses.compare import run

    return run(_list(scenarios), pricing=pricing, sets=sets, as_of=as_of, tiers=tiers, providers=providers,
               top=top, samples=samples, seed=seed)


def compare(scenarios=None, pricing: Sequence = (), sets: Iterable[str] = (), as_of: date | None = None,
            tiers=None, providers=None, top=None, samples=None, seed=0):
    """Columns: scenario, file, rank, option, provider, model, tier, caching, eligible, status,
    reason, then every metric (``aicost.results.compare.METRICS``)."""
    return to_frame(compare_result(scenarios, pricing, sets, as_of, tiers, providers, top, samples, seed))


def gpu_result(scenario: str, pricing: Sequence = (), sets: Iterable[str] = (), as_of: date | None = None,
               breakeven: bool = True, months: int | None = None):
    """``aicost gpu``'s result; ``months``: also the capacity plan month by month (``.months``)."""
    from aicost.analyses.gpu import run

    return run(scenario, pricing, sets, as_of, breakeven=breakeven, months=months)


def gpu(scenario: str, pricing: Sequence = (), sets: Iterable[str] = (), as_of: date | None = None,
        breakeven: bool = True):
    """Columns: ``aicost.report.frames.GPU_COLUMNS`` (rank, option, model, gpu, gpus_per_replica,
    provider, pricing, scaling, precision, per_gpu_hour, cost_per_mtok_output, replicas,
    utilisation, monthly_cost, cost_per_success, basis, breakeven_vs_best/batch/flex, status, reason)."""
    from aicost.report.frames import gpu_frame

    return gpu_frame(gpu_result(scenario, pricing, sets, as_of, breakeven))


def sweep_result(scenario: str, vary: Sequence[str], metric: str = "total_cost_per_success", top: int = 8,
                 pricing: Sequence = (), sets: Iterable[str] = (), as_of: date | None = None):
    from aicost.analyses.whatif import sweep_run

    return sweep_run(scenario, list(_list(vary) or []), pricing, sets, metric, top, as_of)


def sweep(scenario: str, vary: Sequence[str], metric: str = "total_cost_per_success", top: int = 8,
          pricing: Sequence = (), sets: Iterable[str] = (), as_of: date | None = None):
    """One row per point: the varied fields, ``winner``, ``winner_<metric>``, then one column per
    option shown (its metric; NaN where it is not usable)."""
    r = sweep_result(scenario, vary, metric, top, pricing, sets, as_of)
    data: dict[str, Any] = {f["field"]: x for f, x in zip(r.fields, r.x)}
    names = r.ids + [None]
    data["winner"] = [names[w] for w in r.winner.tolist()]
    data[f"winner_{r.metric}"] = r.winner_value
    for i, row in zip(r.shown, r.values):
        data[r.ids[i]] = row
    return frame(data, "sweep", r.currency)


def breakeven_result(scenario: str, vary: str, between: Sequence[str] | None = None,
                     metric: str = "total_cost_per_success", pricing: Sequence = (), sets: Iterable[str] = (),
                     as_of: date | None = None):
    from aicost.analyses.whatif import breakeven_run

    return breakeven_run(scenario, vary, list(between) if between else None, pricing, sets, metric, as_of)


def breakeven(scenario: str, vary: str, between: Sequence[str] | None = None, metric: str = "total_cost_per_success",
              pricing: Sequence = (), sets: Iterable[str] = (), as_of: date | None = None):
    """One row per crossing: field, value, kind, cheaper_below, cheaper_above. When two options
    never cross, ``df.attrs["summary"]`` says which is cheaper throughout."""
    r = breakeven_result(scenario, vary, between, metric, pricing, sets, as_of)
    from aicost.report.explain import say

    rows = [{"field": r.field, "value": c["value"], "kind": c["kind"], "cheaper_below": c["cheaper_below"],
             "cheaper_above": c["cheaper_above"]} for p in r.pairs for c in p["crossings"]]
    extra = {"summary": say(r.summary)} if r.summary is not None else {}
    return frame(rows, "breakeven", r.currency, ("field", "value", "kind", "cheaper_below", "cheaper_above"), **extra)


def sensitivity_result(scenario: str, option: str | None = None, metric: str = "total_cost_per_success",
                       pricing: Sequence = (), sets: Iterable[str] = (), as_of: date | None = None):
    from aicost.analyses.sensitivity import run

    return run(scenario, pricing, sets, option, metric, as_of)


def sensitivity(scenario: str, option: str | None = None, metric: str = "total_cost_per_success",
                pricing: Sequence = (), sets: Iterable[str] = (), as_of: date | None = None):
    """One row per ranged input: field, dist, low, likely, high, metric_at_low, metric_at_likely,
    metric_at_high, swing (largest swing first)."""
    r = sensitivity_result(scenario, option, metric, pricing, sets, as_of)
    return frame(r.rows, "sensitivity", r.currency, r.columns)


def check_result(paths: Sequence[str] | None = None, pricing: Sequence = (), sets: Iterable[str] = (),
                 as_of: date | None = None, samples: int = 10_000, baseline: str | Path | None = None,
                 max_price_age: int | None = DEFAULT_MAX_PRICE_AGE):
    from aicost.analyses.check import run

    return run(_list(paths), pricing, list(sets), as_of, samples, max_price_age, baseline)


def check(paths: Sequence[str] | None = None, pricing: Sequence = (), sets: Iterable[str] = (),
          as_of: date | None = None, samples: int = 10_000, baseline: str | Path | None = None,
          max_price_age: int | None = DEFAULT_MAX_PRICE_AGE):
    """One row per check: scenario, file, line, budget, status, message, option, chosen, metric,
    kind, limit, actual, warn_level, percentile, over_by. ``df.attrs["exit_code"]`` as the command's."""
    from aicost.report.explain import say

    r = check_result(paths, pricing, sets, as_of, samples, baseline, max_price_age)
    rows = [{**c.to_dict(), "message": say(c.message)} for c in r.checks]
    return frame(rows, "check", r.currency, exit_code=r.exit_code())


def export_result(scenarios=None, options: str = "chosen", period: date | None = None, pricing: Sequence = (),
                  sets: Iterable[str] = (), as_of: date | None = None, focus_version: str = "1.2",
                  account: str = "aicost-forecast"):
    from aicost.analyses.export import build

    return build(_list(scenarios), pricing, list(sets), as_of, options, period, account, focus_version)


def export(scenarios=None, options: str = "chosen", period: date | None = None, pricing: Sequence = (),
           sets: Iterable[str] = (), as_of: date | None = None, focus_version: str = "1.2",
           account: str = "aicost-forecast"):
    """The FOCUS rows of ``aicost export --format focus`` (FOCUS column names, x_ columns last)."""
    from aicost.report.export import rows

    r = export_result(scenarios, options, period, pricing, sets, as_of, focus_version, account)
    return frame(rows(r), "export", r.currency)


def allocate_result(usage: Sequence[str | Path], by: str = "team", source: str = "aicost",
                    shared: str | Path | None = None, pricing: Sequence = (), on_error: str = "stop",
                    engine: str = "local", scheduler: str | None = None):
    from aicost.analyses.allocate import run

    files = [Path(p) for p in (_list(usage) or [])]
    return run(files, by, source, Path(shared) if shared else None, pricing, on_error, engine, scheduler)


def allocate(usage: Sequence[str | Path], by: str = "team", source: str = "aicost",
             shared: str | Path | None = None, pricing: Sequence = (), on_error: str = "stop",
             engine: str = "local", scheduler: str | None = None):
    """One row per month and group: month, tag.<key>..., kind, direct, shared.<name>..., shared,
    total, requests, tokens (the ``groups`` table of the allocation); ``engine="dask"`` as
    ``--engine dask``."""
    a = allocate_result(usage, by, source, shared, pricing, on_error, engine, scheduler)
    return frame(a.groups.copy(), "allocation", a.currency)


def replay_result(usage: Sequence[str | Path], options: Sequence[str] = (), scenario: str | None = None,
                  by: str = "team", source: str = "aicost", can_wait: Sequence[str] = (), pricing: Sequence = (),
                  on_error: str = "stop", engine: str = "local", scheduler: str | None = None):
    from aicost.analyses.replay import run

    return run([Path(p) for p in (_list(usage) or [])], list(_list(options) or []), scenario, by, source,
               list(_list(can_wait) or []), pricing, on_error, engine, scheduler)


def replay(usage: Sequence[str | Path], options: Sequence[str] = (), scenario: str | None = None, by: str = "team",
           source: str = "aicost", can_wait: Sequence[str] = (), pricing: Sequence = (), on_error: str = "stop",
           engine: str = "local", scheduler: str | None = None):
    """One row per tag group and a last "(all)" row: the ``by`` tags, requests, "as logged" and one
    column per option (None where some request is unpriced); ``attrs`` hold the meta (unpriced
    counts, the cheapest option)."""
    r = replay_result(usage, options, scenario, by, source, can_wait, pricing, on_error, engine, scheduler)
    return frame(r.rows, "replay", r.meta["currency"], r.columns, meta=r.meta)


def forecast_result(usage: Sequence[str | Path], by: str = "team", source: str = "aicost", months: int = 3,
                    budgets: Sequence[str] = (), pricing: Sequence = (), on_error: str = "stop",
                    engine: str = "local", scheduler: str | None = None):
    from aicost.analyses.forecast import run

    return run([Path(p) for p in (_list(usage) or [])], by, source, months, list(_list(budgets) or []), pricing,
               on_error, engine, scheduler)


def forecast(usage: Sequence[str | Path], by: str = "team", source: str = "aicost", months: int = 3,
             budgets: Sequence[str] = (), pricing: Sequence = (), on_error: str = "stop", engine: str = "local",
             scheduler: str | None = None):
    """One row per tag group and "(all)": logged, per day now, change a month %, one column per
    month ahead, budget, crosses on, unpriced requests."""
    r = forecast_result(usage, by, source, months, budgets, pricing, on_error, engine, scheduler)
    return frame(r.rows, "forecast", r.meta["currency"], r.columns, meta=r.meta)


def calibrate(usage: Sequence[str | Path], by: str | None = None, source: str = "aicost", name: str | None = None,
              pricing: Sequence = (), top: int = 20):
    """The calibrated scenario: a :class:`~aicost.results.calibrate.Calibration` with ``scenario_yaml``
    (the text, placeholders marked) and ``figures`` (per group: volume, shape, token quantiles, hit rate)."""
    from aicost.analyses.calibrate import run

    return run([Path(p) for p in (_list(usage) or [])], by, source, name, pricing, top)
