"""Charts (matplotlib, an optional extra: ``pip install 'aicost-calc[plot]'``; from a clone, ``pip install '.[plot]'``)."""

from __future__ import annotations

from pathlib import Path

from aicost.base.errors import InputError

FORMATS = (".png", ".svg")


def pyplot():
    """matplotlib's pyplot on a file-only backend, or a clear message when it is missing."""
    import logging
    import os
    import tempfile

    folder = os.environ.get("MPLCONFIGDIR") or os.path.join(os.path.expanduser("~"), ".config", "matplotlib")
    if not _writable(folder):  # matplotlib would make a temporary one, and warn twice about it
        import atexit
        import shutil

        os.environ["MPLCONFIGDIR"] = tmp = tempfile.mkdtemp(prefix="aicost-matplotlib-")
        atexit.register(shutil.rmtree, tmp, True)
    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    try:
        import matplotlib
    except ImportError:
        raise InputError("charts need matplotlib: pip install matplotlib (or the 'plot' extra of aicost-calc)") from None
    except OSError as exc:
        raise InputError(f"charts: matplotlib cannot start ({exc.strerror or exc})") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _writable(folder: str) -> bool:
    """Whether matplotlib can keep its settings and font cache in ``folder`` (made if missing)."""
    import os

    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def check_path(path: Path) -> None:
    if path.suffix.lower() not in FORMATS:
        raise InputError(f"--chart: expected a .png or .svg file name, got {str(path)!r}")
    if not (path.parent if str(path.parent) else Path(".")).is_dir():
        raise InputError(f"--chart: folder {path.parent} does not exist")


def save(fig, path: Path) -> None:
    """Write the figure atomically (temporary file, then rename)."""
    from aicost.base.files import atomic_path

    with atomic_path(path, suffix=path.suffix) as tmp:
        fig.savefig(tmp, format=path.suffix[1:].lower(), dpi=100, metadata={"Software": None} if
                    path.suffix.lower() == ".png" else {"Date": None})


def tornado(rows: list[dict], title: str, metric_label: str, path: Path, size=(8.0, 4.5)):
    """Horizontal bars from each input's low to its high value of the metric, around the likely."""
    plt = pyplot()
    rows = [r for r in rows if r["swing"] is not None][:12][::-1]
    fig, ax = plt.subplots(figsize=size)
    base = rows[0]["metric_at_likely"] if rows else 0.0
    for y, r in enumerate(rows):
        lo, hi = r["metric_at_low"], r["metric_at_high"]
        ax.barh(y, lo - base, left=base, color="#4c72b0", label="at low" if y == 0 else None)
        ax.barh(y, hi - base, left=base, color="#dd8452", label="at high" if y == 0 else None)
    ax.axvline(base, color="black", linewidth=1)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r["field"] for r in rows], fontsize=8)
    ax.set_xlabel(metric_label)
    ax.set_title(title, fontsize=10)
    if rows:
        ax.legend(fontsize=8)
    fig.tight_layout()
    save(fig, path)
    plt.close(fig)
    return fig


def short(option_id: str, width: int = 80) -> str:
    """A legend label: GPU options as 'model on OFFER (pricing, scaling)', others as is."""
    if option_id.startswith("gpu/"):
        model, _gpu, offer, pricing, scaling = option_id[4:].split(":")
        option_id = f"{model} on {offer} ({pricing}, {scaling})"
    return option_id if len(option_id) <= width else option_id[: width - 1] + "…"


def lines(x, series: list[tuple[str, list]], xlabel: str, ylabel: str, log_x: bool, marks: list[tuple],
          title: str, path: Path, size=(9.0, 5.5)):
    """One line per series against ``x``; ``marks`` (x, y, label) as labelled points. Returns the
    figure (closed; its axes still hold the lines for inspection)."""
    import numpy as np

    plt = pyplot()
    fig, ax = plt.subplots(figsize=size)
    for label, y in series:
        ax.plot(x, y, label=short(label), linewidth=1.6)
    if marks:
        ax.scatter([m[0] for m in marks], [m[1] for m in marks], color="black", zorder=5, s=22)
        for k, (mx, my, text) in enumerate(marks):  # alternate above and below, so neighbours do not overlap
            ax.annotate(text, (mx, my), textcoords="offset points", xytext=(5, 8 if k % 2 == 0 else -14),
                        fontsize=7)
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    finite = np.concatenate([np.asarray(y, dtype=float)[np.isfinite(np.asarray(y, dtype=float))] for _, y in series]) \
        if series else np.array([])
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 20:
        ax.set_yscale("log")
    ax.grid(True, alpha=0.3)
    labels = [short(label) for label, _ in series]
    wide = max((len(t) for t in labels), default=0) > 50  # long labels take one column, so none is cut off
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=1 if wide else 2, frameon=False)
    fig.tight_layout()
    save(fig, path)
    plt.close(fig)
    return fig


def unit(metric: str, currency: str) -> str:
    """An axis label: the metric, and its currency unless it is ROI (a share)."""
    return "ROI" if metric == "roi" else f"{metric.replace('_', ' ')} ({currency})"


def sweep_chart(rep, path: Path):
    """A one-field sweep: the shown options' lines, and where the winner changes."""
    import numpy as np

    from aicost.report.whatif import fmt_x
    from aicost.results.whatif import CHART_POINTS

    if len(rep.fields) != 1:
        raise InputError("--chart draws one-field sweeps")
    x, w = rep.x[0], rep.winner
    changes = np.nonzero((w[1:] != w[:-1]) & (w[1:] >= 0) & (w[:-1] >= 0))[0] + 1
    # a long sweep is drawn through 4,000 of its points plus both sides of every change of winner
    n = rep.points  # x and w are at the points kept (every one, or a summary holding what is drawn here)
    keep = np.unique(np.concatenate([rep.at(np.linspace(0, n - 1, min(n, CHART_POINTS)).round().astype(int)),
                                     changes, changes - 1]))
    series = [(rep.ids[i], rep.values[k][keep]) for k, i in enumerate(rep.shown)]
    marks = [(x[j], rep.winner_value[j], f"winner changes at {fmt_x(x[j])}") for j in changes.tolist()]
    f = rep.fields[0]
    return lines(x[keep], series, f["field"], unit(rep.metric, rep.currency), f["log"], marks, rep.scenario, path)


def breakeven_chart(rep, path: Path):
    """The options involved in a break-even search along the field, and the crossings."""
    from aicost.report.whatif import fmt_x

    s = rep.series
    marks = [(x, y, f"equal at {fmt_x(x)}") for x, y in s["marks"]]
    return lines(s["x"], s["lines"], rep.field, unit(rep.metric, rep.currency), rep.log, marks, rep.scenario, path)


def tornado_chart(rep, path: Path):
    from aicost.report.explain import METRIC_NAMES

    label = METRIC_NAMES[rep.metric] + ("" if rep.metric == "roi" else f" ({rep.currency})")
    return tornado(rep.rows, f"{rep.scenario}: {rep.option}", label, path)
