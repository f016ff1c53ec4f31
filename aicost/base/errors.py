"""Problems found in input, collected with their place and raised together."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F)} | {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"}


def visible(text: object) -> str:
    """Text for one line of a terminal or a CI log: control characters shown as escapes, so a
    name holding a line break and ``::error ...`` cannot start a workflow command, and ESC or NUL
    never reach the terminal raw."""
    return str(text).translate(_CONTROL)


_KEEP_LINES = {c: v for c, v in _CONTROL.items() if c not in (0x0A, 0x09)}
_KEEP_COLOUR = {c: v for c, v in _KEEP_LINES.items() if c != 0x1B}


def inert(text: str, colour: bool = False) -> str:
    """A whole report for a terminal or a CI log, checked once more as it leaves: control
    characters other than line ends and tabs (and, with ``colour``, the escape that starts a
    colour) shown as escapes, and a line that would start a workflow command (``::``) begun with
    a backslash. The renderers already show input text with :func:`visible`; this is the net
    under them."""
    text = text.translate(_KEEP_COLOUR if colour else _KEEP_LINES)
    if "::" not in text:
        return text
    return "\n".join("\\" + line if line.lstrip().startswith("::") else line for line in text.split("\n"))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, and where: ``file:line: path: message``."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        place = visible(self.file) if self.line is None else f"{visible(self.file)}:{self.line}"
        return f"{place}: {visible(self.path)}: {visible(self.message)}" if self.path else \
            f"{place}: {visible(self.message)}"

    def as_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "path": self.path, "message": self.message}


class AicostError(Exception):
    """Base of every error aicost raises on purpose; the CLI maps each to an exit code."""

    exit_code = 3


class InputError(AicostError):
    """Bad input or usage (exit code 2). Carries every problem found, not just the first."""

    exit_code = 2

    def __init__(self, problems: Iterable[Problem] | Problem | str, more: int = 0):
        if isinstance(problems, str):
            problems = [Problem("aicost", None, "", problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = sorted(set(problems), key=_problem_key)
        self.more = more  # problems found but not worked out one by one (a file of 100,000 typos)
        super().__init__("\n".join(str(p) for p in self.problems))


def bad_argument(name: str, message: str) -> InputError:
    """A bad argument of a library call, named by its Python parameter (``metric``); the command
    line shows it under its option's name (``--metric``)."""
    return InputError(Problem(ARGUMENT, None, name, message))


#: The "file" of a bad argument: its problems read ``aicost: metric: ...``.
ARGUMENT = "aicost"


def _problem_key(p: Problem) -> tuple:
    return (p.file, p.line if p.line is not None else -1, p.path, p.message)


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    import difflib

    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
