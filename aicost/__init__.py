"""aicost: what each successful outcome of an AI workload really costs, every way of running it.

Library first; the ``aicost`` command is a thin layer over it. Every command has a function
here that returns a pandas DataFrame (``df.attrs``: version, kind, currency), and a
``*_result`` twin that returns the typed result the command renders::

    import aicost
    df = aicost.compare("support-assistant")              # one row per option, ranked
    result = aicost.compare_result(["scenarios/x.yaml"])  # the typed result
    aicost.gpu("self-hosted-wins"); aicost.sweep("support-assistant", ["caching.hit_rate=0:1:11"])
    aicost.breakeven(...); aicost.sensitivity(...); aicost.check(...); aicost.export(...); aicost.allocate(...)
    aicost.replay(...); aicost.forecast(...); aicost.calibrate(...)

Heavy modules load on first use, so ``import aicost`` stays light.
"""

from __future__ import annotations

from aicost.base.version import __version__

_API = {"compare", "compare_result", "gpu", "gpu_result", "sweep", "sweep_result", "breakeven", "breakeven_result",
        "sensitivity", "sensitivity_result", "check", "check_result", "export", "export_result", "allocate",
        "allocate_result", "replay", "replay_result", "forecast", "forecast_result", "calibrate"}


def __getattr__(name: str):
    if name in _API:
        from aicost import api

        return getattr(api, name)
    raise AttributeError(f"module 'aicost' has no attribute {name!r}")


__all__ = sorted(_API) + ["__version__"]
