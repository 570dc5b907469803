"""The build: validate, run the notebooks with papermill, render HTML and PDF, then publish.

One build at a time per output folder (a lock). Everything is written to a staging folder of its
own first; the previous brief, notebooks and figures are replaced only when the whole build has
succeeded, so a failure never loses the last good edition, and only files a build wrote are ever
replaced or removed (brief/engine/edition.py keeps the record).
Executions and the rendered brief are cached by content (brief/cache.py): a rebuild runs only
the notebooks whose inputs changed, and a build with nothing changed starts no kernel at all.
Heavy libraries (pandas, papermill, nbconvert, WeasyPrint) are imported only when needed.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from brief import __version__
from brief.config import (
    BACKGROUND_NICENESS,
    CACHE_DIRNAME,
    CHART_MEMO_ENV,
    DRAFT_ENV,
    FAILED_DIRNAME,
    KEPT_DIRNAME,
    KERNEL_NAME,
    NOTEBOOKS_DIR,
    RESULTS_DIRNAME,
    STAGING_PREFIX,
)
from brief.engine import edition, unchanged
from brief.engine.cache import Cache, Planner, code_digest
from brief.engine.inputs import build_fingerprint, digest, files_under
from brief.engine.kernels import KEPT_HOME_ENV, KERNEL_ARGUMENTS, Kept, KernelPool, KernelStartError, is_kernel, keep_seconds
from brief.engine.manifest import Section, load_manifest, run_order
from brief.engine.params import DEFAULT_CELL_TIMEOUT, BuildParams, ParameterError, check_output_dir
from brief.files import read_csv, sha256_file

WORKERS = max(1, min(2, os.cpu_count() or 1))


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
    executed: tuple[str, ...]  # notebooks run by this build
    cached: tuple[str, ...]  # notebooks taken from the cache
    rendered: bool  # False when the published brief was already up to date
    seconds: float
    docx: Path | None = None  # the Word edition, when asked for


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class _ReportedByTheBuild(logging.Filter):
    """papermill's log of a cell timeout or a kernel the build stopped: the build says it once, with notebook and cell."""

    PATTERN = re.compile(r"^(Timeout waiting for execute reply|Kernel died while waiting for execute reply|Error occurred while starting new kernel client)")

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.PATTERN.search(record.getMessage())


def _last_started_cell(executed: Path) -> int | None:
    """The number (from 1) of the last cell papermill started in an executed copy; None if the copy cannot be read."""
    cells = _cells(executed)
    started = [n for n, cell in enumerate(cells, 1) if cell.get("metadata", {}).get("papermill", {}).get("start_time")]
    return started[-1] if started else None


def _failed_cell(executed: Path) -> int | None:
    """The number (from 1) of the cell that shows the error in an executed copy (papermill adds a note
    above it and another at the top, so it is not the number of the cell papermill reports)."""
    failed = [n for n, cell in enumerate(_cells(executed), 1) if any(o.get("output_type") == "error" for o in cell.get("outputs", []))]
    return failed[0] if failed else None


def _cells(executed: Path) -> list:
    import nbformat

    try:
        return nbformat.read(str(executed), as_version=4).cells
    except (OSError, ValueError):
        return []


def execute_notebook(section: Section, target: Path, parameters: dict, cell_timeout: float = DEFAULT_CELL_TIMEOUT, kernel=None,
                     under_way: threading.Event | None = None) -> None:
    """Run one notebook with papermill, in the notebooks folder, with the global parameters injected; no cell may run longer than `cell_timeout` seconds.

    `kernel` is a started kernel manager from brief/engine/kernels.py (papermill starts one when None).
    `under_way` is set once papermill is imported.
    """
    import papermill
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    if under_way is not None:
        under_way.set()

    logger = logging.getLogger("papermill")
    if not any(isinstance(f, _ReportedByTheBuild) for f in logger.filters):
        logger.addFilter(_ReportedByTheBuild())

    try:
        papermill.execute_notebook(
            str(section.path),
            str(target),
            engine_name=_papermill_engine(),
            parameters=parameters,
            kernel_name=KERNEL_NAME,
            cwd=str(NOTEBOOKS_DIR),
            progress_bar=False,
            log_output=False,
            execution_timeout=cell_timeout,
            extra_arguments=KERNEL_ARGUMENTS,
            km=kernel,
        )
    except PapermillExecutionError as exc:
        raise NotebookError(section.notebook, _failed_cell(target) or exc.cell_index + 1, f"{exc.ename}: {exc.evalue}", target) from None
    except CellTimeoutError:
        limit = f"{cell_timeout:g} s"
        raise NotebookError(section.notebook, _last_started_cell(target), f"the cell ran longer than {limit} (the limit is set with --cell-timeout SECONDS)", target) from None


@functools.cache
def _papermill_engine() -> str:
    """The name of papermill's own engine (nbclient), registered once under another name, that writes
    the executed copy when the run starts and when it ends, not also twice per cell: papermill's
    notebook_complete writes it at the end whether the run ended well, failed or timed out, so the
    partly executed copy a failure keeps is still there. (A notebook with its charts is 0.1–0.2 MB of
    JSON; 03_rationales was written 37 times a run, 0.3 s.)"""
    from papermill.engines import NBClientEngine, papermill_engines

    class SavedAtTheEnds(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            nb_man.save = lambda **_: None  # (an instance attribute: the per-cell saves find it first)
            try:
                return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
            finally:
                del nb_man.save  # papermill's notebook_complete, which comes next, saves the copy

    papermill_engines.register("brief", SavedAtTheEnds)
    return "brief"


def _stop_kernels(kept_home: Path | None = None) -> None:
    """End the kernels this build started (each runs in a session of its own, so Ctrl-C does not reach
    them), the build keeping its kernels in `kept_home` (None: keeping none). A kernel kept for another
    output folder, which a build server (brief/engine/server.py) has among its children, is left alone."""
    import psutil

    def this_builds(process) -> bool:
        try:
            return process.environ().get(KEPT_HOME_ENV, "") == (str(kept_home) if kept_home else "")
        except psutil.Error:
            return True

    kernels = [p for p in psutil.Process().children(recursive=True) if is_kernel(p) and this_builds(p)]
    for kernel in kernels:
        with contextlib.suppress(psutil.Error):
            kernel.kill()
    psutil.wait_procs(kernels, timeout=2)


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[list]:
    """Hold Ctrl-C while a step that must not stop half-way runs (publishing, cleaning up); the list says whether one came."""
    came: list = []
    if threading.current_thread() is not threading.main_thread():
        yield came
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: came.append(signum))
    try:
        yield came
    finally:
        signal.signal(signal.SIGINT, previous)


def kernel_environment(params: BuildParams, cache: Cache, code: str) -> dict[str, str]:
    """What the notebooks' kernels are told through their environment: whether to draw draft charts
    (brief.config.DRAFT_ENV), and where the charts drawn before are kept (CHART_MEMO_ENV; a build
    with --force empties that folder first, so that it draws every chart)."""
    return {DRAFT_ENV: "1" if params.draft_charts else "0", CHART_MEMO_ENV: str(cache.chart_memo(code))}


def kept_kernels(cache: Cache, code: str) -> Kept | None:
    """Where and for how long a build keeps its kernels for the next one (brief.config.KEEP_KERNELS_ENV); None keeps none."""
    try:
        seconds = keep_seconds()
    except ValueError as exc:
        raise ParameterError(str(exc)) from None
    return Kept(home=cache.root / KEPT_DIRNAME, seconds=seconds, identity=code) if seconds > 0 else None


def planner_for(params: BuildParams, cache: Cache, code: str) -> Planner:
    """The cache keys of one build (or one preview rebuild) with `params`; `code` is cache.code_digest()."""
    key_parameters = {"as_of": params.as_of.isoformat(), "countries": list(params.countries)}  # what shapes a notebook's output (not the folders it writes to)
    return Planner(cache, params.data_dir, key_parameters, code, params.force, draft_charts=params.draft_charts)


# ---------------------------------------------------------------------------- running


class _Halted(RuntimeError):
    """run_sections stopped before its end because `halt` was set (the data failed its checks meanwhile)."""


def run_sections(sections: list[Section], params: BuildParams, staging: Path, planner: Planner, log, pool: KernelPool | None = None,
                 failed_dir: Path | None = None, halt: threading.Event | None = None, under_way: threading.Event | None = None) -> tuple[list[str], list[str], dict[str, str]]:
    """Run or restore every section, independent ones two at a time, on kernels from `pool` (warm) or
    started by papermill; return (executed, cached, the key of each). A failed notebook's copy is kept in
    `failed_dir` (default: the output folder's). Once `halt` is set, the running notebooks are stopped
    (their kernels killed) and _Halted is raised. `under_way` is set once the first notebook's run is
    (papermill imported), or at the end if none ran."""
    cache, renderer = planner.cache, planner.renderer

    interrupted = threading.Event()
    failed = threading.Event()  # a notebook failed: runs still waiting for a kernel do not start

    results_dir = staging / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    order = run_order(sections)
    total = len(order)
    done: dict[str, str] = {}  # section id -> results hash
    keys: dict[str, str] = {}
    executed, cached = [], []
    lock = threading.Lock()

    def stop_starting() -> bool:
        return failed.is_set() or (halt is not None and halt.is_set())

    def progress(message: str) -> None:
        with lock:  # two notebooks may finish at once; keep their lines whole
            log(message)

    def restore(section: Section, entry) -> None:
        shutil.copy2(entry.notebook, staging / "notebooks" / section.notebook)
        if entry.results.exists():
            shutil.copy2(entry.results, results_dir / f"{section.id}.json")
        shutil.copytree(entry.figures, staging / "figures" / section.id, dirs_exist_ok=True)

    def run(section: Section, key: str) -> None:
        figures = staging / "figures" / section.id
        figures.mkdir(parents=True, exist_ok=True)
        parameters = params.notebook_parameters(figures_dir=figures, results_dir=results_dir)
        target = staging / "notebooks" / section.notebook
        kernel = pool.take(give_up=stop_starting) if pool is not None else None
        if stop_starting():  # another notebook failed, or the data, while this one waited for a kernel
            if kernel is not None:
                pool.done(kernel)
            if halt is not None and halt.is_set():
                raise _Halted()
            return
        started = time.perf_counter()
        finished = False
        try:
            execute_notebook(section, target, parameters, params.cell_timeout, kernel, under_way)
            finished = True
        except NotebookError as exc:
            failed.set()
            if interrupted.is_set():
                raise
            kept = (failed_dir or params.output_dir / FAILED_DIRNAME) / section.notebook
            kept.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                shutil.copy2(target, kept)
            raise NotebookError(exc.notebook, exc.cell, exc.error, kept) from None
        finally:
            if kernel is not None:
                pool.done(kernel, reuse=finished and not interrupted.is_set())
        results = results_dir / f"{section.id}.json"
        cache.store(section, key, target, results if results.exists() else None, figures)
        from brief.engine import render  # (imported here: a notebook need not wait for nbconvert to start)

        render.notebook_fragment(target, cache, renderer)  # converted now, while the other notebook runs
        progress(f"  ran     {section.notebook} in {time.perf_counter() - started:.1f} s")

    pending = list(order)
    running: dict = {}
    # With a pool, a notebook waits in pool.take() for one of its WORKERS kernels, so twice as many
    # runs can be under way: while a kernel runs the next notebook, the last one's thread stores it
    # and converts it to HTML (without a pool each run would start a kernel of its own).
    slots = 2 * WORKERS if pool is not None else WORKERS
    threads = ThreadPoolExecutor(max_workers=slots)

    def stop_now() -> None:
        """Stop now, not when the running notebooks end: kill their kernels, then wait for their threads to notice."""
        interrupted.set()
        if pool is not None:
            pool.close()  # also wakes a notebook waiting for a kernel
        _stop_kernels(pool.kept_home if pool is not None else None)
        threads.shutdown(wait=True, cancel_futures=True)

    try:
        while pending or running:
            for section in [s for s in pending if all(n in done for n in s.needs)]:
                key = planner.key(section, {n: done[n] for n in section.needs})
                keys[section.id] = key
                entry = planner.lookup(section, key)
                pending.remove(section)
                if entry is not None:
                    restore(section, entry)
                    cached.append(section.notebook)
                    done[section.id] = entry.results_hash
                    log(f"  cached  {section.notebook}")
                    continue
                if len(running) >= slots:
                    pending.insert(0, section)
                    break
                log(f"  running {section.notebook} …")
                running[threads.submit(run, section, key)] = section
            if not running:
                if pending and not any(all(n in done for n in s.needs) for s in pending):
                    raise RuntimeError(f"sections cannot start: {[s.id for s in pending]}")
                continue
            finished, _ = wait(running, timeout=None if halt is None else 0.2, return_when=FIRST_COMPLETED)
            if halt is not None and halt.is_set():  # the data failed its checks: what runs now runs on bad data
                stop_now()
                raise _Halted()
            for future in finished:
                section = running.pop(future)
                future.result()  # re-raises NotebookError; the threads wait for the other run to end
                results = results_dir / f"{section.id}.json"
                done[section.id] = sha256_file(results) if results.exists() else "none"
                executed.append(section.notebook)
    except KeyboardInterrupt:
        with _interrupts_deferred():
            stop_now()
        raise
    finally:
        threads.shutdown(wait=True)  # after a failing notebook, the other run ends and is cached
        if under_way is not None:
            under_way.set()
    if executed:
        cache.prune_chart_memo(planner.code)
    log(f"Notebooks: {len(executed)} run, {len(cached)} from the cache (of {total}).")
    return executed, cached, keys


def _staged_files(staging: Path, sections: list[Section], outputs: list[str]) -> dict[str, Path]:
    """The new edition, by the names the record uses: the brief, executed notebooks, recorded results, charts (one folder, slugs unique)."""
    staged = {name: staging / name for name in outputs}
    staged.update({f"notebooks/{s.notebook}": staging / "notebooks" / s.notebook for s in sections})
    staged.update({f"{RESULTS_DIRNAME}/{p.name}": p for p in sorted((staging / "results").glob("*.json"))})
    for section in sections:
        for path in sorted((staging / "figures" / section.id).glob("*")):
            if f"figures/{path.name}" in staged:
                raise RuntimeError(f"two sections write the chart {path.name}")
            staged[f"figures/{path.name}"] = path
    return staged


# ---------------------------------------------------------------------------- the build


class Editions:
    """The assembled brief of staged notebooks, per edition ("html", "pdf" or "docx"); shared by build and preview."""

    def __init__(self, sections: list[Section], params: BuildParams, staging: Path, planner: Planner, fingerprint: str):
        from brief.engine import render

        cache = planner.cache
        self.bodies = [render.SectionBody(s.id, s.title, render.notebook_fragment(staging / "notebooks" / s.notebook, cache, planner.renderer)) for s in sections]
        # (read as typed, without pandas: importing it here took 0.4 s of a rebuild, the data check being in a process of its own)
        sources = {row["source_id"]: row for row in read_csv(params.data_dir / "sources.csv", "sources.csv").records()}
        self.page = dict(as_of=params.as_of, countries=params.countries, sources=sources, fingerprint=fingerprint, version=__version__, cache=cache)

    def __call__(self, edition: str) -> str:
        from brief.engine import render

        return render.assemble(self.bodies, **self.page, edition=edition)


def _background_niceness(to_run: int) -> int:
    """The niceness of what a build does beside its notebooks: checking the data, warming the renderer up.

    With more notebooks to run than kernels, that work ends long before they do: it is niced, so that
    they go first. With fewer, it ends about when they do, and the build then waits for it: niced, it
    starved whenever the machine had other work (a one-file rebuild beside a busy core took about 1 s
    longer), and a niced thread can be put aside while it holds Python's lock."""
    return BACKGROUND_NICENESS if to_run > WORKERS else 0


def _lower_priority(niceness: int) -> None:
    """Lower the calling thread's priority by `niceness` (Linux; elsewhere nothing)."""
    if niceness:
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)


def warm_renderer(cache: Cache | None, formats: tuple[str, ...], rendering: threading.Event | None = None) -> None:
    """Import nbconvert, and convert a small notebook and assemble it in each of `formats`
    (render.warm_up), then set `rendering`; for a PDF, then warm Typst up (typst_pdf.warm_up: the last
    edition's markup, kept in `cache`, laid out). A build does so while its notebooks run (the PDF's
    compile waits for it; the editions are assembled meanwhile); the build server as it starts."""
    try:
        from brief.engine import render

        render.warm_up(formats, cache)
    finally:
        if rendering is not None:
            rendering.set()  # (also when it failed: the build imports what it needs itself, and says what is wrong)
    if "pdf" in formats and cache is not None:
        from brief.engine import typst_pdf

        typst_pdf.warm_up(cache)


def _warm_renderer(cache: Cache, formats: tuple[str, ...], rendering: threading.Event, niceness: int, under_way: threading.Event) -> None:
    """warm_renderer, at `niceness`, once the first notebook is `under_way`: what it does holds Python's
    lock most of the time, and the imports and kernel talk that start a notebook need it (a
    one-notebook rebuild started its notebook 0.2-0.4 s later)."""
    _lower_priority(niceness)
    under_way.wait()
    warm_renderer(cache, formats, rendering)


def _data_check(params: BuildParams, cache: Cache, code: str, log, niceness: int = 0, pool: KernelPool | None = None,
                here: bool = False) -> Callable[[], None] | None:
    """What validates the data (and records that it passed), announced in the log; None when the same
    data already passed with the same code. On a spare kernel of `pool` if it has one, else in this
    process if `here`, else in a child process at `niceness` (brief.engine.data_check.check)."""
    data_hash = digest(files_under(params.data_dir, ["*"]), root=params.data_dir, extra=code)
    if cache.read_record("validated").get("data") == data_hash:
        return None
    log(f"Validating data in {params.data_dir} …")

    def check() -> None:
        from brief.engine import data_check

        data_check.check(params.data_dir, niceness, pool, here)
        cache.write_record("validated", {"data": data_hash})

    return check


def check_meanwhile(params: BuildParams, cache: Cache, code: str, log, bad_data: threading.Event, niceness: int = 0,
                    pool: KernelPool | None = None, here: bool = False) -> Future:
    """Validate the data on a thread (announced now, in order), as _data_check says where; skipped when
    the same data already passed with the same code. `bad_data` is set if it raises."""
    validate = _data_check(params, cache, code, log, niceness, pool, here) or (lambda: None)

    def check() -> None:
        try:
            validate()
        except BaseException:
            bad_data.set()
            raise

    checker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="validate")
    try:
        return checker.submit(check)
    finally:
        checker.shutdown(wait=False)


@contextlib.contextmanager
def data_first(checking: Future) -> Iterator[None]:
    """Around run_sections: a notebook that failed (or was stopped, or found no kernel) while the data
    failed its check (`checking`) is the data's problem, and the DataError is raised instead."""
    try:
        yield
    except (NotebookError, _Halted, KernelStartError):
        if checking.exception() is not None:  # (waits for the check to end)
            raise checking.exception() from None
        raise


def spare_kernels(pool: KernelPool | None, at_once: int) -> KernelPool | None:
    """`pool`, if one of its kernels would wait for the first `at_once` notebooks to end (it may check the data meanwhile)."""
    return pool if pool is not None and at_once < pool.size else None


def build(params: BuildParams, log: Callable[[str], None] = _log) -> BuildResult:
    """Build the brief; raise ParameterError, OutputBusyError, DataError, ManifestError, NotebookError or RenderError on failure."""
    params.output_dir.mkdir(parents=True, exist_ok=True)
    with edition.build_lock(params.output_dir):
        check_output_dir(params.output_dir, params.data_dir)  # again, now that no other build can change the folder
        for leftover in params.output_dir.glob(f"{STAGING_PREFIX}*"):  # of a build that was killed
            shutil.rmtree(leftover, ignore_errors=True)
        snapshot = unchanged.Snapshot(params)  # (before anything is read)
        result = _build(params, log)
        snapshot.record()
        return result


def notebooks_to_run(planner: Planner, sections: list[Section]) -> tuple[int, int]:
    """How many notebooks the cache cannot supply (at most; a dependent one may turn out unchanged), and
    how many of them can start at once (the others need results of those)."""
    import csv

    try:
        keys = planner.plan(sections)
    except (OSError, UnicodeDecodeError, csv.Error):  # unreadable data: validation says where, before any kernel starts
        return 0, 0
    to_run = [s for s in sections if keys[s.id] is None]
    return len(to_run), sum(all(keys[n] is not None for n in s.needs) for s in to_run)


def _build(params: BuildParams, log: Callable[[str], None]) -> BuildResult:
    started = time.perf_counter()
    sections = load_manifest()
    cache = Cache(params.output_dir / CACHE_DIRNAME)
    code = code_digest()
    planner = planner_for(params, cache, code)
    if params.force:
        cache.prune_chart_memo(code, keep=0)  # every chart drawn again
    to_run, at_once = notebooks_to_run(planner, sections)
    # The kernels start (or are taken from the last build) while the data is checked.
    pool = KernelPool(size=min(WORKERS, to_run), env=kernel_environment(params, cache, code), kept=kept_kernels(cache, code)) if to_run else None
    with pool or contextlib.nullcontext():
        # With notebooks to run, they start while the data is checked: the check ends long before
        # they do, and nothing is published unless it passed; if it fails, the running notebooks are
        # stopped. A notebook that fails on data that fails its checks is reported as the data's
        # problem, not the notebook's (and its copy is not kept). With none to run (or unreadable
        # data), the check comes first.
        bad_data = threading.Event()
        niceness = _background_niceness(to_run)
        # A kernel that would wait for the first notebooks to end checks the data, if it is a kept one
        # (ready at once, pandas loaded: 0.4-0.9 CPU-s instead of a child's 2.2).
        checking = check_meanwhile(params, cache, code, log, bad_data, niceness=niceness, pool=spare_kernels(pool, at_once))
        if pool is None:
            checking.result()
        fingerprint = build_fingerprint(params.data_dir, params.as_of.isoformat(), params.countries)
        keys = planner.plan(sections)
        if all(keys.values()):
            render_key = planner.render_key(sections, keys, params.formats, fingerprint)
            record = edition.read_record(params.output_dir)
            if not params.force and record.get("key") == render_key and edition.intact(record, params.output_dir):
                seconds = time.perf_counter() - started
                log(unchanged.nothing_changed(params.output_dir, seconds))
                return _result(params, [], [s.notebook for s in sections], False, seconds)

        staging = Path(tempfile.mkdtemp(prefix=f"{STAGING_PREFIX}-", dir=params.output_dir))
        (staging / "notebooks").mkdir()
        (staging / "figures").mkdir()
        try:
            log(f"Running {len(sections)} notebooks ({WORKERS} at a time) …")
            rendering, under_way = threading.Event(), threading.Event()
            warm = threading.Thread(target=_warm_renderer, args=(cache, params.formats, rendering, niceness, under_way), daemon=True)
            warm.start()
            try:
                with data_first(checking):  # (a failed notebook's copy, in the staging folder, then goes with it)
                    executed, cached, keys = run_sections(sections, params, staging, planner, log, pool, failed_dir=staging / FAILED_DIRNAME, halt=bad_data,
                                                          under_way=under_way)
            except NotebookError as exc:
                raise _kept_in(params.output_dir / FAILED_DIRNAME, exc) from None
            checking.result()  # the data passed its checks (or DataError: nothing is published)
            rendering.wait()

            from brief.engine import render

            edition_of = Editions(sections, params, staging, planner, fingerprint)
            outputs = []
            pdf = None
            if "pdf" in params.formats:
                log("Rendering PDF …")
                pdf = render.start_pdf(edition_of("pdf"), staging / "brief.pdf", as_of=params.as_of, cache=cache, after=warm)  # compiled while the HTML is made
            if "html" in params.formats:
                log("Rendering HTML …")
                (staging / "brief.html").write_text(edition_of("html"), encoding="utf-8")
                outputs.append("brief.html")
            if pdf is not None:
                pdf.result()
                outputs.append("brief.pdf")
            if "docx" in params.formats:
                log("Rendering Word …")
                from brief.engine import word

                charts = {p.stem: p for p in sorted((staging / "figures").glob("*/*.png"))}
                word.write_docx(edition_of("docx"), staging / "brief.docx", charts=charts, as_of=params.as_of)
                outputs.append("brief.docx")
            render_key = planner.render_key(sections, keys, params.formats, fingerprint)
            staged = _staged_files(staging, sections, outputs)
            with _interrupts_deferred() as interrupted:  # a Ctrl-C now would leave half an edition
                edition.publish(params.output_dir, staged, formats=params.formats, key=render_key, log=log)
            if interrupted:
                log("Interrupted after the brief was published.")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(params.output_dir / FAILED_DIRNAME, ignore_errors=True)
        seconds = time.perf_counter() - started
        log(f"Brief written to {params.output_dir} in {seconds:.1f} s")
        return _result(params, executed, cached, True, seconds)


def _kept_in(folder: Path, exc: NotebookError) -> NotebookError:
    """`exc`, its notebook's partly executed copy moved into `folder` (from the staging folder, which is removed)."""
    kept = folder / exc.kept_copy.name
    if exc.kept_copy.exists():
        folder.mkdir(parents=True, exist_ok=True)
        os.replace(exc.kept_copy, kept)
    return NotebookError(exc.notebook, exc.cell, exc.error, kept)


def _result(params: BuildParams, executed, cached, rendered: bool, seconds: float) -> BuildResult:
    return BuildResult(
        html=params.output_dir / "brief.html" if "html" in params.formats else None,
        pdf=params.output_dir / "brief.pdf" if "pdf" in params.formats else None,
        docx=params.output_dir / "brief.docx" if "docx" in params.formats else None,
        figures_dir=params.figures_dir,
        executed=tuple(executed),
        cached=tuple(cached),
        rendered=rendered,
        seconds=seconds,
    )
