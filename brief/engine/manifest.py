"""The run plan: the manifest of notebooks and the sections they become, read from one file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from brief.config import MANIFEST_FILE, NOTEBOOKS_DIR
from brief.errors import ManifestError


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    notebook: str
    reads: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()  # data files (or folders) of which the notebook uses only how many rows (or files) they hold
    needs: tuple[str, ...] = ()  # ids of sections whose results this notebook uses

    @property
    def path(self) -> Path:
        return NOTEBOOKS_DIR / self.notebook


def load_manifest(path: Path = MANIFEST_FILE) -> list[Section]:
    """Sections in brief order, checked: unique ids, existing notebooks, known dependencies."""
    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    sections = [
        Section(
            id=entry["id"],
            title=entry["title"],
            notebook=entry["notebook"],
            reads=tuple(entry.get("reads", ())),
            counts=tuple(entry.get("counts", ())),
            needs=tuple(entry.get("needs", ())),
        )
        for entry in raw.get("section", [])
    ]
    ids = [s.id for s in sections]
    if len(set(ids)) != len(ids):
        raise ManifestError(f"{path}: section ids repeat: {ids}")
    for section in sections:
        if not section.path.is_file():
            raise ManifestError(f"{path}: section {section.id!r} names a missing notebook {section.notebook}")
        unknown = set(section.needs) - set(ids)
        if unknown:
            raise ManifestError(f"{path}: section {section.id!r} needs unknown sections {sorted(unknown)}")
    return sections


def run_order(sections: list[Section]) -> list[Section]:
    """Sections in an order where each runs after what it needs (stable: brief order otherwise)."""
    done: list[Section] = []
    pending = list(sections)
    while pending:
        ready = [s for s in pending if set(s.needs) <= {d.id for d in done}]
        if not ready:
            raise ManifestError(f"circular 'needs' among: {[s.id for s in pending]}")
        done.append(ready[0])
        pending.remove(ready[0])
    return done
