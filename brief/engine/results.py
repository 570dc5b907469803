"""Recorded facts: each section writes its facts object as JSON, the summary notebooks read it back typed."""

from __future__ import annotations

from pathlib import Path

from brief.facts import FACTS_BY_SECTION, Facts
from brief.files import write_atomic


def record(results_dir: Path, section: str, facts: Facts) -> Path:
    """Write `facts` as the recorded results of `section` (replacing earlier ones)."""
    expected = FACTS_BY_SECTION[section]
    if not isinstance(facts, expected):
        raise TypeError(f"section {section!r} records {expected.__name__}, not {type(facts).__name__}")
    return write_atomic(Path(results_dir) / f"{section}.json", facts.model_dump_json(indent=1) + "\n")


def read(results_dir: Path, section: str) -> Facts:
    """The facts `section` recorded, typed; a clear error if its notebook has not run."""
    path = Path(results_dir) / f"{section}.json"
    if not path.exists():
        raise FileNotFoundError(
            f"no recorded results for section {section!r} in {results_dir}: run its notebook first, or `make brief` (which records every section there)"
        )
    return FACTS_BY_SECTION[section].model_validate_json(path.read_text(encoding="utf-8"))
