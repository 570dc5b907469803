"""Files the build reads and writes, with no heavy import: a CSV table as typed (read_csv) and its list cells (split_list), and writing
a file so that no reader, and no other run, ever sees half of it (a temporary file of its own beside the
target, then a rename)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from brief.errors import DataError, Problem
from brief.vocab import LIST_SEP

# Read once, at import (setting it is the only way to read it): new files get the usual permissions, not mkstemp's 0600.
_UMASK = os.umask(0o022)
os.umask(_UMASK)


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write `data` to `path` in one step; on any error (a full disk) nothing is left behind and an existing `path` is untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(temporary, path.stat().st_mode & 0o7777 if path.exists() else 0o666 & ~_UMASK)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def sha256_file(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def read_json_object(path: Path) -> dict:
    """A JSON object written by the build; {} when the file is missing, unreadable or holds anything else."""
    try:
        value = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def write_json_object(path: Path, value: dict) -> Path:
    return write_atomic(path, json.dumps(value, indent=1, sort_keys=True))


@dataclass(frozen=True)
class CsvTable:
    """A CSV file's rows as typed (strings), with the file line each row starts on."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    problems: list[Problem]  # rows left out: another number of fields than the header

    def records(self) -> list[dict[str, str]]:
        return [dict(zip(self.header, row)) for row in self.rows]


def read_csv(path: Path, file: str) -> CsvTable:
    """One CSV exactly as typed. The lines are the file's own: blank lines and quoted fields that span
    lines are counted. Trailing empty fields (a spreadsheet's trailing commas) are dropped; a row with
    another number of fields than the header is a problem, and left out. Raises DataError (naming
    `file`) when the file cannot be read as CSV at all."""
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        line, column = raw.count(b"\n", 0, exc.start) + 1, len(raw[line_start : exc.start].decode("utf-8", "replace")) + 1
        raise DataError([Problem(file, line, None, f"is not UTF-8 text: byte 0x{raw[exc.start]:02x} at character {column} (perhaps Windows-1252; save the file as UTF-8)")]) from None
    if "\x00" in text:
        raise DataError([Problem(file, text.count("\n", 0, text.index("\x00")) + 1, None, "holds a NUL character: not a text file")])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows, lines, problems = [], [], []
    end = 0  # the last line read
    try:
        for fields in reader:
            start, end = end + 1, reader.line_num
            if not fields:  # a blank line
                continue
            if header is None:
                header = [name.strip() for name in fields]
                while header and not header[-1]:
                    header.pop()
                continue
            while len(fields) > len(header) and not fields[-1].strip():
                fields.pop()
            if len(fields) > len(header):
                problems.append(Problem(file, start, None, f"has {len(fields)} fields but the header has {len(header)}: put text that holds commas in double quotes (\"like, this\")"))
            elif len(fields) < len(header):
                problems.append(Problem(file, start, None, f"has {len(fields)} fields but the header has {len(header)}: write an empty field (,,) for each value not given"))
            else:
                rows.append(fields)
                lines.append(start)
    except csv.Error as exc:
        raise DataError([Problem(file, end + 1, None, f"does not parse as CSV from this line on: {exc} (a quote opened and never closed?)")]) from None
    if header is None:
        raise DataError([Problem(file, None, None, "is empty (a header line is required)")])
    return CsvTable(header, rows, lines, problems)


def split_list(cell: str) -> list[str]:
    """A ';'-separated cell as a list of stripped, non-empty items."""
    return [item.strip() for item in str(cell).split(LIST_SEP) if item.strip()]
