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


_WIDE = ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"),
         (b"\xfe\xff", "UTF-16"))


def check_text(path: Path) -> None:
    """Refuse a text log that says (by its byte-order mark) that it is UTF-16 or UTF-32."""
    with open(path, "rb") as fh:
        head = fh.read(4)
    for mark, name in _WIDE:
        if head.startswith(mark):
            raise InputError(Problem(str(path), 1, "", f"{name} text (it starts with a {name} byte-order mark); "
                                                       "usage logs are read as UTF-8: save it as UTF-8"))


def not_utf8(path: Path | str) -> Problem:
    """The first line of a file that is not UTF-8, as a problem (read in blocks)."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                line += block.count(b"\n", 0, max(exc.start, 0))
                return Problem(str(path), line, "", f"not UTF-8 text (byte 0x{exc.object[exc.start]:02x}); "
                                                    "usage logs are read as UTF-8: save it as UTF-8")
            line += block.count(b"\n")
    return Problem(str(path), None, "", "not UTF-8 text; usage logs are read as UTF-8: save it as UTF-8")
