"""YAML in, plain data out, with the line of every key kept for error messages."""

from __future__ import annotations

import math
import os
import stat
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from aicost.base.errors import InputError, Problem

#: Larger input files are refused before parsing (a scenario or price table is a few KB).
MAX_FILE_BYTES = 10 * 1024 * 1024

yaml: Any = None  # PyYAML, imported by the first parse (:func:`_yaml`): a run served from the cache parses nothing


def _yaml() -> Any:
    global yaml
    if yaml is None:
        import yaml as module

        yaml = module
    return yaml

PathT = tuple  # tuple[str | int, ...]


def dotted(path: PathT) -> str:
    """``('steps', 0, 'input')`` -> ``steps[0].input``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class Document:
    """A parsed YAML file: its data and the line (1-based) of each key or item."""

    file: str
    data: Any
    lines: dict[PathT, int] = field(default_factory=dict)

    def line_of(self, path: PathT) -> int | None:
        """Line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def problem(self, path: PathT, message: str) -> Problem:
        return Problem(self.file, self.line_of(path), dotted(path), message)


def display_name(path: Path | str) -> str:
    """A path as the user would type it: relative to the working directory when below it."""
    p = Path(path)
    try:
        return os.path.relpath(p) if p.is_absolute() and Path.cwd() in p.parents else str(p)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(p)


def read_text(path: Path, name: str | None = None, max_bytes: int = MAX_FILE_BYTES) -> str:
    name = name or display_name(path)
    try:
        st = path.stat()
        size = st.st_size
    except FileNotFoundError:
        raise InputError(Problem(name, None, "", "no such file" + (" (a dangling link)" if path.is_symlink()
                                                                     else ""))) from None
    except OSError as exc:
        raise InputError(Problem(name, None, "", f"cannot read: {exc.strerror}")) from None
    if path.is_dir():
        raise InputError(Problem(name, None, "", "is a directory, expected a YAML file"))
    if not stat.S_ISREG(st.st_mode):  # a FIFO would hang, /dev/zero would never end: refused up front
        raise InputError(Problem(name, None, "", "not a regular file (a device, FIFO or socket), expected a "
                                                 "YAML file"))
    if size > max_bytes:
        raise InputError(
            Problem(name, None, "", f"file is too large ({size / 1e6:.1f} MB; the limit is {max_bytes // (1024 * 1024)} MB)")
        )
    try:
        data = path.read_bytes()
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(Problem(name, line, "", f"not UTF-8 text (byte 0x{data[exc.start]:02x}: {exc.reason}); "
                                                 "save the file as UTF-8")) from None
    except OSError as exc:
        raise InputError(Problem(name, None, "", f"cannot read: {exc.strerror}")) from None


def load_file(path: Path | str, name: str | None = None) -> Document:
    path = Path(path)
    name = name or display_name(path)
    return load_text(read_text(path, name), name)


def load_text(text: str, name: str = "<string>") -> Document:
    """Parse YAML text into a :class:`Document`; syntax problems raise :class:`InputError`."""
    if not text.strip():
        raise InputError(Problem(name, None, "", "file is empty"))
    y = _yaml()
    loader = getattr(y, "CSafeLoader", y.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError(Problem(name, None, "", "file holds no YAML document"))
        doc = Document(name, None)
        problems: list[Problem] = []
        budget = _Budget()
        if _expanded(node, {}) > MAX_VALUES:  # counted on the node graph, before anything is expanded
            raise InputError(Problem(name, _first_past(node), "", f"the file expands to more than {MAX_VALUES:,} "
                                                                  "values (aliases that repeat blocks); refused"))
        doc.data = _build(loader, node, (), doc, problems, budget)
        if budget.exceeded:
            raise InputError(Problem(name, budget.line, "", budget.exceeded))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "malformed YAML"
        if exc.problem and exc.context and exc.context_mark is not None and exc.context_mark.line + 1 != line:
            what += f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
        raise InputError(Problem(name, line, "", f"YAML syntax error: {what}")) from None
    except yaml.YAMLError as exc:
        raise InputError(Problem(name, None, "", f"YAML error: {exc}")) from None
    except RecursionError:
        raise InputError(Problem(name, _deep_line(text), "", f"nesting deeper than the YAML reader can follow "
                                                             f"(at most {MAX_DEPTH} levels are allowed)")) from None
    finally:
        loader.dispose()
    if problems:
        raise InputError(problems)
    return doc


#: Bounds on what one YAML file may expand to: aliases that repeat a block ("billion laughs")
#: and deep nesting are refused in milliseconds, whatever the file's size.
MAX_VALUES = 500_000
MAX_DEPTH = 64


def _expanded(node, memo: dict) -> int:
    """How many values ``node`` becomes once its aliases are expanded (each node counted once)."""
    key = id(node)
    if key not in memo:
        memo[key] = 0  # a node that contains itself is counted once
        if isinstance(node, yaml.MappingNode):
            memo[key] = 1 + sum(_expanded(k, memo) + _expanded(v, memo) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            memo[key] = 1 + sum(_expanded(v, memo) for v in node.value)
        else:
            memo[key] = 1
    return memo[key]


def _deep_line(text: str) -> int | None:
    """The first line nested deeper than MAX_DEPTH: by brackets outside quotes, or by indent."""
    depth, quote = 0, ""
    for n, line in enumerate(text.splitlines(), 1):
        if not quote and len(line) - len(line.lstrip(" ")) > 2 * MAX_DEPTH:
            return n
        for ch in line:
            if quote:
                quote = "" if ch == quote else quote
            elif ch in "'\"":
                quote = ch
            elif ch in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return n
            elif ch in "]}":
                depth -= 1
        quote = "" if quote == "'" else quote
    return None


def _first_past(node) -> int | None:
    """The line of the first top-level entry by which the values counted pass the limit."""
    memo: dict = {}
    total = 1
    items = node.value if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) else []
    for item in items:
        pair = item if isinstance(item, tuple) else (item,)
        total += sum(_expanded(x, memo) for x in pair)
        if total > MAX_VALUES:
            return pair[-1].start_mark.line + 1
    return node.start_mark.line + 1


class _Budget:
    def __init__(self) -> None:
        self.left, self.exceeded, self.line = MAX_VALUES, "", None

    def spend(self, node, path: PathT) -> bool:
        if self.exceeded:
            return False
        self.left -= 1
        if self.left < 0:
            self.exceeded = (f"the file expands to more than {MAX_VALUES:,} values (aliases that repeat blocks); "
                             f"refused")
        elif len(path) > MAX_DEPTH:
            self.exceeded = f"nesting deeper than {MAX_DEPTH} levels; refused"
        if self.exceeded:
            self.line = node.start_mark.line + 1
            return False
        return True


def _build(loader, node, path: PathT, doc: Document, problems: list[Problem], budget: _Budget) -> Any:
    if not budget.spend(node, path):
        return None
    doc.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        out: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(doc.file, key_node.start_mark.line + 1, dotted(path), "keys must be plain names"))
                continue
            key = loader.construct_object(key_node)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                key = str(key_node.value)
            key = str(key)
            child = path + (key,)
            if key in out:
                problems.append(
                    Problem(doc.file, key_node.start_mark.line + 1, dotted(child), "duplicate key (it appears twice)")
                )
                continue
            doc.lines[child] = key_node.start_mark.line + 1
            out[key] = _build(loader, value_node, child, doc, problems, budget)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, path + (i,), doc, problems, budget) for i, item in enumerate(node.value)]
    return _scalar(loader, node)


def _scalar(loader, node) -> Any:
    if node.tag == "tag:yaml.org,2002:float":
        value = loader.construct_object(node)
        if math.isfinite(value):
            try:
                return Decimal(node.value.replace("_", ""))  # exact, as written
            except InvalidOperation:
                return value
        return value  # inf / nan: left as float so validation can refuse it
    return loader.construct_object(node)
