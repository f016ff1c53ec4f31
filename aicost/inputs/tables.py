"""Price and GPU table files: found in a folder, told apart, parsed and validated (for the price book)."""

from __future__ import annotations

import re
from pathlib import Path

from aicost.base.errors import InputError, Problem
from aicost.inputs.yamlio import load_file

_GPU_KIND = re.compile(r"^kind:\s*['\"]?gpus['\"]?\s*(#.*)?$", re.M)


def is_gpu_table(path: Path) -> bool:
    """A GPU table says ``kind: gpus`` at the top level (read without parsing the YAML)."""
    try:
        return bool(_GPU_KIND.search(path.read_text(encoding="utf-8", errors="replace")))
    except OSError:
        return False


def validated(listing: list[tuple[Path, bool]], model, problems: list[Problem]):
    """Each file parsed and validated against ``model``: (spec, doc) pairs; problems collected."""
    from aicost.inputs.validate import validate

    for f, is_bundled in listing:
        try:
            # bundled tables get the same name in a checkout and an installed wheel
            doc = load_file(f, f"pricing/{f.name}" if is_bundled else None)
            spec = validate(doc, model)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        yield spec, doc
        doc.data = None  # validated: only the line numbers are needed from here on


def read_gpus(files: list[tuple[Path, bool]]):
    """Read and validate GPU tables into a GPU book; all problems at once."""
    from aicost.inputs.gpubook import GpuBook
    from aicost.model import freeze
    from aicost.model.gpus import GpuFile

    book, problems = GpuBook(), []
    for spec, doc in validated(files, GpuFile, problems):
        problems.extend(book.add(freeze(spec), doc))
    problems.extend(book.check())
    if problems:
        raise InputError(problems)
    return book


def yaml_files(d: Path, problems: list[Problem]) -> list[Path]:
    if d.is_file():
        return [d]
    if not d.is_dir():
        problems.append(Problem(str(d), None, "", "pricing directory not found"))
        return []
    files = sorted(p for p in d.iterdir() if p.suffix in (".yaml", ".yml"))
    for p in [p for p in files if not p.is_file()]:  # every YAML entry is read or refused, never skipped
        files.remove(p)
        what = "a dangling link" if p.is_symlink() and not p.exists() else (
            "a directory" if p.is_dir() else "not a regular file (a device, FIFO or socket)")
        problems.append(Problem(str(p), None, "", f"{what}: a pricing folder holds price tables only"))
    if not files and not problems:
        problems.append(Problem(str(d), None, "", "no pricing files (*.yaml) in this directory"))
    return files
