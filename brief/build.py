"""The build: validate, run the notebooks with papermill, render HTML and PDF, then publish atomically.

Everything is written to a staging folder first; the previous brief, notebooks and figures are
replaced only when the whole build has succeeded, so a failure never loses the last good edition.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from brief import __version__
from brief.config import KERNEL_NAME, NOTEBOOKS_DIR
from brief.data import load, validate
from brief.inputs import build_fingerprint
from brief.manifest import Section, load_manifest, run_order
from brief.params import BuildParams


class NotebookError(RuntimeError):
    """A notebook failed while running; its partly executed copy is kept at `kept_copy`."""

    def __init__(self, notebook: str, cell: int | None, error: str, kept_copy: Path):
        self.notebook, self.cell, self.error, self.kept_copy = notebook, cell, error, kept_copy
        where = f"cell {cell} of the executed copy" if cell is not None else "before any cell ran"
        super().__init__(f"notebook {notebook} failed at {where}: {error}\n  partly executed copy kept at {kept_copy}")


@dataclass(frozen=True)
class BuildResult:
    html: Path | None
    pdf: Path | None
    figures_dir: Path
    executed: tuple[str, ...]
    seconds: float


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def execute_notebook(section: Section, target: Path, parameters: dict) -> None:
    """Run one notebook with papermill, in the notebooks folder, with the global parameters injected."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    try:
        papermill.execute_notebook(
            str(section.path),
            str(target),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            cwd=str(NOTEBOOKS_DIR),
            progress_bar=False,
            log_output=False,
        )
    except PapermillExecutionError as exc:
        raise NotebookError(section.notebook, exc.cell_index + 1, f"{exc.ename}: {exc.evalue}", target) from None


def _publish(staging: Path, params: BuildParams, outputs: list[str]) -> None:
    """Move the staged outputs into place: files by atomic rename, folders swapped whole."""
    output_dir = params.output_dir
    output_dir.mkdir(parents=True, exist_ok=True)
    swaps = [(staging / "notebooks", output_dir / "notebooks"), (staging / "figures", params.figures_dir)]
    for new, old in swaps:
        if not new.exists():
            continue
        if old.exists():
            retired = old.with_name(f".{old.name}.old")
            shutil.rmtree(retired, ignore_errors=True)
            old.rename(retired)
            new.rename(old)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            old.parent.mkdir(parents=True, exist_ok=True)
            new.rename(old)
    for name in outputs:
        (staging / name).replace(output_dir / name)


def build(params: BuildParams, log: Callable[[str], None] = _log) -> BuildResult:
    """Build the brief; raise DataError, ManifestError, NotebookError or RenderError on failure."""
    started = time.perf_counter()
    sections = load_manifest()
    log(f"Validating data in {params.data_dir} …")
    validate(params.data_dir)
    params.output_dir.mkdir(parents=True, exist_ok=True)
    staging = params.output_dir / ".staging"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "notebooks").mkdir(parents=True)
    figures, results = staging / "figures", staging / "results"
    figures.mkdir()
    results.mkdir()
    parameters = params.notebook_parameters(figures_dir=figures, results_dir=results)
    order = run_order(sections)
    executed = []
    try:
        for i, section in enumerate(order, 1):
            t0 = time.perf_counter()
            log(f"[{i}/{len(order)}] running {section.notebook} …")
            target = staging / "notebooks" / section.notebook
            try:
                execute_notebook(section, target, parameters)
            except NotebookError as exc:
                kept = params.output_dir / "failed" / section.notebook
                kept.parent.mkdir(parents=True, exist_ok=True)
                if target.exists():
                    shutil.copy2(target, kept)
                exc.kept_copy = kept
                raise NotebookError(exc.notebook, exc.cell, exc.error, kept) from None
            executed.append(section.notebook)
            log(f"[{i}/{len(order)}] {section.notebook} done in {time.perf_counter() - t0:.1f} s")

        from brief import render

        log("Rendering HTML …")
        bodies = [
            render.SectionBody(s.id, s.title, render.notebook_fragment(staging / "notebooks" / s.notebook))
            for s in sections
        ]
        sources = {row["source_id"]: row for row in load("sources", params.data_dir).to_dict("records")}
        html = render.assemble(
            bodies,
            as_of=params.as_of,
            countries=params.countries,
            sources=sources,
            fingerprint=build_fingerprint(params.data_dir, params.as_of.isoformat(), params.countries),
            version=__version__,
        )
        outputs = []
        if "html" in params.formats:
            (staging / "brief.html").write_text(html, encoding="utf-8")
            outputs.append("brief.html")
        if "pdf" in params.formats:
            log("Rendering PDF …")
            render.write_pdf(html, staging / "brief.pdf", as_of=params.as_of)
            outputs.append("brief.pdf")
        _publish(staging, params, outputs)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(params.output_dir / "failed", ignore_errors=True)
    seconds = time.perf_counter() - started
    log(f"Brief written to {params.output_dir} in {seconds:.1f} s")
    return BuildResult(
        html=params.output_dir / "brief.html" if "html" in params.formats else None,
        pdf=params.output_dir / "brief.pdf" if "pdf" in params.formats else None,
        figures_dir=params.figures_dir,
        executed=tuple(executed),
        seconds=seconds,
    )
