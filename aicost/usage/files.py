"""Find the usage files a path names (a file, or a directory of partitions) and tell their kind."""

from __future__ import annotations

from pathlib import Path

from aicost.base.errors import InputError, Problem


def kind_of(path: Path) -> str:
    s = path.name.lower()
    for ext, kind in ((".parquet", "parquet"), (".pq", "parquet"), (".jsonl", "jsonl"), (".ndjson", "jsonl"),
                      (".json", "json"), (".csv", "csv"), (".csv.gz", "csv"), (".tsv", "csv")):
        if s.endswith(ext):
            return kind
    return "csv"


def files_of(path: Path) -> list[Path]:
    """A file, or the partitions in a directory (Parquet, CSV or JSON Lines), in name order."""
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))
                       and kind_of(p) in ("parquet", "csv", "jsonl") and p.suffix.lower() in
                       (".parquet", ".pq", ".csv", ".gz", ".jsonl", ".ndjson", ".tsv"))
        if not found:
            raise InputError(Problem(str(path), None, "", "no usage files (.csv, .jsonl, .parquet) in this directory"))
        return found
    if not path.exists():
        raise InputError(Problem(str(path), None, "", "no such file"))
    return [path]
