"""``--set FIELD=VALUE``: field paths into a scenario, absolute and relative values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


from aicost.base.errors import InputError, Problem
from aicost.inputs.yamlio import dotted

_RELATIVE = re.compile(r"^(?P<op>[*/]|[+-]=)\s*(?P<num>[0-9.eE+-]+)$|^(?P<sign>[+-])(?P<pct>[0-9.eE+]+)%$")


@dataclass(frozen=True)
class Override:
    """One ``FIELD=VALUE`` from the command line, parsed."""

    text: str
    field: str
    value: str

    @classmethod
    def parse(cls, text: str) -> "Override":
        if "=" not in text or text.startswith("="):
            raise InputError(Problem("--set", None, "", f"expected FIELD=VALUE, got {text!r}"))
        field, value = text.split("=", 1)
        # 'a.b+=3' and 'a.b-=3' split at the '=' of the operator
        if field.endswith(("+", "-")) and not value.startswith("="):
            field, value = field[:-1], field[-1] + "=" + value
        return cls(text, field.strip(), value.strip())


def tokens(field: str) -> list[str | int]:
    """``a.b[0].c`` / ``a[b.c].d`` -> segments (brackets keep dots; digits index lists)."""
    out: list[str | int] = []
    for part in re.findall(r"\[([^\]]*)\]|([^.\[\]]+)", field):
        bracket, plain = part
        seg = bracket if bracket else plain
        out.append(int(seg) if seg.isdigit() else seg)
    return out


def resolve_path(data: Any, field: str) -> tuple:
    """Path of ``field`` inside ``data``; dotted model names (``gpt-5.4-mini``) are matched
    greedily against existing keys, and list items may be named by their ``name``."""
    segs = [str(s) for s in tokens(field)]
    path: list = []
    node = data
    i = 0
    while i < len(segs):
        if isinstance(node, list):
            seg = segs[i]
            if seg.isdigit():
                idx = int(seg)
            else:
                idx = next((j for j, item in enumerate(node) if isinstance(item, dict) and item.get("name") == seg), None)
                if idx is None:
                    names = [str(item.get("name")) for item in node if isinstance(item, dict)]
                    raise KeyError(f"no item named '{seg}' in {dotted(tuple(path))} (names: {', '.join(names)})")
            if idx >= len(node):
                raise KeyError(f"{dotted(tuple(path))} has {len(node)} items; index {idx} is out of range")
            path.append(idx)
            node = node[idx]
            i += 1
            continue
        step = 1
        if isinstance(node, dict):
            for n in range(len(segs) - i, 0, -1):
                if ".".join(segs[i:i + n]) in node:
                    step = n
                    break
        key = ".".join(segs[i:i + step])
        path.append(key)
        node = node.get(key) if isinstance(node, dict) else None
        i += step
    return tuple(path)


def get_path(data: Any, path: tuple) -> Any:
    for p in path:
        data = data[p]
    return data


def set_path(data: Any, path: tuple, value: Any) -> None:
    node = data
    for p in path[:-1]:
        if isinstance(node, dict):
            node = node.setdefault(p, {})
            if node is None:
                raise KeyError(f"{dotted(path)}: cannot set inside an empty value")
        else:
            node = node[p]
    if not isinstance(node, (dict, list)):
        raise KeyError(f"{dotted(path[:-1])} is a single value, not a mapping")
    node[path[-1]] = value


def parse_value(text: str) -> Any:
    """A --set value read as YAML by the bounded reader (an alias bomb or deep nesting is refused);
    text that is not YAML is the text itself."""
    from aicost.inputs.yamlio import load_text

    if not text.strip():
        return text
    try:
        value = load_text(text, "--set value").data
    except InputError as exc:
        if all("YAML syntax error" in p.message or "YAML error" in p.message for p in exc.problems):
            return text
        raise ValueError(exc.problems[0].message.replace("the file", "the value")) from None
    if isinstance(value, float):
        return Decimal(text) if _plain_number(text) else value
    return value


def _plain_number(text: str) -> bool:
    try:
        Decimal(text)
        return True
    except Exception:
        return False


def apply(data: dict, overrides: list[Override]) -> dict[tuple, Override]:
    """Apply overrides to ``data`` in place; returns which path each override set."""
    problems: list[Problem] = []
    touched: dict[tuple, Override] = {}
    for ov in overrides:
        try:
            path = resolve_path(data, ov.field)
            if not path:
                raise KeyError("empty field name")
            value = _new_value(data, path, ov.value)
            set_path(data, path, value)
            touched[path] = ov
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            msg = exc.args[0] if exc.args else str(exc)
            label = ov.text if len(ov.text) <= 80 else ov.text[:77] + "..."
            problems.append(Problem(f"--set {label}", None, "", str(msg)))
    if problems:
        raise InputError(problems)
    return touched


def _new_value(data: dict, path: tuple, text: str) -> Any:
    m = _RELATIVE.match(text)
    if not m:
        return parse_value(text)
    try:
        old = get_path(data, path)
    except (KeyError, IndexError, TypeError):
        raise KeyError(f"{dotted(path)} has no value to change relatively (give an absolute value)") from None
    if isinstance(old, bool) or not isinstance(old, (int, float, Decimal)):
        raise ValueError(f"{dotted(path)} is not a number, so '{text}' cannot change it")
    old = Decimal(str(old))
    if not old.is_finite():  # an infinite value (refused later anyway) cannot be changed relatively
        raise ValueError(f"{dotted(path)} is {old}, so '{text}' cannot change it")
    try:
        if m.group("pct"):
            pct = Decimal(m.group("pct")) / 100
            return old * (1 + pct) if m.group("sign") == "+" else old * (1 - pct)
        num = Decimal(m.group("num"))
    except ArithmeticError:
        raise ValueError(f"'{text}' is not a number") from None
    op = m.group("op")
    if op == "/" and num == 0:
        raise ValueError("division by zero")
    return {"*": old * num, "/": old / num if num else old, "+=": old + num, "-=": old - num}[op]
