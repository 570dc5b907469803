"""Results a notebook records for others (key findings, outlook): one JSON file per section in results_dir."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path


def _default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"cannot record {type(value).__name__}")


def record(results_dir: Path, section: str, values: dict) -> Path:
    """Write `values` as the recorded results of `section` (replacing earlier ones)."""
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{section}.json"
    path.write_text(json.dumps(values, default=_default, indent=1, sort_keys=True, ensure_ascii=False), encoding="utf-8")
    return path


def read(results_dir: Path, section: str) -> dict:
    """The results `section` recorded; a clear error if it has not run (check the manifest's `needs`)."""
    path = Path(results_dir) / f"{section}.json"
    if not path.exists():
        raise FileNotFoundError(f"no recorded results for section {section!r} in {results_dir}: run its notebook first (the build does)")
    return json.loads(path.read_text(encoding="utf-8"))
