"""Warm kernels: started ahead of need, with the notebooks' libraries already imported, and used again.

A kernel's start (about 2 s) and its first imports (pandas, matplotlib and the brief
package: 1–3 CPU-s) used to come before every notebook. A pool starts them while the build
validates the data, and hands one to papermill for each notebook. When a notebook has run to its
end, its kernel is cleaned for the next one: its names, figures, matplotlib and pandas settings,
warning filters, working folder, environment and execution count go back to what they were after
the preload, so the next notebook sees what it would see on a fresh kernel (tests compare the two).
What no cleaning can undo, a notebook changing a library's own code at run time, the notebooks do not
do. A kernel whose notebook failed is stopped, never used again.
"""

from __future__ import annotations

import contextlib
import os
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
    "pandas", "matplotlib.pyplot",
    "brief.data", "brief.figures", "brief.prose", "brief.statements", "brief.text", "brief.vocab",
    "brief.engine.params", "brief.engine.results",
    "brief.sections.after", "brief.sections.chronology", "brief.sections.claims", "brief.sections.humanitarian",
    "brief.sections.key_findings", "brief.sections.methods", "brief.sections.outlook", "brief.sections.rationales",
)
PRELOAD = (f"for _module in {PRELOAD_MODULES!r}:\n    __import__(_module)\ndel _module\n"
           "__import__('brief.engine.kernels').engine.kernels.remember_state()\n")
# What a kernel runs between two notebooks (silently, like the preload).
CLEAN = "__import__('brief.engine.kernels').engine.kernels.restore_state(get_ipython())\n"
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]  # its notice about TCP without encryption would drown the progress lines
START_TIMEOUT = 120  # seconds for a kernel to start and import the stack on a loaded machine
LAUNCH_GRACE = 2.0  # seconds close() waits for kernels being launched, to stop them too


class KernelStartError(RuntimeError):
    pass


_CLOSED = object()  # what take() finds once the pool is closed


def start_kernel(preload: str = PRELOAD, launched: Callable = lambda manager: None, env: dict[str, str] | None = None):
    """A started kernel manager (papermill's `km`) whose kernel has run `preload`, in the notebooks folder.

    `launched(manager)` is called as soon as the process exists, before it is ready, so that whoever
    starts it can also stop it while it is starting. `env` is added to the kernel's environment.
    """
    from jupyter_client import AsyncKernelManager, BlockingKernelClient
    from jupyter_core.utils import run_sync

    # papermill's client for this kernel: brief.engine.prompt_client (0.2 s less per notebook)
    manager = AsyncKernelManager(kernel_name=KERNEL_NAME, client_class="brief.engine.prompt_client.PromptKernelClient")
    # The kernel's own output goes nowhere: a notebook's errors come back through papermill, and a
    # kernel stopped mid-message (Ctrl-C, a closed pool) would print tracebacks into the build's log.
    run_sync(manager.start_kernel)(cwd=str(NOTEBOOKS_DIR), extra_arguments=KERNEL_ARGUMENTS, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   env={**os.environ, **(env or {})})
    launched(manager)
    # A blocking client (threads, no event loop to share with papermill's) without heartbeats: on a
    # loaded machine a slow heartbeat would call a kernel dead that is only slow to start; the
    # process itself says whether it lives.
    client = BlockingKernelClient()
    client.load_connection_info(manager.get_connection_info())
    client.start_channels(hb=False)
    try:
        _wait_until_ready(client, manager)
    except (RuntimeError, TimeoutError) as exc:
        stop_kernel(manager)
        raise KernelStartError(f"a kernel did not start: {exc}") from None
    finally:
        client.stop_channels()
    try:
        _run_silently(manager, preload, "import the notebooks' libraries")
    except (KernelStartError, RuntimeError, TimeoutError) as exc:
        stop_kernel(manager)
        raise KernelStartError(str(exc) if isinstance(exc, KernelStartError) else f"a kernel did not start: {exc}") from None
    return manager


def _run_silently(manager, code: str, what: str, give_up: Callable[[], bool] = lambda: False) -> None:
    """Run `code` on the kernel of `manager`, with no output and no execution count. Raises
    RuntimeError at once if the kernel's process ends or `give_up()` turns true (a closed pool)."""
    from jupyter_client import BlockingKernelClient

    client = BlockingKernelClient()
    client.load_connection_info(manager.get_connection_info())
    client.start_channels(hb=False)
    deadline = time.monotonic() + START_TIMEOUT
    try:
        asked = client.execute(code, silent=True, store_history=False)
        while True:
            try:
                reply = client.get_shell_msg(timeout=0.2)
            except queue.Empty:
                if give_up() or manager.provisioner.process.poll() is not None:
                    raise RuntimeError("the kernel was stopped") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the kernel did not answer within {START_TIMEOUT} s") from None
                continue
            if reply["parent_header"].get("msg_id") == asked:
                break
    finally:
        client.stop_channels()
    content = reply["content"]
    if content["status"] != "ok":
        raise KernelStartError(f"a kernel could not {what}: {content.get('ename')}: {content.get('evalue')}")


def clean_kernel(manager, give_up: Callable[[], bool] = lambda: False) -> None:
    """Make a kernel that ran a notebook as it was after its preload (see the module's docstring)."""
    _run_silently(manager, CLEAN, "be cleaned for the next notebook", give_up)


# ---------------------------------------------------------------- run inside the kernel

_STATE: dict = {}  # (in a kernel) what remember_state saw


def remember_state() -> None:
    """(In a kernel, after the preload.) Note what a notebook may change that the next one must not see."""
    import os
    import sys
    import warnings

    import matplotlib

    _STATE.update(rc=matplotlib.rcParams.copy(), filters=list(warnings.filters), cwd=os.getcwd(), path=list(sys.path), environ=dict(os.environ))


def restore_state(shell) -> None:
    """(In a kernel, between notebooks.) Put back what remember_state noted, and forget the notebook."""
    import os
    import sys
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt
    import pandas as pd

    shell.reset(new_session=True)  # its names, In and Out, the output cache; counts start at 1 again
    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (deprecated settings warn when set, even to their value)
        matplotlib.rcParams.update(_STATE["rc"])
        pd.reset_option("all")
    warnings.filters[:] = _STATE["filters"]
    warnings._filters_mutated()
    os.chdir(_STATE["cwd"])
    sys.path[:] = _STATE["path"]
    os.environ.clear()
    os.environ.update(_STATE["environ"])


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
    """Keep `size` warm kernels; `take()` hands one out, `done()` takes it back for the next notebook.

    A kernel whose notebook ran to its end is cleaned (`restore_state`) and handed out again, so a
    build of eight notebooks starts two kernels, not eight. A kernel whose notebook failed is stopped
    and replaced when next needed. Thread-safe; `close()` stops every kernel, those still starting
    included.
    """

    def __init__(self, size: int, env: dict[str, str] | None = None):
        self._env = env
        self._ready: queue.Queue = queue.Queue()
        self._lock = threading.Condition()
        self._live: set = set()  # every manager the pool started and has not stopped
        self._closed = False
        self._launching = 0  # kernels whose process is being started (not yet in _live)
        self._size = size
        self.started = 0  # kernels started in all (for tests and the benchmark)
        for _ in range(size):
            self._start_one()

    def _start_one(self) -> None:
        """Start a kernel unless `size` of them are already up or starting."""
        with self._lock:
            if self._closed or len(self._live) + self._launching >= self._size:
                return
            self._launching += 1
            self.started += 1
        threading.Thread(target=self._starter, daemon=True, name="kernel-start").start()

    def _launched(self, manager) -> None:
        with self._lock:
            self._live.add(manager)
            self._launching -= 1
            self._lock.notify_all()

    def _starter(self) -> None:
        launched: list = []
        try:
            manager = start_kernel(launched=lambda m: (launched.append(m), self._launched(m)), env=self._env)
        except BaseException as exc:
            with self._lock:
                if launched:
                    self._live.discard(launched[0])
                else:
                    self._launching -= 1
                self._lock.notify_all()
            self._ready.put(exc if isinstance(exc, KernelStartError) else KernelStartError(f"a kernel did not start: {exc}"))
            return
        with self._lock:
            usable = not self._closed
            if not usable:
                self._live.discard(manager)
        if usable:
            self._ready.put(manager)
        else:
            stop_kernel(manager)

    def take(self):
        """A warm kernel manager; waits for one to be free. Raises KernelStartError."""
        self._start_one()  # (only if one was lost: a failed notebook's kernel is not used again)
        manager = self._ready.get()
        if manager is _CLOSED:
            self._ready.put(_CLOSED)  # for the next one waiting
            raise KernelStartError("the kernels were stopped")
        if isinstance(manager, KernelStartError):
            raise manager
        return manager

    def done(self, manager, reuse: bool = True) -> None:
        """The notebook on `manager` has ended: clean its kernel for the next notebook, or stop it
        (`reuse=False`: the notebook failed or was stopped, and its kernel may be in any state)."""
        if reuse and not self._closed:
            try:
                clean_kernel(manager, give_up=lambda: self._closed)  # (Ctrl-C: close() must not wait for it)
            except (RuntimeError, TimeoutError, KernelStartError):
                reuse = False
        with self._lock:
            if reuse and not self._closed:
                self._ready.put(manager)
                return
            self._live.discard(manager)
        stop_kernel(manager)

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
