"""Views of sweeps and break-even searches: table, CSV, JSON and a compact terminal chart."""

from __future__ import annotations

from typing import Any

import numpy as np

from .csvsafe import write_rows
from .json import dumps
from .numbers import money, pct
from .table import columns

SPARK = "▁▂▃▄▅▆▇█"


def fmt_metric(x: float | None, metric: str, currency: str) -> str:
    if x is None or not np.isfinite(x):
        return "—"
    return pct(x) if metric == "roi" else money(x, currency)


def fmt_x(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def _cell(rep, i, j):
    v = rep["value"][i, j]
    return float(v) if rep["usable"][i, j] and np.isfinite(v) else None


def sweep_table(rep: dict, max_rows: int = 60) -> str:
    ids, metric, cur = rep["ids"], rep["metric"], rep["currency"]
    names = [f["field"] for f in rep["fields"]]
    out = [f"{rep['scenario']}   ({rep['file']})",
           f"{metric.replace('_', ' ')} as {' and '.join(names)} vary"]
    n = rep["value"].shape[1]
    w = rep["winner"]
    if len(rep["fields"]) == 2:  # a grid of winners, letters explained below
        xs, ys = np.unique(rep["x"][0]), np.unique(rep["x"][1])
        letters = {}
        for i in w[w >= 0]:
            letters.setdefault(int(i), chr(ord("A") + len(letters)) if len(letters) < 26 else "?")
        grid = w.reshape(len(xs), len(ys))
        header = (f"{names[0]} \\ {names[1]}",) + tuple(fmt_x(y) for y in ys)
        rows = [(fmt_x(x),) + tuple(letters.get(int(c), "·") for c in grid[r]) for r, x in enumerate(xs)]
        out += columns(header, rows, [True] * len(header))
        out += [f"  {letter} = {ids[i]}" for i, letter in letters.items()]
        out.append("  · = no option is eligible and priced there")
        return "\n".join(out) + "\n"
    changes = [0] + [j for j in range(1, n) if w[j] != w[j - 1]] + [n - 1]
    show = sorted(set(range(n)) if n <= max_rows else set(changes))
    if n > max_rows:
        out.append(f"{n:,} points; showing the first, the last and the {len(changes) - 2} where the winner changes")
    header = (names[0], "winner", metric.replace("_", " "), "runner-up", "", "")
    rows = []
    for j in show:
        col = [(_cell(rep, i, j), i) for i in range(len(ids))]
        usable = sorted([c for c in col if c[0] is not None],
                        key=lambda c: c[0] if metric != "roi" else -c[0])
        win = ids[w[j]] if w[j] >= 0 else "—"
        second = usable[1] if len(usable) > 1 else (None, None)
        mark = "◀ winner changes" if j > 0 and w[j] != w[j - 1] else ""
        rows.append((fmt_x(rep["x"][0][j]), win, fmt_metric(usable[0][0] if usable else None, metric, cur),
                     ids[second[1]] if second[1] is not None else "—", fmt_metric(second[0], metric, cur), mark))
    out += columns(header, rows, [True, False, True, False, True, False])
    return "\n".join(out) + "\n"


def sweep_csv(rep: dict, raw: bool = False) -> str:
    shown = rep["shown"]
    names = [f["field"] for f in rep["fields"]]
    header = names + ["winner", f"winner_{rep['metric']}"] + [rep["ids"][i] for i in shown]
    rows = []
    for j in range(rep["value"].shape[1]):
        w = int(rep["winner"][j])
        rows.append([float(x[j]) for x in rep["x"]] + [rep["ids"][w] if w >= 0 else None,
                                                       _cell(rep, w, j) if w >= 0 else None]
                    + [_cell(rep, i, j) for i in shown])
    return write_rows(header, rows, raw=raw)


def sweep_json(rep: dict) -> str:
    shown = rep["shown"]
    points = []
    for j in range(rep["value"].shape[1]):
        w = int(rep["winner"][j])
        points.append({"x": [float(x[j]) for x in rep["x"]], "winner": rep["ids"][w] if w >= 0 else None,
                       "values": [_cell(rep, i, j) for i in shown]})
    return dumps({"version": "1", "kind": "sweep", "scenario": rep["scenario"], "file": rep["file"],
                  "metric": rep["metric"], "currency": rep["currency"], "fields": rep["fields"],
                  "options": [rep["ids"][i] for i in shown], "points": points})


def terminal_chart(rep: dict, width: int = 48) -> str:
    """One sparkline per shown option across the swept range (1-D sweeps)."""
    if len(rep["fields"]) != 1:
        return ""
    n = rep["value"].shape[1]
    cols = np.linspace(0, n - 1, min(width, n)).round().astype(int)
    vals = np.where(rep["usable"][rep["shown"]][:, cols], rep["value"][rep["shown"]][:, cols], np.nan)
    finite = vals[np.isfinite(vals)]
    if finite.size == 0:
        return ""
    lo, hi = float(finite.min()), float(finite.max())
    out = [f"{rep['metric'].replace('_', ' ')} from {fmt_metric(lo, rep['metric'], rep['currency'])} (▁) to "
           f"{fmt_metric(hi, rep['metric'], rep['currency'])} (█); {rep['fields'][0]['field']} "
           f"{fmt_x(rep['x'][0][0])} → {fmt_x(rep['x'][0][-1])}" + (" (log)" if rep["fields"][0]["log"] else "")]
    label = max(len(rep["ids"][i]) for i in rep["shown"])
    for k, i in enumerate(rep["shown"]):
        line = "".join(" " if not np.isfinite(v) else SPARK[min(7, int((v - lo) / (hi - lo + 1e-300) * 8))]
                       for v in vals[k])
        out.append(f"  {rep['ids'][i].ljust(label)}  {line}")
    return "\n".join(out) + "\n"


def breakeven_table(rep: dict) -> str:
    cur = rep["currency"]
    out = [f"{rep['scenario']}   ({rep['file']})",
           f"where {rep['metric'].replace('_', ' ')} is equal as {rep['field']} goes from {fmt_x(rep['start'])} to "
           f"{fmt_x(rep['stop'])} (now {fmt_x(rep['current'])}; found to a relative {rep['tolerance']:g})"]
    if rep["summary"]:
        out.append(rep["summary"])
    rows = []
    for pair in rep["pairs"]:
        for c in pair["crossings"]:
            rows.append((fmt_x(c["value"]), c["kind"], c["cheaper_below"], c["cheaper_above"]))
    if rows:
        out += columns((rep["field"], "kind", "cheaper below", "cheaper above"), rows, [True, False, False, False])
    elif not rep["summary"]:
        out.append("no crossing in the range: the current winner stays the cheapest")
    del cur
    return "\n".join(out) + "\n"


def breakeven_json(rep: dict) -> str:
    keep = ("scenario", "file", "metric", "currency", "field", "start", "stop", "log", "tolerance", "current",
            "summary", "pairs")
    return dumps({"version": "1", "kind": "breakeven", **{k: rep[k] for k in keep}})
