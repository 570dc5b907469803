"""The edition in an output folder: the record of what a build wrote there, the lock, and publishing.

A build replaces or removes only files its record lists (the project's own output/ adopts its
committed edition when it has no record yet), and params.check_output_dir refuses, before any work,
a folder holding anything else. The record also names the formats of the current edition: a PDF left
from an earlier html+pdf build is removed when a build makes only the HTML, never left beside it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from brief.config import BUILD_LOCK, CACHE_DIRNAME, EDITION_RECORD, FAILED_DIRNAME, OUTPUT_DIR, RESULTS_DIRNAME, STAGING_PREFIX, figures_dir_for
from brief.errors import OutputBusyError
from brief.files import read_json_object, sha256_file, write_json_object

# What the committed edition in the project's own output/ (and figures/) consists of.
EDITION_PATTERNS = ("brief.html", "brief.pdf", "brief.docx", "notebooks/*.ipynb", f"{RESULTS_DIRNAME}/*.json", "figures/*.svg", "figures/*.png")


def is_machinery(name: str) -> bool:
    """Top-level names of an output folder that are the build's working files, not the edition."""
    return name in (CACHE_DIRNAME, FAILED_DIRNAME, EDITION_RECORD, BUILD_LOCK) or name.startswith((STAGING_PREFIX, ".write-test-"))


def path_of(name: str, output_dir: Path) -> Path:
    """Where a recorded name lives: 'figures/x.svg' in the charts folder of output_dir (the project's figures/ for output/), the rest in output_dir."""
    if name.startswith("figures/"):
        return figures_dir_for(output_dir) / name.removeprefix("figures/")
    return Path(output_dir) / name


def read_record(output_dir: Path) -> dict:
    """{'formats': [...], 'key': ..., 'files': {name: sha256}} of the edition in output_dir; {} when there is none (or it is unreadable)."""
    record = read_json_object(Path(output_dir) / EDITION_RECORD)
    files = record.get("files")
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        return {}
    return record


def present_files(output_dir: Path) -> set[str]:
    """Every file in output_dir (and in its charts folder), named as the record names them, except the build's machinery."""
    output_dir = Path(output_dir).resolve()
    found: set[str] = set()
    if output_dir.is_dir():
        for entry in output_dir.iterdir():
            if is_machinery(entry.name):
                continue
            paths = [p for p in entry.rglob("*") if not p.is_dir()] if entry.is_dir() and not entry.is_symlink() else [entry]
            found.update(p.relative_to(output_dir).as_posix() for p in paths)
    figures = figures_dir_for(output_dir)
    if figures.is_dir() and not figures.is_relative_to(output_dir):
        found.update(f"figures/{p.relative_to(figures).as_posix()}" for p in figures.rglob("*") if not p.is_dir())
    return found


def _is_edition_file(name: str) -> bool:
    path = PurePosixPath(name)
    return any(len(path.parts) == len(PurePosixPath(p).parts) and path.match(p) for p in EDITION_PATTERNS)


def owned_files(output_dir: Path) -> set[str]:
    """The names a build may replace or remove: those its record lists; in output/ without a record (a fresh clone), the committed edition."""
    record = read_record(output_dir)
    if record:
        return set(record["files"])
    if Path(output_dir).resolve() == OUTPUT_DIR.resolve():
        return {name for name in present_files(output_dir) if _is_edition_file(name)}
    return set()


def foreign_files(output_dir: Path) -> list[str]:
    """Files in output_dir that no build wrote: a build there would overwrite or delete someone's work."""
    return sorted(present_files(output_dir) - owned_files(output_dir))


def intact(record: dict, output_dir: Path) -> bool:
    """Whether every file the record lists is there with the bytes the build wrote."""
    files = record.get("files") or {}
    return bool(files) and all(path_of(name, output_dir).is_file() and sha256_file(path_of(name, output_dir)) == value for name, value in files.items())


@contextlib.contextmanager
def build_lock(output_dir: Path, wait: bool = False) -> Iterator[None]:
    """One build at a time per output folder; a second one stops at once with a message, or with `wait` waits its turn (the lock goes with the process, even when killed)."""
    from filelock import FileLock, Timeout

    lock = FileLock(Path(output_dir) / BUILD_LOCK, timeout=-1 if wait else 0)
    try:
        lock.acquire()
    except Timeout:
        raise OutputBusyError(
            f"another build is writing to {output_dir}; wait for it to finish, or build into another --output-dir"
        ) from None
    try:
        yield
    finally:
        lock.release()


def publish(output_dir: Path, staged: dict[str, Path], *, formats: tuple[str, ...], key: str, log: Callable[[str], None]) -> None:
    """Move the staged files into place (renames: no disk space needed), remove the previous edition's files this one lacks, record the new one."""
    output_dir = Path(output_dir)
    previous = owned_files(output_dir)
    hashes = {name: sha256_file(path) for name, path in staged.items()}
    # Recorded first, old and new names together: a build stopped half-way leaves no file unrecorded.
    old = read_record(output_dir).get("files", {})
    write_json_object(output_dir / EDITION_RECORD, {"formats": [], "key": "", "files": {**{n: old.get(n, "") for n in previous}, **hashes}})
    for name, path in staged.items():
        target = path_of(name, output_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, target)
    for name in sorted(previous - set(hashes)):
        path_of(name, output_dir).unlink(missing_ok=True)
        if name.startswith("brief."):
            log(f"Removed {name} of the previous edition: this build made {' and '.join(f.upper() for f in formats)} only.")
    write_json_object(output_dir / EDITION_RECORD, {"formats": list(formats), "key": key, "files": hashes})
