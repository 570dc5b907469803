"""Adding a source: its text into data/sources/ and its row into sources.csv, validated, in one step."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import unicodedata
from pathlib import Path

from brief.config import DATA_DIR
from brief.data import TABLES, DataError, read_raw, validation_problems
from brief.files import write_atomic

ID_LIMIT = 40  # characters of a source id made from a title
TRAILING_WORDS = {"a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with"}


def slug(text: str, limit: int = ID_LIMIT) -> str:
    """'Estonia's exit — a view' -> 'estonias-exit-a-view'; a long title is cut after its last whole word within `limit` letters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    # The title's own words (a hyphenated 'anti-personnel' is one), each as letters and digits joined by '-'.
    words = [w for w in (re.sub(r"[^a-z0-9]+", "-", word).strip("-") for word in ascii_text.lower().replace("'", "").split()) if w]
    kept: list[str] = []
    for word in words:
        if len("-".join([*kept, word])) > limit:
            break
        kept.append(word)
    while len(kept) > 1 and kept[-1] in TRAILING_WORDS:  # '…-to-leave', not '…-to-leave-the'
        kept.pop()
    return "-".join(kept) or (words[0][:limit].rstrip("-") if words else "source")


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
        text = text_file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError([_problem(f"{text_file.name} is not UTF-8 text (byte {exc.start})")]) from None
    if "\x00" in text:
        raise DataError([_problem(f"{text_file.name} holds NUL bytes: it is not a text file")])
    if not text.strip():
        raise DataError([_problem(f"{text_file.name} is empty: save the article's text in it")])
    if not (data_dir / "sources").is_dir():
        raise DataError([_problem(f"{data_dir} has no sources/ folder for the articles' texts: is --data-dir the data folder?")])
    existing = read_raw("sources", data_dir)
    source_id = source_id or slug(title)
    if source_id in set(existing["source_id"]):
        raise DataError([_problem(f"source_id {source_id!r} already exists in sources.csv; pass --id")])
    target = data_dir / "sources" / text_file.name
    copied = text_file.resolve() != target.resolve()
    if copied and target.exists():
        raise DataError([_problem(f"data/sources/{text_file.name} already exists; rename the file")])
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
    line = io.StringIO()
    csv.DictWriter(line, fieldnames=list(existing.columns), extrasaction="ignore", lineterminator="\n").writerow(row)
    try:
        if copied:
            shutil.copyfile(text_file, target)
        write_atomic(sources_csv, before + (b"" if before.endswith(b"\n") or not before else b"\n") + line.getvalue().encode("utf-8"))
    except OSError as exc:
        if copied:
            target.unlink(missing_ok=True)
        raise DataError([_problem(f"cannot write to {Path(exc.filename or data_dir)}: {exc.strerror or exc}")]) from None
    problems = [p for p in validation_problems(data_dir) if p.file == "sources.csv"]
    if problems:
        write_atomic(sources_csv, before)
        if copied:
            target.unlink()
        raise DataError(problems)
    return source_id


def _problem(message: str):
    from brief.data import Problem

    return Problem("sources.csv", None, None, message)
