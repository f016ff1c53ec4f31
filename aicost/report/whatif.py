"""Views of sweeps and break-even searches: table, CSV, JSON and a compact terminal chart."""

from __future__ import annotations

import math

import json
import re
from typing import Any

import numpy as np

from aicost.base.errors import visible
from aicost.report.csvsafe import cell, write_rows
from aicost.report.explain import METRIC_NAMES, figure, say
from aicost.report.json import dumps
from aicost.report.table import columns, shorten, wrapped

SPARK = "▁▂▃▄▅▆▇█"


def fmt_metric(x: float | None, metric: str, currency: str) -> str:
    return figure(metric, x, currency)


def fmt_x(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def sweep_table(rep: Any, max_rows: int = 60, chart: bool = True, width: int = 160, **_: Any) -> str:
    """The winner along the swept range (or a grid of winners for two fields), fitted to ``width``:
    where the option ids do not fit, letters in the table and the ids below it."""
    ids, metric, cur = rep["ids"], rep["metric"], rep["currency"]
    names = [f["field"] for f in rep["fields"]]
    out = [f"{visible(rep['scenario'])}   ({visible(rep['file'])})",
           f"{metric.replace('_', ' ')} as {' and '.join(names)} vary"]
    w = rep["winner"]  # at the points kept: every one, or a summary holding both sides of each change
    n = rep.points
    if len(rep["fields"]) == 2:  # a grid of winners, letters explained below
        shape = (rep["fields"][0]["steps"], rep["fields"][1]["steps"])  # in sweep order, repeats kept
        xs, ys = rep["x"][0].reshape(shape)[:, 0], rep["x"][1].reshape(shape)[0, :]
        letters = {}
        for i in first_seen(w[w >= 0]):
            letters.setdefault(int(i), chr(ord("A") + len(letters)) if len(letters) < 26 else "?")
        grid = w.reshape(len(xs), len(ys))
        header = (f"{names[0]} \\ {names[1]}",) + tuple(fmt_x(y) for y in ys)
        rows = [(fmt_x(x),) + tuple(letters.get(int(c), "·") for c in grid[r]) for r, x in enumerate(xs)] \
            if len(xs) <= max_rows and len(ys) <= GRID_COLUMNS else None
        lines = columns(header, rows, [True] * len(header)) if rows is not None else None
        big = lines is None or max(len(line) for line in lines) > width
        # too big for a screen: a map of the winners, every k-th row and column, and each one's share
        out += grid_map(grid, xs, ys, names, letters, max_rows, width) if big else lines
        counts = np.bincount(w[w >= 0], minlength=len(ids)) if big else None
        out += [f"  {letter} = {shorten(ids[i], width - 5 - len(letter))}" if counts is None else
                f"  {letter} = {shorten(ids[i], width - 24 - len(letter))}  wins {counts[i] / w.size:.1%} of the grid"
                for i, letter in letters.items()]
        out.append("  · = no option is eligible and priced there")
        return "\n".join(out) + "\n"
    changed = np.nonzero(w[1:] != w[:-1])[0] + 1
    every = n <= max_rows and w.size == n  # (a summary of more points than it keeps shows its changes)
    show = range(n) if every else sorted({0, w.size - 1, *changed.tolist()})
    if not every:
        where = (f"the {changed.size} where the winner changes" if changed.size else
                 "(the winner is the same all along)")
        out += wrapped(f"{n:,} points; showing the first, the last and {where}", width)
    header = (names[0], "winner", metric.replace("_", " "), "runner-up", "", "")
    right = [True, False, True, False, True, False]

    def table(name, new="◀ new winner") -> list[tuple[str, ...]]:
        rows = []
        for j in show:
            win, second = int(w[j]), int(rep["runner_up"][j])
            mark = new if j > 0 and w[j] != w[j - 1] else ""
            rows.append((fmt_x(rep["x"][0][j]), name(win), fmt_metric(rep["winner_value"][j], metric, cur),
                         name(second), fmt_metric(rep["runner_value"][j], metric, cur), mark))
        return rows

    rows = table(lambda i: ids[i] if i >= 0 else "—")
    if max(len(line) for line in columns(header, rows, right)) > width:  # too wide: letters, explained below
        letters: dict[int, str] = {}

        def letter(i: int) -> str:
            if i < 0:
                return "—"
            return letters.setdefault(i, _label(len(letters)))

        rows = table(letter)
        if max(len(line) for line in columns(header, rows, right)) > width:
            rows = table(letter, "◀")
        out += columns(header, rows, right)
        out += [f"  {mark} = {shorten(ids[i], width - 5 - len(mark))}" for i, mark in letters.items()]
    else:
        out += columns(header, rows, right)
    return "\n".join(out) + "\n" + (terminal_chart(rep, width=width) if chart else "")


#: A grid with more columns than this (or rows than the table's) is drawn as a map of letters.
GRID_COLUMNS = 24


def first_seen(a: np.ndarray) -> list[int]:
    """The distinct values of ``a`` in the order they first appear (as letters are given out)."""
    values, first = np.unique(a, return_index=True)
    return values[np.argsort(first, kind="stable")].tolist()


def grid_map(grid: np.ndarray, xs: np.ndarray, ys: np.ndarray, names: list[str], letters: dict, rows: int,
             width: int) -> list[str]:
    """The winners of a big grid as a map: one letter a cell, at most ``rows`` rows of the first
    field and as many columns of the second as ``width`` holds, evenly spaced, ends included."""
    label = max(len(fmt_x(x)) for x in xs)
    cols = max(2, min(len(ys), width - label - 4))
    r_pick = np.unique(np.linspace(0, len(xs) - 1, min(rows, len(xs))).round().astype(int))
    c_pick = np.unique(np.linspace(0, len(ys) - 1, cols).round().astype(int))
    left, right = fmt_x(ys[0]), fmt_x(ys[-1])
    axis = left + " " + "→".center(max(1, c_pick.size - len(left) - len(right) - 2)) + " " + right
    def part(shown: int, n: int) -> str:
        return f"all {n:,} values" if shown == n else f"{shown:,} of its {n:,} values (evenly spaced, ends included)"

    out = wrapped(f"{len(xs):,} x {len(ys):,} points; {names[0]} down: {part(r_pick.size, len(xs))}; {names[1]} "
                  f"across: {part(c_pick.size, len(ys))}; --format csv gives every point", width)
    out.append(" " * (label + 2) + axis)
    for r in r_pick:
        out.append(fmt_x(xs[r]).rjust(label) + "  " + "".join(letters.get(int(c), "·") for c in grid[r, c_pick]))
    return out


def _label(k: int) -> str:
    """A, B, ... Z, AA, AB, ...: a short name for the k-th option in a narrow table."""
    return chr(ord("A") + k) if k < 26 else _label(k // 26 - 1) + chr(ord("A") + k % 26)


_NAN_CELL = re.compile(r"(?<![^,\n])nan(?=,|\r)")
_NAN_ITEM = re.compile(r"(?<=[\[,])nan(?=[,\]])")


def sweep_csv(rep: Any, raw: bool = False, **_: Any) -> str:
    """One row per point: the varied fields, the winner and its metric, then each shown option.
    Numbers to 12 significant digits (``%.12g``), empty where an option is not usable; formatted a
    row at a time by one C-level ``%`` (a 1,000,000-point sweep writes in seconds)."""
    ids = rep["ids"]
    header = [f["field"] for f in rep["fields"]] + ["winner", f"winner_{rep['metric']}"] + \
        [ids[i] for i in rep["shown"]]
    names = [cell(i, raw).replace("%", "%%") for i in ids]
    if any(any(ch in c for ch in ',"\r\n') for c in names):
        names = [write_rows([], [[c]], raw=True).split("\r\n")[1] for c in names]
    nx, k = len(rep["x"]), len(rep["shown"])
    lead = ",".join(["%.12g"] * nx)
    by_winner = {w: (lead + "," + (names[w] if w >= 0 else "") + "," + ",".join(["%.12g"] * (k + 1)) + "\r\n")
                 for w in set(rep["winner"].tolist())}
    cols = [x.tolist() for x in rep["x"]] + [rep["winner_value"].tolist()] + [r.tolist() for r in rep["values"]]
    gaps = np.isnan(rep["winner_value"]) | np.isnan(rep["values"]).any(axis=0)
    for x in rep["x"]:
        gaps |= np.isnan(x)
    if not gaps.any():
        body = "".join(by_winner[w] % row for w, row in zip(rep["winner"].tolist(), zip(*cols)))
    else:  # rows with an empty cell are cleaned one by one; the rest go the fast way
        body = "".join(_NAN_CELL.sub("", by_winner[w] % row) if gap else by_winner[w] % row
                       for w, row, gap in zip(rep["winner"].tolist(), zip(*cols), gaps.tolist()))
    return write_rows(header, [], raw=raw) + body


def _array(values: np.ndarray) -> str:
    """A JSON array of numbers to 12 significant digits, null where there is none."""
    if values.size == 0:
        return "[]"
    text = ("[" + ",".join(["%.12g"] * values.size) + "]") % tuple(values.tolist())
    return _NAN_ITEM.sub("null", text) if np.isnan(values).any() else text


def sweep_json(rep: Any, **_: Any) -> str:
    """Columnar: the varied fields' values, the winner and its metric, and each shown option's
    metric, one array each, a value per point (null where the option is not usable)."""
    ids = rep["ids"]
    arrays = {}

    def slot(values):
        key = f"@@array{len(arrays)}@@"
        arrays[key] = _array(np.asarray(values, dtype=float))
        return key

    names = ids + [None]
    head = {**rep.to_dict(),
            "x": {f["field"]: slot(x) for f, x in zip(rep["fields"], rep["x"])},
            "winner": "@@winner@@", f"winner_{rep['metric']}": slot(rep["winner_value"]),
            "options": {ids[i]: slot(row) for i, row in zip(rep["shown"], rep["values"])}}
    text = dumps(head)
    arrays["@@winner@@"] = json.dumps([names[w] for w in rep["winner"].tolist()], ensure_ascii=False)
    return re.sub(r'"(@@(?:array\d+|winner)@@)"', lambda m: arrays[m.group(1)], text)


def terminal_chart(rep: Any, width: int = 160) -> str:
    """One sparkline per shown option across the swept range (1-D sweeps), at most 48 points
    wide; where an id and its line do not fit ``width``, the id goes on a line of its own."""
    if len(rep["fields"]) != 1 or not rep["shown"]:  # (no option usable anywhere: no line to draw)
        return ""
    n = rep.points
    label = max(len(rep["ids"][i]) for i in rep["shown"])
    stacked = label + 4 + min(48, n) > width  # each id on a line of its own, the sparkline under it
    points = min(48, width - 4) if stacked else 48
    cols = rep.at(np.linspace(0, n - 1, min(points, n)).round().astype(int))
    vals = rep["values"][:, cols]
    finite = vals[np.isfinite(vals)]
    if finite.size == 0:
        return ""
    lo, hi = float(finite.min()), float(finite.max())
    out = wrapped(f"{rep['metric'].replace('_', ' ')} from {fmt_metric(lo, rep['metric'], rep['currency'])} (▁) to "
                  f"{fmt_metric(hi, rep['metric'], rep['currency'])} (█); {rep['fields'][0]['field']} "
                  f"{fmt_x(rep['x'][0][0])} → {fmt_x(rep['x'][0][-1])}" + (" (log)" if rep["fields"][0]["log"] else ""),
                  width)
    for k, i in enumerate(rep["shown"]):
        line = "".join(" " if not np.isfinite(v) else SPARK[min(7, int((v - lo) / (hi - lo + 1e-300) * 8))]
                       for v in vals[k])
        if stacked:
            out += [f"  {shorten(rep['ids'][i], width - 2)}", f"    {line}"]
        else:
            out.append(f"  {rep['ids'][i].ljust(label)}  {line}")
    return "\n".join(out) + "\n"


def breakeven_table(rep: Any, **_: Any) -> str:
    out = [f"{visible(rep['scenario'])}   ({visible(rep['file'])})",
           f"where {rep['metric'].replace('_', ' ')} is equal as {rep['field']} goes from {fmt_x(rep['start'])} to "
           f"{fmt_x(rep['stop'])} (now {fmt_x(rep['current'])}; found to a relative {rep['tolerance']:g})"]
    if rep["summary"]:
        out.append(say(rep["summary"]))
    found = sorted(((c, pair) for pair in rep["pairs"] for c in pair["crossings"]),
                   key=lambda cp: (cp[0]["value"], cp[0].get("until") or cp[0]["value"]))
    rows, groups = [], {}  # options that cross the same option at the same value share one row
    for c, _ in found:
        if c["kind"] == "tie":
            rows.append([f"{fmt_x(c['value'])} to {fmt_x(c['until'])}", "tie", [f"{c['equal'][0]} ="],
                         [c["equal"][1]]])
            continue
        key = (f"{c['value']:.9g}", c["kind"])
        below, above = c["cheaper_below"], c["cheaper_above"]
        if key in groups and (below in groups[key][2] or above in groups[key][3]):
            row = groups[key]
            for ids, new in ((row[2], below), (row[3], above)):
                if new not in ids:
                    ids.append(new)
            continue
        groups[key] = [fmt_x(c["value"]), c["kind"], [below], [above]]
        rows.append(groups[key])
    rows = [(x, kind, _ids(below), _ids(above)) for x, kind, below, above in rows]
    hidden = 0
    if len(rows) > BREAKEVEN_ROWS:  # one screen: the crossings nearest the current value
        now = float(rep["current"]) if rep["current"] is not None else None
        at = [_row_value(r[0]) for r in rows]
        near = sorted(range(len(rows)), key=lambda k: (abs(math.log(max(at[k], 1e-300) / max(now, 1e-300)))
                                                       if now and now > 0 and at[k] > 0 else abs(at[k] - (now or 0)), k))
        keep = sorted(near[:BREAKEVEN_ROWS])
        hidden = len(rows) - len(keep)
        rows = [rows[k] for k in keep]
    if rows:
        out += columns((rep["field"], "kind", "cheaper below", "cheaper above"), rows, [True, False, False, False])
        if any(c["kind"] == "tie" for c, _ in found):
            out.append("tie: the two options (A = B) cost the same over the whole interval (shown once, not at "
                       "every point)")
        if hidden:
            out.append(f"+ {hidden} more crossings farther from the current value: --format json lists every one")
    elif not rep["summary"]:
        out.append("no crossing in the range: the current winner stays the cheapest")
    return "\n".join(out) + "\n"


#: Crossings shown in the terminal (the nearest to the current value); JSON has them all.
BREAKEVEN_ROWS = 20


def _row_value(x: str) -> float:
    """The number a row starts at ('1,000,000 to 2,000' -> 1e6)."""
    try:
        return float(x.split(" to ")[0].replace(",", ""))
    except ValueError:
        return 0.0


def _ids(ids: list[str]) -> str:
    """Options in one cell: ``provider/model: tier, tier:cached`` when they share a model."""
    if len(ids) == 1:
        return ids[0]
    heads = {i.split(":", 1)[0] for i in ids}
    if len(heads) == 1 and all(":" in i for i in ids):
        return f"{heads.pop()}: " + ", ".join(i.split(":", 1)[1] for i in ids)
    return ", ".join(ids)


def breakeven_json(rep: Any, **_: Any) -> str:
    return dumps(rep.to_dict())


def sensitivity_lines(rep: Any, **_: Any) -> list[str]:
    base = "—" if rep.base is None else f"{rep.base:.6g}"
    return [f"{rep.option} · {METRIC_NAMES[rep.metric]} at the likely values: {base}"]
