"""Warm kernels: started ahead of need, with the notebooks' libraries already imported.

A kernel's start (about 2 s) and its first imports (pandas, matplotlib, pandera and the brief
package: 2–3 CPU-s) used to come before every notebook. A pool starts them while the build
validates the data or while other notebooks run, and hands one to papermill for each notebook.
Each kernel runs one notebook only and is then shut down, so no notebook sees another's
variables: the notebooks run exactly as on a fresh kernel, only without waiting for it.
"""

from __future__ import annotations

import contextlib
import queue
import subprocess
import threading
import time
from collections.abc import Callable

from brief.config import KERNEL_NAME, NOTEBOOKS_DIR

# What every notebook imports before its first line of its own (papermill still runs the notebook's
# import cell; it then finds these modules loaded). Imported without binding a name, so a notebook
# that forgets an import fails here as it would in JupyterLab; run silently (no output, no count).
PRELOAD_MODULES = (
    "pandas", "pandera.pandas", "matplotlib.pyplot",
    "brief.data", "brief.figures", "brief.prose", "brief.statements", "brief.text", "brief.vocab",
    "brief.engine.params", "brief.engine.results",
    "brief.sections.after", "brief.sections.chronology", "brief.sections.claims", "brief.sections.humanitarian",
    "brief.sections.key_findings", "brief.sections.methods", "brief.sections.outlook", "brief.sections.rationales",
)
PRELOAD = f"for _module in {PRELOAD_MODULES!r}:\n    __import__(_module)\ndel _module\n"
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]  # its notice about TCP without encryption would drown the progress lines
START_TIMEOUT = 120  # seconds for a kernel to start and import the stack on a loaded machine
LAUNCH_GRACE = 2.0  # seconds close() waits for kernels being launched, to stop them too


class KernelStartError(RuntimeError):
    pass


_CLOSED = object()  # what take() finds once the pool is closed


def start_kernel(preload: str = PRELOAD, launched: Callable = lambda manager: None):
    """A started kernel manager (papermill's `km`) whose kernel has run `preload`, in the notebooks folder.

    `launched(manager)` is called as soon as the process exists, before it is ready, so that whoever
    starts it can also stop it while it is starting.
    """
    from jupyter_client import AsyncKernelManager, BlockingKernelClient
    from jupyter_core.utils import run_sync

    manager = AsyncKernelManager(kernel_name=KERNEL_NAME)
    # The kernel's own output goes nowhere: a notebook's errors come back through papermill, and a
    # kernel stopped mid-message (Ctrl-C, a closed pool) would print tracebacks into the build's log.
    run_sync(manager.start_kernel)(cwd=str(NOTEBOOKS_DIR), extra_arguments=KERNEL_ARGUMENTS, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    launched(manager)
    # A blocking client (threads, no event loop to share with papermill's) without heartbeats: on a
    # loaded machine a slow heartbeat would call a kernel dead that is only slow to start; the
    # process itself says whether it lives.
    client = BlockingKernelClient()
    client.load_connection_info(manager.get_connection_info())
    client.start_channels(hb=False)
    try:
        _wait_until_ready(client, manager)
        reply = client.execute_interactive(preload, silent=True, store_history=False, timeout=START_TIMEOUT)
    except (RuntimeError, TimeoutError) as exc:
        stop_kernel(manager)
        raise KernelStartError(f"a kernel did not start: {exc}") from None
    finally:
        client.stop_channels()
    if reply["content"]["status"] != "ok":
        stop_kernel(manager)
        content = reply["content"]
        raise KernelStartError(f"a kernel could not import the notebooks' libraries: {content.get('ename')}: {content.get('evalue')}")
    return manager


def _wait_until_ready(client, manager) -> None:
    """Ask for kernel_info until the kernel answers; fail if its process ends or START_TIMEOUT passes."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        asked = client.kernel_info()
        with contextlib.suppress(queue.Empty):
            while True:
                reply = client.get_shell_msg(timeout=1)
                if reply["parent_header"].get("msg_id") == asked:
                    return
        if manager.provisioner.process.poll() is not None:
            raise RuntimeError("the kernel's process ended while it started")
        if time.monotonic() > deadline:
            raise TimeoutError(f"the kernel did not answer within {START_TIMEOUT} s")


def stop_kernel(manager) -> None:
    """Stop a kernel at once (its notebook has ended; nothing in it is kept)."""
    # The process is killed directly: the manager's own shutdown would run on the event loop of the
    # thread that started the kernel, and waits seconds when called from another thread's.
    process = getattr(manager.provisioner, "process", None)
    if process is not None:
        with contextlib.suppress(OSError):
            process.kill()
        with contextlib.suppress(Exception):
            process.wait(timeout=5)
    with contextlib.suppress(OSError):
        manager.cleanup_connection_file()
        manager.cleanup_ipc_files()


class KernelPool:
    """Keep `ready` kernels started; `take()` hands one out and starts its replacement.

    `limit` caps how many kernels the pool starts in all (a build knows how many notebooks it
    will run; the preview does not, and passes None). Thread-safe; `close()` stops every kernel,
    those still starting included.
    """

    def __init__(self, ready: int, limit: int | None = None):
        self._ready: queue.Queue = queue.Queue()
        self._lock = threading.Condition()
        self._live: set = set()  # every manager the pool started and has not stopped
        self._closed = False
        self._epoch = 0  # renew() moves it on: kernels started before then are not handed out
        self._left = limit
        self._launching = 0  # kernels whose process is being started (not yet in _live)
        self._size = ready
        for _ in range(ready):
            self._start_one()

    def _start_one(self) -> None:
        with self._lock:
            if self._closed or self._left == 0:
                return
            if self._left is not None:
                self._left -= 1
            epoch = self._epoch
            self._launching += 1
        threading.Thread(target=self._starter, args=(epoch,), daemon=True, name="kernel-start").start()

    def _launched(self, manager) -> None:
        with self._lock:
            self._live.add(manager)
            self._launching -= 1
            self._lock.notify_all()

    def _starter(self, epoch: int) -> None:
        launched: list = []
        try:
            manager = start_kernel(launched=lambda m: (launched.append(m), self._launched(m)))
        except BaseException as exc:
            if not launched:
                with self._lock:
                    self._launching -= 1
                    self._lock.notify_all()
            self._ready.put(exc if isinstance(exc, KernelStartError) else KernelStartError(f"a kernel did not start: {exc}"))
            return
        with self._lock:
            usable = not self._closed and epoch == self._epoch
            if not usable:
                self._live.discard(manager)
        if usable:
            self._ready.put(manager)
            return
        stop_kernel(manager)
        if not self._closed:
            self._start_one()  # it imported the code as it was before renew(): start another

    def take(self):
        """A warm kernel manager; waits for one to finish starting. Raises KernelStartError."""
        self._start_one()  # the replacement starts while this one is used
        manager = self._ready.get()
        if manager is _CLOSED:
            self._ready.put(_CLOSED)  # for the next one waiting
            raise KernelStartError("the kernels were stopped")
        if isinstance(manager, KernelStartError):
            raise manager
        return manager

    def done(self, manager) -> None:
        """The notebook on `manager` has ended: stop its kernel."""
        with self._lock:
            self._live.discard(manager)
        stop_kernel(manager)

    def renew(self) -> None:
        """Replace the ready kernels with new ones (the package's code changed: they imported the old one)."""
        with self._lock:
            self._epoch += 1
        stale = []
        with contextlib.suppress(queue.Empty):
            while True:
                stale.append(self._ready.get_nowait())
        for manager in stale:
            if not isinstance(manager, KernelStartError):
                self.done(manager)
            self._start_one()  # (kernels still starting replace themselves when they arrive)

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Stop every kernel at once: those ready, those in use and those still starting."""
        with self._lock:
            self._closed = True
            live, self._live = list(self._live), set()
        self._ready.put(_CLOSED)  # wakes whoever waits in take()
        for manager in live:
            stop_kernel(manager)
        with self._lock:  # a kernel whose process is being launched is stopped once it exists
            self._lock.wait_for(lambda: self._launching == 0, timeout=LAUNCH_GRACE)
            late, self._live = list(self._live), set()
        for manager in late:
            stop_kernel(manager)
