"""Build and notebook parameters: parsed and validated once, before any kernel starts."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from brief import vocab
from brief.config import DATA_DIR, DEFAULT_AS_OF, FIGURES_DIR, OUTPUT_DIR, PROJECT_ROOT, figures_dir_for, results_dir_for
from brief.dates import DATE_PATTERN, calendar_problem

FORMATS = ("html", "pdf", "docx")
# Seconds one notebook cell may run before the build stops it (the slowest cell takes a few seconds).
DEFAULT_CELL_TIMEOUT = 300.0
# The earliest as-of date that makes sense: the first announcements of March 2025.
EARLIEST_AS_OF = dt.date(2025, 3, 1)


class ParameterError(ValueError):
    """A parameter that cannot be used; the message says which and why."""


def parse_as_of(text: str) -> dt.date:
    """YYYY-MM-DD only (Python's own parser also takes week dates such as 2026-W47-7 and other digits)."""
    text = str(text)
    if len(text) != 10 or not DATE_PATTERN.fullmatch(text):
        raise ParameterError(f"--as-of {text!r} is not a date in the form YYYY-MM-DD")
    problem = calendar_problem(text)
    if problem:
        raise ParameterError(f"--as-of {text!r} is not a date: {problem}")
    day = dt.date.fromisoformat(text)
    if day < EARLIEST_AS_OF:
        raise ParameterError(f"--as-of {text} is before the first announcements ({EARLIEST_AS_OF}); nothing to report")
    return day


def parse_countries(value: str | list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
    """'EE,FI' or ['EE', 'FI'] -> ('EE', 'FI') in the brief's order; empty means all five."""
    if value is None or value == "" or value == []:
        return vocab.WITHDRAWING_STATES
    items = value.split(",") if isinstance(value, str) else list(value)
    codes = [str(c).strip().upper() for c in items if str(c).strip()]
    unknown = [c for c in codes if c not in vocab.WITHDRAWING_STATES]
    if unknown:
        raise ParameterError(
            f"unknown country {', '.join(unknown)}: choose from {', '.join(vocab.WITHDRAWING_STATES)}"
        )
    return tuple(c for c in vocab.WITHDRAWING_STATES if c in codes)


def parse_formats(value: str | list[str]) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    formats = [f.strip().lower() for f in items if f.strip()]
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ParameterError(f"--formats {value!r}: choose one or more of {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in formats)


def parse_cell_timeout(value: str | float) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise ParameterError(f"--cell-timeout {value!r}: give the seconds a notebook cell may run, a number above 0")
    return seconds


def check_output_dir(output_dir: Path, data_dir: Path) -> None:
    """Refuse a folder where a build could overwrite or delete what it did not make: the project, the data, a folder holding other files."""
    from brief.engine.edition import foreign_files

    out, data, project = Path(output_dir).resolve(), Path(data_dir).resolve(), PROJECT_ROOT.resolve()
    if out == project or out in project.parents:
        raise ParameterError(f"--output-dir {out} holds the project itself (its notebooks, data and figures); build into output/ (the default) or a new folder")
    if out.is_relative_to(project) and not out.is_relative_to(OUTPUT_DIR.resolve()):
        raise ParameterError(f"--output-dir {out} is inside the project, among its own files; build into output/ (the default) or a folder outside the project")
    if out.is_relative_to(data) or data.is_relative_to(out):
        raise ParameterError(f"--output-dir {out} overlaps the data folder {data}; choose a folder outside it")
    foreign = foreign_files(out)
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise ParameterError(
            f"--output-dir {out} holds files a build did not write ({shown}); a build writes only into an empty folder "
            "or one it built before, and never deletes what it did not make: choose another folder, or move those files away"
        )


def check_writable(directory: Path) -> Path:
    """The output directory must exist or be creatable, and take a file (tried, not guessed: root passes access())."""
    directory = Path(directory).resolve()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise ParameterError(f"--output-dir {directory} cannot be written ({exc.strerror or exc})") from None
    return directory


@dataclass(frozen=True)
class BuildParams:
    as_of: dt.date
    countries: tuple[str, ...]
    data_dir: Path
    output_dir: Path
    formats: tuple[str, ...]
    force: bool = False
    cell_timeout: float = DEFAULT_CELL_TIMEOUT
    draft_charts: bool = False  # each chart drawn once, without its PNG and phone layout (the preview: brief.config.DRAFT_ENV)

    @property
    def figures_dir(self) -> Path:
        return figures_dir_for(self.output_dir)

    def notebook_parameters(self, figures_dir: Path, results_dir: Path) -> dict:
        """What papermill injects into every notebook's `parameters` cell (JSON-able literals)."""
        return {
            "as_of": self.as_of.isoformat(),
            "countries": list(self.countries),
            "data_dir": str(self.data_dir),
            "figures_dir": str(figures_dir),
            "results_dir": str(results_dir),
        }


def build_params(
    as_of: str = DEFAULT_AS_OF,
    countries: str | list[str] | None = None,
    data_dir: str | Path = DATA_DIR,
    output_dir: str | Path = OUTPUT_DIR,
    formats: str | list[str] = "html,pdf",
    force: bool = False,
    cell_timeout: str | float = DEFAULT_CELL_TIMEOUT,
) -> BuildParams:
    """Every parameter checked, the output folder last: it is created (and written to) only when the rest is right."""
    parsed = dict(as_of=parse_as_of(as_of), countries=parse_countries(countries), formats=parse_formats(formats), cell_timeout=parse_cell_timeout(cell_timeout))
    data_dir = Path(data_dir).resolve()
    if not data_dir.is_dir():
        raise ParameterError(f"--data-dir {data_dir} is not a directory")
    check_output_dir(output_dir, data_dir)
    return BuildParams(data_dir=data_dir, output_dir=check_writable(Path(output_dir)), force=force, **parsed)


@dataclass(frozen=True)
class NotebookContext:
    """What a notebook derives from its parameters: typed values, resolved paths, and its data as of the date."""

    as_of: dt.date
    countries: tuple[str, ...]
    data_dir: Path
    figures_dir: Path
    results_dir: Path

    def load(self, table: str):
        """One table of the data folder, typed, holding only what was known on the as-of date (brief.asof)."""
        from brief.asof import load_known

        return load_known(table, self.data_dir, self.as_of)


def notebook_context(as_of: str, countries: list[str], data_dir: str, figures_dir: str, results_dir: str) -> NotebookContext:
    """Validate a notebook's parameters (papermill only warns on bad ones) and resolve defaults.

    Empty paths mean the project's own folders, so a notebook runs as-is in JupyterLab.
    """
    resolved_data = Path(data_dir) if data_dir else DATA_DIR
    if not resolved_data.is_dir():
        raise ParameterError(f"data_dir {resolved_data} is not a directory")
    return NotebookContext(
        as_of=parse_as_of(as_of),
        countries=parse_countries(countries),
        data_dir=resolved_data,
        figures_dir=Path(figures_dir) if figures_dir else FIGURES_DIR,
        results_dir=Path(results_dir) if results_dir else results_dir_for(OUTPUT_DIR),
    )
