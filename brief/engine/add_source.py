"""Adding a source: its text into data/sources/ and its row into sources.csv, validated, in one step."""

from __future__ import annotations

import csv
import datetime as dt
import re
import shutil
import unicodedata
from pathlib import Path

from brief.config import DATA_DIR
from brief.data import TABLES, DataError, read_raw, validation_problems


def slug(text: str, limit: int = 48) -> str:
    """'Estonia's exit — a view' -> 'estonias-exit-a-view'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return words[:limit].rstrip("-") or "source"


def add_source(
    text_file: Path,
    *,
    title: str,
    publisher: str,
    published: str,
    url: str,
    data_dir: Path = DATA_DIR,
    source_id: str | None = None,
    kind: str = "corpus_article",
    accessed: str | None = None,
    notes: str = "",
) -> str:
    """Copy `text_file` into data_dir/sources/ (if it is not there) and append its row; return the source id.

    The row is validated with the rest of the data; on any problem nothing is left changed.
    """
    data_dir = Path(data_dir)
    text_file = Path(text_file)
    if not text_file.is_file():
        raise DataError([_problem(f"{text_file} is not a file")])
    try:
        text_file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError([_problem(f"{text_file.name} is not UTF-8 text (byte {exc.start})")]) from None
    existing = read_raw("sources", data_dir)
    source_id = source_id or slug(title)
    if source_id in set(existing["source_id"]):
        raise DataError([_problem(f"source_id {source_id!r} already exists in sources.csv; pass --id")])
    target = data_dir / "sources" / text_file.name
    copied = False
    if text_file.resolve() != target.resolve():
        if target.exists():
            raise DataError([_problem(f"data/sources/{text_file.name} already exists; rename the file")])
        shutil.copyfile(text_file, target)
        copied = True
    row = {
        "source_id": source_id,
        "kind": kind,
        "title": title,
        "publisher": publisher,
        "published": published,
        "url": url,
        "accessed": accessed or (dt.date.today().isoformat() if url else ""),
        "text_file": target.name,
        "notes": notes,
    }
    sources_csv = data_dir / TABLES["sources"].file
    before = sources_csv.read_bytes()
    with sources_csv.open("a", encoding="utf-8", newline="") as handle:
        if not before.endswith(b"\n"):
            handle.write("\n")
        csv.DictWriter(handle, fieldnames=list(existing.columns), extrasaction="ignore", lineterminator="\n").writerow(row)
    problems = [p for p in validation_problems(data_dir) if p.file == "sources.csv"]
    if problems:
        sources_csv.write_bytes(before)
        if copied:
            target.unlink()
        raise DataError(problems)
    return source_id


def _problem(message: str):
    from brief.data import Problem

    return Problem("sources.csv", None, None, message)
