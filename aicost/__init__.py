"""aicost: what each successful outcome of an AI workload really costs, every way of running it.

Library first; the ``aicost`` command is a thin layer over it::

    import aicost
    df = aicost.compare("support-assistant")             # a pandas DataFrame, one row per option
    result = aicost.compare_result(["scenarios/x.yaml"])  # the full result object
"""

from __future__ import annotations

from aicost.base.version import __version__

from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import pandas

    from aicost.results.compare import Result


def compare_result(scenarios=None, pricing: Sequence = (), sets: Iterable[str] = (), as_of=None,
                   tiers=None, providers=None, top=None, samples=None, seed=0) -> "Result":
    """Compare every option of each scenario; returns the :class:`aicost.results.compare.Result`.

    ``scenarios``: paths or bundled names (default: the bundled default scenario);
    ``pricing``: extra pricing directories layered over the bundled tables;
    ``sets``: ``FIELD=VALUE`` overrides, as ``--set`` on the command line.
    """
    from aicost.analyses.compare import run

    if isinstance(scenarios, (str, bytes)) or hasattr(scenarios, "__fspath__"):
        scenarios = [scenarios]
    return run(scenarios, pricing=pricing, sets=sets, as_of=as_of, tiers=tiers, providers=providers, top=top,
               samples=samples, seed=seed)


def compare(scenarios=None, pricing: Sequence = (), sets: Iterable[str] = (), as_of=None,
            tiers=None, providers=None, top=None, samples=None, seed=0) -> "pandas.DataFrame":
    """Like ``aicost compare``: a DataFrame with one row per scenario and option, ranked.

    The full result (assumptions, notes, meters, price sources) is in ``df.attrs["result"]``.
    """
    from aicost.results.frames import to_frame

    return to_frame(compare_result(scenarios, pricing, sets, as_of, tiers, providers, top, samples, seed))


__all__ = ["compare", "compare_result", "__version__"]
