"""Errors the build reports to people, kept free of heavy imports so the CLI can catch them cheaply."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, located precisely enough to fix it."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f", line {self.line}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class DataError(ValueError):
    """Raised when data/ breaks the contract; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or "", p.message))
        shown = "\n".join(f"  - {p}" for p in self.problems[:50])
        more = f"\n  … and {len(self.problems) - 50} more" if len(self.problems) > 50 else ""
        super().__init__(f"{len(self.problems)} problem(s) in the data:\n{shown}{more}")


class ManifestError(ValueError):
    """notebooks/manifest.toml does not describe a run the build can make."""


class RenderError(ValueError):
    """The executed notebooks cannot be assembled into the brief (e.g. a citation names no source)."""


class OutputBusyError(RuntimeError):
    """Another build holds the lock of the output folder."""


class CheckError(RuntimeError):
    """The data check could not finish (its process or kernel ended, or the check itself raised): the data neither passed nor failed."""
