"""Fingerprints of the build's inputs: what the brief was built from, independent of git."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from brief.config import NOTEBOOKS_DIR, PACKAGE_DIR, REQUIREMENTS_FILE

NOT_INPUTS = {"__pycache__", ".ipynb_checkpoints"}  # folders that Python and JupyterLab write of their own accord


def files_under(directory: Path, patterns: Iterable[str]) -> list[Path]:
    """The files under `directory` matching any of `patterns`, at any depth, outside NOT_INPUTS folders."""
    directory = Path(directory)
    found = {p for pattern in patterns for p in directory.rglob(pattern) if p.is_file() and NOT_INPUTS.isdisjoint(p.relative_to(directory).parts)}
    return sorted(found)


def digest(paths: Iterable[Path], root: Path | None = None, extra: str = "") -> str:
    """SHA-256 over names (relative to root) and contents, in a stable order."""
    sha = hashlib.sha256(extra.encode())
    for path in sorted(Path(p) for p in paths):
        name = path.relative_to(root).as_posix() if root else path.name
        sha.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return sha.hexdigest()


def build_inputs(data_dir: Path) -> dict[str, list[Path]]:
    """The groups of files a build reads."""
    return {
        "data": files_under(data_dir, ["*.csv", "*.txt", "*.md"]),
        "notebooks": files_under(NOTEBOOKS_DIR, ["*.ipynb", "*.toml"]),
        "package": files_under(PACKAGE_DIR, ["*.py", "*.j2", "*.css", "*.mplstyle", "*.json"]),
        "requirements": [REQUIREMENTS_FILE] if REQUIREMENTS_FILE.exists() else [],
    }


def fingerprint(data_dir: Path, parameters: str = "") -> str:
    """One short hash of data, notebooks, package, requirements and parameters."""
    groups = build_inputs(data_dir)
    parts = [f"{name}:{digest(paths, root=Path(data_dir) if name == 'data' else PACKAGE_DIR.parent)}" for name, paths in sorted(groups.items())]
    return hashlib.sha256("|".join(parts + [parameters]).encode()).hexdigest()[:12]


def build_fingerprint(data_dir: Path, as_of: str, countries) -> str:
    """The fingerprint of one build: its inputs and the parameters that shape the brief."""
    return fingerprint(data_dir, parameters=f"{as_of}|{','.join(countries)}")
