"""`python -m brief preview`: the HTML brief served on loopback, rebuilt on every save.

It builds as `build` does (same validation, cache and notebooks), but on warm kernels that it keeps
between rebuilds (brief/engine/kernels.py), into a folder of its own: it shares the output folder's
cache and publishes nothing there. A file watcher (watchfiles) follows the data folder, the
notebooks and the package; a save re-validates, re-runs only the notebooks whose inputs changed,
re-assembles the page (unchanged sections come from the fragment cache) and tells the open page to
reload. A bad file or a failing notebook is shown over the last good page, with file, line or cell.
A change to the package's Python restarts the preview process itself, so both its own code and
its kernels are the new ones. The PDF and the Word file are made only when asked for (links in the page, or keys P and W).

The reload script and the overlay exist only in what this server sends; no published file has them.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from brief.config import CACHE_DIRNAME, NOTEBOOKS_DIR, PACKAGE_DIR
from brief.engine.params import BuildParams

STATUS_PATH = "/__preview/status"
EVENTS_PATH = "/__preview/events"
PDF_PATH = "/__preview/brief.pdf"
DOCX_PATH = "/__preview/brief.docx"
HEARTBEAT = 15.0  # seconds between keep-alive comments on the event stream

# Injected before </body> of the served page only. Reloads when the server's build token changes
# (a new generation, or a restarted server), keeping the reader's place; P asks for the PDF, W for Word.
RELOAD_SCRIPT = """<script id="brief-preview-script">
(() => {
  const token = %(token)s, key = "brief-preview-scroll";
  const y = sessionStorage.getItem(key);
  if (y !== null) { sessionStorage.removeItem(key); window.scrollTo(0, Number(y)); }
  const events = new EventSource("%(events)s");
  events.onmessage = (e) => {
    if (e.data !== token) { sessionStorage.setItem(key, String(window.scrollY)); location.reload(); }
  };
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA)$/.test(e.target.tagName)) return;
    if (e.key.toLowerCase() === "p") window.open("%(pdf)s", "_blank");
    if (e.key.toLowerCase() === "w") location.href = "%(docx)s";
  });
})();
</script>"""

BAR_STYLE = """<style id="brief-preview-style">
#brief-preview-bar{position:fixed;right:.5rem;bottom:.5rem;z-index:1000;font:13px/1.4 system-ui,sans-serif;
 background:#1d2a36;color:#fff;padding:.35rem .7rem;border-radius:.4rem;opacity:.92;max-width:calc(100vw - 1rem)}
#brief-preview-bar a{color:#ffd479}
#brief-preview-error{position:fixed;inset:0 0 auto 0;z-index:1001;max-height:70vh;overflow:auto;background:#fff4f2;
 color:#5a0d00;border-bottom:4px solid #b3261e;padding:1rem 1.25rem;font:14px/1.45 system-ui,sans-serif;box-shadow:0 4px 16px #0004}
#brief-preview-error pre{white-space:pre-wrap;font:13px/1.45 ui-monospace,monospace;margin:.5rem 0 0}
</style>"""

EMPTY_PAGE = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Brief preview</title></head><body><main><p>No brief has been built yet.</p></main></body></html>"


@dataclass
class State:
    """What the server shows: the last good page, and the error of the last rebuild if it failed."""

    generation: int = 0  # finished rebuilds, good or failed
    state: str = "building"  # "building", "ok" or "error"
    error: str | None = None
    page: str = ""  # the last good HTML edition, as a build would publish it
    executed: list[str] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def token(self) -> str:
        return f"{os.getpid()}-{self.generation}-{self.state}"

    def status(self) -> dict:
        return {"generation": self.generation, "state": self.state, "error": self.error, "executed": self.executed, "cached": self.cached, "seconds": round(self.seconds, 2)}


def served_page(state: State) -> str:
    """The page as the preview serves it: the last good brief, the status bar, the error over it if any, the reload script."""
    page = state.page or EMPTY_PAGE
    ran = f"{len(state.executed)} notebook{'s' if len(state.executed) != 1 else ''} run"
    outcome = "failed" if state.state == "error" else f"{ran} · {state.seconds:.1f} s"
    bar = (
        f'<div id="brief-preview-bar" role="status">Preview · rebuild {state.generation} · {outcome} · '
        f'<a href="{PDF_PATH}" target="_blank">PDF</a> (key P) · <a href="{DOCX_PATH}">Word</a> (key W)</div>'
    )
    if state.state == "error":
        bar += (
            '<div id="brief-preview-error" role="alert"><strong>The last save did not build; this is the last good version.</strong>'
            f" Fix the file and save again: the page reloads by itself.<pre>{html.escape(state.error or '')}</pre></div>"
        )
    script = RELOAD_SCRIPT % {"token": json.dumps(state.token()), "events": EVENTS_PATH, "pdf": PDF_PATH, "docx": DOCX_PATH}
    head_end, body_end = page.rfind("</head>"), page.rfind("</body>")
    return page[:head_end] + BAR_STYLE + page[head_end:body_end] + bar + script + page[body_end:]


def watched_paths(params: BuildParams) -> list[Path]:
    """Everything a build reads: the data folder, the notebooks and manifest, the package (code, templates, style)."""
    return [Path(params.data_dir).resolve(), NOTEBOOKS_DIR.resolve(), PACKAGE_DIR.resolve()]


def watch_filter():
    """watchfiles' default filter (editor swap files, caches, .git), and JupyterLab's checkpoints too."""
    from watchfiles import DefaultFilter

    return DefaultFilter(ignore_dirs=(*DefaultFilter.ignore_dirs, ".ipynb_checkpoints"))


def needs_restart(changed: set[Path]) -> bool:
    """A change to the package's Python: the preview's own code and its kernels' imports are stale."""
    package = PACKAGE_DIR.resolve()
    return any(Path(p).suffix == ".py" and Path(p).resolve().is_relative_to(package) for p in changed)


class Preview:
    """Rebuild on demand into a private folder, on warm kernels; publish each result to `state`."""

    def __init__(self, params: BuildParams, log: Callable[[str], None]):
        from brief.engine.build import WORKERS, kernel_environment
        from brief.engine.cache import Cache, code_digest
        from brief.engine.kernels import KernelPool

        params = dataclasses.replace(params, draft_charts=True)  # the page's SVG only: no PNG, no phone layout
        self.params = params
        self.log = log
        params.output_dir.mkdir(parents=True, exist_ok=True)
        self.cache = Cache(params.output_dir / CACHE_DIRNAME)
        self.workdir = Path(tempfile.mkdtemp(prefix="brief-preview-"))
        self.pool = KernelPool(size=WORKERS, env=kernel_environment(params, self.cache, code_digest()))  # started now, while the first rebuild validates
        self.state = State()
        self.editions = None  # the last good rebuild's assembled brief, for the PDF and Word on request
        self.changed = threading.Condition()  # notified whenever `state` changes
        self._render_lock = threading.Lock()

    # ------------------------------------------------------------------ rebuilding

    def rebuild(self) -> None:
        from brief.engine.build import Editions, NotebookError, check_meanwhile, data_first, notebooks_to_run, planner_for, run_sections, spare_kernels
        from brief.engine.cache import code_digest
        from brief.engine.edition import build_lock
        from brief.engine.inputs import build_fingerprint
        from brief.engine.kernels import KernelStartError
        from brief.engine.manifest import ManifestError, load_manifest
        from brief.errors import CheckError, DataError, RenderError

        params, started = self.params, time.perf_counter()
        self._set(state="building")
        staging = self.workdir / "build"
        shutil.rmtree(staging, ignore_errors=True)
        for folder in ("notebooks", "figures", "results"):
            (staging / folder).mkdir(parents=True)
        try:
            sections = load_manifest()
            code = code_digest()
            # The data is checked while the notebooks run: on a kernel they leave idle, or in this process
            # (pandas is loaded). Bad data is shown as soon as the check finds it; the notebooks are left
            # to end on their own (the kernels stay warm), and nothing they made is shown.
            planner = planner_for(params, self.cache, code)
            spare = spare_kernels(self.pool, notebooks_to_run(planner, sections)[1])
            checking = check_meanwhile(params, self.cache, code, self.log, threading.Event(), pool=spare, here=True)
            checking.add_done_callback(lambda check: isinstance(check.exception(), DataError) and self._failed(check.exception(), started))
            steps = [time.perf_counter()]
            with build_lock(params.output_dir, wait=True):  # the cache is shared with `build` into the same folder
                with data_first(checking):
                    executed, cached, _ = run_sections(sections, params, staging, planner, self.log, self.pool, failed_dir=self.workdir / "failed")
            checking.result()
            steps.append(time.perf_counter())
            fingerprint = build_fingerprint(params.data_dir, params.as_of.isoformat(), params.countries)
            editions = Editions(sections, params, staging, planner, fingerprint)
            page = editions("html")
            steps.append(time.perf_counter())
        except (DataError, ManifestError, NotebookError, RenderError, KernelStartError, CheckError) as exc:
            self._failed(exc, started)
            return
        seconds = time.perf_counter() - started
        self.editions = editions
        split = f"setting out {steps[0] - started:.1f} s, notebooks and data check {steps[1] - steps[0]:.1f} s, page {steps[2] - steps[1]:.1f} s"
        self.log(f"Rebuilt in {seconds:.1f} s ({split}): {len(executed)} notebook(s) run ({', '.join(executed) or 'none'}).")
        self._set(state="ok", error=None, page=page, seconds=seconds, generation=self.state.generation + 1, executed=list(executed), cached=list(cached))

    def _failed(self, exc: Exception, started: float) -> None:
        """Show the rebuild's error over the last good page (once: the data check may have shown it already)."""
        with self.changed:
            if self.state.state == "error" and self.state.error == str(exc):
                return
            seconds = time.perf_counter() - started
            self.log(f"Rebuild failed after {seconds:.1f} s: {exc}")
            self._set(state="error", error=str(exc), seconds=seconds, generation=self.state.generation + 1, executed=[], cached=[])

    def _set(self, **changes) -> None:
        with self.changed:
            for name, value in changes.items():
                setattr(self.state, name, value)
            self.changed.notify_all()

    def pdf(self) -> bytes:
        """The PDF of the last good rebuild, made now (it is never made on a save)."""
        from brief.engine import render

        with self._render_lock:
            target = self.workdir / "brief.pdf"
            render.write_pdf(self.editions("pdf"), target, as_of=self.params.as_of)
            return target.read_bytes()

    def docx(self) -> bytes:
        """The Word edition of the last good rebuild, made now. The preview draws no chart PNGs: each
        chart's PNG is drawn from its SVG in the page, by Typst with the brief's fonts."""
        from bs4 import BeautifulSoup

        from brief.engine import typst_pdf, word

        with self._render_lock:
            html = self.editions("docx")
            charts = {}
            folder = self.workdir / "charts"
            folder.mkdir(exist_ok=True)
            for figure in BeautifulSoup(html, "lxml").select("figure.chart[id^=fig-]"):
                svg = figure.select_one(".chart-wide svg")
                if svg is not None:
                    slug = figure["id"].removeprefix("fig-")
                    charts[slug] = folder / f"{slug}.png"
                    charts[slug].write_bytes(typst_pdf.svg_to_png(str(svg)))
            target = self.workdir / "brief.docx"
            word.write_docx(html, target, charts=charts, as_of=self.params.as_of)
            return target.read_bytes()

    def close(self) -> None:
        self.pool.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


# ---------------------------------------------------------------------------- serving


def make_server(preview: Preview, port: int) -> ThreadingHTTPServer:
    from brief.errors import RenderError

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the base class's name
            pass  # the preview reports rebuilds, not requests

        def _send(self, body: bytes, content_type: str, status: int = 200, download: str = "") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if download:
                self.send_header("Content-Disposition", f'attachment; filename="{download}"')
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - the base class's name
            path = self.path.split("?", 1)[0]
            if path in ("/", "/index.html", "/brief.html"):
                with preview.changed:
                    body = served_page(preview.state)
                return self._send(body.encode("utf-8"), "text/html; charset=utf-8")
            if path == STATUS_PATH:
                with preview.changed:
                    body = json.dumps(preview.state.status())
                return self._send(body.encode(), "application/json")
            if path == EVENTS_PATH:
                return self._events()
            if path in (PDF_PATH, DOCX_PATH):
                if preview.editions is None:
                    return self._send(b"No brief has been built yet.", "text/plain; charset=utf-8", 503)
                word = path == DOCX_PATH
                try:
                    if word:
                        return self._send(preview.docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document", download="brief.docx")
                    return self._send(preview.pdf(), "application/pdf")
                except RenderError as exc:
                    return self._send(f"The {'Word file' if word else 'PDF'} could not be made: {exc}".encode(), "text/plain; charset=utf-8", 500)
            return self._send(b"Not found", "text/plain; charset=utf-8", 404)

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            def current() -> str | None:  # a page reloads only to a finished rebuild
                return None if preview.state.state == "building" else preview.state.token()

            sent = None
            with contextlib.suppress(OSError):
                while not getattr(self.server, "stopping", False):
                    with preview.changed:
                        if current() in (None, sent):
                            preview.changed.wait(HEARTBEAT)
                        token = current()
                    fresh = token is not None and token != sent
                    self.wfile.write((f"data: {token}\n\n" if fresh else ": still here\n\n").encode())
                    self.wfile.flush()
                    sent = token if fresh else sent

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    return server


# ---------------------------------------------------------------------------- the command


def serve(params: BuildParams, port: int, log: Callable[[str], None], restart_argv: list[str] | None = None) -> int:
    """Serve until Ctrl-C (or a package change, which restarts the process with `restart_argv`)."""
    import watchfiles

    from brief.engine.build import _stop_kernels

    try:
        preview = Preview(params, log)
    except OSError as exc:
        log(f"error: {exc}")
        return 1
    try:
        server = make_server(preview, port)
    except OSError as exc:
        preview.close()
        log(f"error: port {port} on 127.0.0.1 is not free ({exc.strerror}); choose another with --port N")
        return 1
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    stop = threading.Event()
    dirty = threading.Event()
    restart = threading.Event()
    dirty.set()

    def watch() -> None:
        for changes in watchfiles.watch(*watched_paths(params), watch_filter=watch_filter(), stop_event=stop, step=30, debounce=400, raise_interrupt=False):
            changed = {Path(path) for _, path in changes}
            if needs_restart(changed):
                restart.set()
                stop.set()
                return
            dirty.set()

    def build_loop() -> None:
        while not stop.is_set():
            if not dirty.wait(0.2):
                continue
            dirty.clear()
            preview.rebuild()

    threads = [threading.Thread(target=f, daemon=True, name=f.__name__) for f in (watch, build_loop)]
    threads.append(threading.Thread(target=server.serve_forever, daemon=True, name="server"))
    for thread in threads:
        thread.start()
    log(f"Preview of {params.data_dir} at {url} (Ctrl-C stops it). Watching the data, notebooks and package.")
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # `kill` stops it as Ctrl-C does, kernels included
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        stop.set()
    server.stopping = True
    with preview.changed:
        preview.changed.notify_all()
    server.shutdown()
    server.server_close()
    preview.close()
    _stop_kernels()  # a notebook that was running when Ctrl-C came
    if restart.is_set() and restart_argv:
        log("The package's code changed: restarting the preview …")
        os.execv(sys.executable, [sys.executable, *restart_argv])
    log("Preview stopped; its kernels were stopped.")
    return 0
