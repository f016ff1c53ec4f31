"""Read and check a shared-costs file (``--shared FILE``): the costs to split over the groups."""

from __future__ import annotations

from pathlib import Path

from aicost.base.errors import InputError


def load_shared(path: Path, by: list[str]) -> list[dict]:
    """Read and check a shared-costs file: all problems at once, as file:line."""
    from aicost.inputs.validate import validate
    from aicost.model.shared import SharedCostsFile
    from aicost.inputs.yamlio import load_file

    doc = load_file(path)
    spec = validate(doc, SharedCostsFile)
    problems = []
    for i, s in enumerate(spec.shared):
        if s.split == "fixed":
            key = s.key or by[0]
            if key not in by:
                problems.append(doc.problem(("shared", i, "key"), f"'{key}' is not one of --by ({', '.join(by)})"))
    if problems:
        raise InputError(problems)
    return [s.model_dump(mode="python") for s in spec.shared]
