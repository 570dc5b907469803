"""Warm kernels: started ahead of need, with the notebooks' libraries already imported, and used again.

A kernel's start (about 2 s) and its first imports (pandas, matplotlib and the brief
package: 1–3 CPU-s) used to come before every notebook. A pool starts them while the build
validates the data, and hands one to papermill for each notebook. When a notebook has run to its
end, its kernel is cleaned for the next one: its names, figures, matplotlib and pandas settings,
warning filters, working folder, environment and execution count go back to what they were after
the preload, so the next notebook sees what it would see on a fresh kernel (tests compare the two).
What no cleaning can undo, a notebook changing a library's own code at run time, the notebooks do not
do. A kernel whose notebook failed is stopped, never used again.

A build may also keep its kernels when it ends (`Kept`): they stay up, idle and clean, recorded in
the output folder's cache, and the next build into that folder takes them instead of starting new
ones, which saves it two seconds or more. A kept kernel is used again only by a build of the same
package code, Python and kernel environment (other ones are stopped); it ends by itself once it has
been idle for the time the build gave it, or as soon as its record's folder is removed (make clean).
A failed or interrupted build keeps none.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from brief.config import KERNEL_NAME, NOTEBOOKS_DIR
from brief.files import read_json_object, write_json_object

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
# What a build runs on a kept kernel before using it: from then on the kernel does not end for being idle.
CLAIM = "__import__('brief.engine.kernels').engine.kernels.claim()\n"
# (In a kept kernel's environment) the folder of its record, and the seconds it may stay idle.
KEPT_HOME_ENV, KEPT_SECONDS_ENV = "BRIEF_KEPT_KERNELS", "BRIEF_KEPT_SECONDS"
CLAIM_TIMEOUT = 10  # seconds a kept kernel has to answer before a new one is started in its place
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]  # its notice about TCP without encryption would drown the progress lines
START_TIMEOUT = 120  # seconds for a kernel to start and import the stack on a loaded machine
LAUNCH_GRACE = 2.0  # seconds close() waits for kernels being launched, to stop them too
CLEAN_WAIT = 10.0  # seconds close(keep=True) waits for kernels being cleaned, to keep them too


class KernelStartError(RuntimeError):
    """A kernel did not start. `process_ended`: its process ended while it started (it may start at a second try)."""

    def __init__(self, message: str, process_ended: bool = False):
        super().__init__(message)
        self.process_ended = process_ended


_CLOSED = object()  # what take() finds once the pool is closed


def start_kernel(preload: str = PRELOAD, launched: Callable = lambda manager: None, env: dict[str, str] | None = None, independent: bool = False):
    """A started kernel manager (papermill's `km`) whose kernel has run `preload`, in the notebooks folder.

    `launched(manager)` is called as soon as the process exists, before it is ready, so that whoever
    starts it can also stop it while it is starting. `env` is added to the kernel's environment. An
    `independent` kernel does not end with the process that started it (it may be kept for the next build).
    """
    from jupyter_client import AsyncKernelManager
    from jupyter_core.utils import run_sync

    # papermill's client for this kernel: brief.engine.prompt_client (0.2 s less per notebook)
    manager = AsyncKernelManager(kernel_name=KERNEL_NAME, client_class="brief.engine.prompt_client.PromptKernelClient")
    # The kernel's own output is not shown: a notebook's errors come back through papermill, and a
    # kernel stopped mid-message (Ctrl-C, a closed pool) would print tracebacks into the build's log.
    # Its error output goes to a nameless file, read only when the kernel ends while it starts.
    with tempfile.TemporaryFile() as last_words:
        run_sync(manager.start_kernel)(cwd=str(NOTEBOOKS_DIR), extra_arguments=KERNEL_ARGUMENTS, stdout=subprocess.DEVNULL, stderr=last_words,
                                       env={**os.environ, **(env or {})}, independent=independent)
        launched(manager)
        try:
            _start(manager, preload)
        except KernelStartError as exc:
            if exc.process_ended:
                raise KernelStartError(f"{exc}{_tail(last_words)}", process_ended=True) from None
            raise
    return manager


def _tail(stream, size: int = 600) -> str:
    """The last lines a kernel wrote to `stream`, as the end of an error message."""
    stream.seek(0, os.SEEK_END)
    stream.seek(max(0, stream.tell() - size))
    lines = [line.strip() for line in stream.read().decode("utf-8", "replace").splitlines() if line.strip()]
    return f"; its last words: {' | '.join(lines[-4:])}" if lines else "; it wrote nothing"


def _start(manager, preload: str) -> None:
    """Wait until the kernel of `manager` answers, then run `preload` on it; stop it if either fails."""
    from jupyter_client import BlockingKernelClient

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
        raise KernelStartError(f"a kernel did not start: {exc}", process_ended=isinstance(exc, RuntimeError)) from None
    finally:
        client.stop_channels()
    try:
        run_silently(manager, preload, "import the notebooks' libraries")
    except KernelStartError:
        stop_kernel(manager)
        raise
    except (RuntimeError, TimeoutError) as exc:
        stop_kernel(manager)
        raise KernelStartError(f"a kernel did not start: {exc}", process_ended=isinstance(exc, RuntimeError)) from None


def run_silently(manager, code: str, what: str, give_up: Callable[[], bool] = lambda: False, timeout: float = START_TIMEOUT) -> None:
    """Run `code` on the kernel of `manager`, with no output and no execution count. Raises
    RuntimeError at once if the kernel's process ends or `give_up()` turns true (a closed pool)."""
    from jupyter_client import BlockingKernelClient

    client = BlockingKernelClient()
    client.load_connection_info(manager.get_connection_info())
    client.start_channels(hb=False)
    deadline = time.monotonic() + timeout
    try:
        asked = client.execute(code, silent=True, store_history=False)
        while True:
            try:
                reply = client.get_shell_msg(timeout=0.2)
            except queue.Empty:
                if give_up() or manager.provisioner.process.poll() is not None:
                    raise RuntimeError("the kernel was stopped") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the kernel did not answer within {timeout:g} s") from None
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
    run_silently(manager, CLEAN, "be cleaned for the next notebook", give_up)


# ---------------------------------------------------------------- run inside the kernel

_STATE: dict = {}  # (in a kernel) what remember_state saw


def remember_state() -> None:
    """(In a kernel, after the preload.) Note what a notebook may change that the next one must not see."""
    import os
    import sys
    import warnings

    import matplotlib

    _STATE.update(rc=matplotlib.rcParams.copy(), filters=list(warnings.filters), cwd=os.getcwd(), path=list(sys.path), environ=dict(os.environ))
    if os.environ.get(KEPT_HOME_ENV):
        from IPython import get_ipython

        _watch_idle(get_ipython(), Path(os.environ[KEPT_HOME_ENV]), float(os.environ.get(KEPT_SECONDS_ENV) or 0))


_IDLE = {"since": time.monotonic(), "busy": 0}  # (in a kept kernel) when it last ran anything, and whether it runs now
_IDLE_LOCK = threading.Lock()


def _watch_idle(shell, home: Path, seconds: float) -> None:
    """(In a kernel a build may keep.) End the process once it has run nothing for `seconds`, or once
    `home` (the folder of its record) is gone; never while it runs a cell."""

    def started(*_):
        with _IDLE_LOCK:
            _IDLE["busy"] += 1

    def ended(*_):
        with _IDLE_LOCK:
            _IDLE["busy"] = max(0, _IDLE["busy"] - 1)  # (the preload's own end comes without its start)
            _IDLE["since"] = time.monotonic()

    def home_gone() -> bool:  # removed, or removed and made again (then it holds no record of this kernel)
        try:
            return home.stat().st_ino != folder
        except OSError:
            return True

    try:
        folder = home.stat().st_ino
    except OSError:
        folder = None
    shell.events.register("pre_execute", started)
    shell.events.register("post_execute", ended)

    def watch():
        while True:
            time.sleep(min(2.0, max(seconds / 4, 0.2)))
            with _IDLE_LOCK:  # (claim() holds it too: a kernel claimed is not ended)
                if _IDLE["busy"] == 0 and (time.monotonic() - _IDLE["since"] > seconds or home_gone()):
                    _end_kept_kernel(home)

    threading.Thread(target=watch, daemon=True, name="idle-watch").start()


def _end_kept_kernel(home: Path) -> None:
    """(In a kept kernel.) Remove its record and connection file, and end the process."""
    from ipykernel.kernelapp import IPKernelApp

    connection_file = Path(IPKernelApp.instance().connection_file)
    for path in (home / f"{connection_file.stem}.json", connection_file):
        with contextlib.suppress(OSError):
            path.unlink()
    os._exit(0)


def claim() -> None:
    """(In a kept kernel, which a build is about to use.) Count as just used: the idle watch waits again from now."""
    with _IDLE_LOCK:
        _IDLE["since"] = time.monotonic()


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


def keep_seconds() -> float:
    """How long a build's kernels (and its build server) stay up idle for the next build
    (brief.config.KEEP_KERNELS_ENV; 0 keeps none). ValueError when the value is no number."""
    from brief.config import KEEP_KERNELS_ENV, KEEP_KERNELS_SECONDS

    value = os.environ.get(KEEP_KERNELS_ENV, "").strip() or str(KEEP_KERNELS_SECONDS)
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{KEEP_KERNELS_ENV}={value!r} is not a number of seconds (0 keeps no kernels)") from None


def is_kernel(process) -> bool:
    """Whether a psutil process is a Jupyter kernel (one that has ended, or a zombie, is not)."""
    import psutil

    try:
        return "ipykernel_launcher" in " ".join(process.cmdline())
    except psutil.Error:
        return False


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
    # The connection file is removed here, not by the manager's cleanup: that leaves alone a file it
    # did not write itself, as a kept kernel's (written by the build that started it).
    with contextlib.suppress(OSError):
        manager.cleanup_ipc_files()
        if manager.connection_file:
            Path(manager.connection_file).unlink(missing_ok=True)


@dataclass(frozen=True)
class Kept:
    """Where a pool keeps its kernels for the next build (`home`, a folder of records), for how long
    an idle one waits (`seconds`), and what a kernel must have been started with to be used again
    (`identity`: the package's code digest; the pool adds Python, the kernel and its environment)."""

    home: Path
    seconds: float
    identity: str


class _Process:
    """A kept kernel's process, started by an earlier build: what jupyter_client asks of a Popen."""

    def __init__(self, process):
        self._process, self.pid, self.returncode = process, process.pid, None

    def poll(self) -> int | None:
        import psutil

        try:
            running = self._process.is_running() and self._process.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            running = False
        return None if running else 0

    def wait(self, timeout: float | None = None) -> int:
        import psutil

        with contextlib.suppress(psutil.NoSuchProcess):
            try:
                self._process.wait(timeout)
            except psutil.TimeoutExpired:
                raise subprocess.TimeoutExpired("kernel", timeout) from None
        return 0

    def send_signal(self, signum: int) -> None:
        import psutil

        with contextlib.suppress(psutil.Error):
            self._process.send_signal(signum)

    def kill(self) -> None:
        import signal

        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        import signal

        self.send_signal(signal.SIGTERM)


def _record_process(record: dict):
    """The live process a kept kernel's record names, or None (ended, or its pid now another process's)."""
    import psutil

    try:
        process = psutil.Process(int(record["pid"]))
        if abs(process.create_time() - float(record["created"])) < 0.01 and str(record["connection_file"]) in process.cmdline():
            return process
    except (psutil.Error, KeyError, TypeError, ValueError):
        pass
    return None


class KernelPool:
    """Keep `size` warm kernels; `take()` hands one out, `done()` takes it back for the next notebook.

    A kernel whose notebook ran to its end is cleaned (`restore_state`) and handed out again, so a
    build of eight notebooks starts two kernels, not eight. A kernel whose notebook failed is stopped
    and replaced when next needed. A kernel whose process ends while it starts is started once more;
    a kernel that cannot be started breaks the pool: every `take()` from then on, those waiting
    included, raises KernelStartError. Thread-safe; `close()` stops every kernel, those still starting
    included. With `kept`, the pool first takes the kernels an earlier pool kept there, and
    `close(keep=True)` keeps its idle ones in turn (see the module's docstring).
    """

    def __init__(self, size: int, env: dict[str, str] | None = None, kept: Kept | None = None):
        self._kept = kept
        self._env = dict(env or {})
        if kept is not None:
            self._env.update({KEPT_HOME_ENV: str(kept.home), KEPT_SECONDS_ENV: f"{kept.seconds:g}"})
        self._identity = hashlib.sha256(json.dumps([kept.identity if kept else "", sys.executable, KERNEL_NAME, sorted(self._env.items())]).encode()).hexdigest()
        self._ready: queue.Queue = queue.Queue()
        self._lock = threading.Condition()
        self._live: set = set()  # every manager the pool started and has not stopped
        self._closed = False
        self._broken: KernelStartError | None = None  # why a kernel could not be started
        self._launching = 0  # kernels whose process is being started (not yet in _live)
        self._cleaning = 0  # kernels being cleaned after a notebook (in _live)
        self._size = size
        self.started = 0  # kernels started in all (for tests and the benchmark)
        self.adopted = 0  # kept kernels of an earlier pool taken
        self._records = self._kept_records() if kept is not None else []
        self._all_kept = kept is not None and len(self._records) >= size  # every kernel is a kept one (ready in a tenth of a second)
        for _ in range(size):
            self._start_one()

    def _kept_records(self) -> list[Path]:
        """The records of kernels kept for this pool; a kept kernel that was started otherwise is stopped now."""
        home = self._kept.home
        home.mkdir(parents=True, exist_ok=True)
        home.chmod(0o700)  # (a record holds the key that signs the kernel's messages)
        usable = []
        for path in sorted(home.glob("*.json")):
            record = read_json_object(path)
            if record.get("identity") == self._identity and _record_process(record) is not None:
                usable.append(path)
                continue
            process = _record_process(record)
            if process is not None:  # another version of the code, or another environment
                _Process(process).kill()
                with contextlib.suppress(OSError, KeyError, TypeError):
                    Path(record["connection_file"]).unlink()
            with contextlib.suppress(OSError):
                path.unlink()
        return usable

    @property
    def kept_home(self) -> Path | None:
        """The folder whose records name the kernels this pool keeps (None: it keeps none)."""
        return self._kept.home if self._kept is not None else None

    @property
    def size(self) -> int:
        """How many kernels the pool keeps up."""
        return self._size

    def spare(self):
        """A kernel for a short job beside the notebooks (the data check: a warm kernel has pandas loaded),
        if one is ready now, or will be in a tenth of a second (every kernel of the pool is a kept one);
        else None (one still starting takes seconds). `done()` it when the job ends. Ask only when a
        kernel would be idle anyway: a notebook that wants it meanwhile waits for the job."""
        if self._all_kept:
            return self.take()
        try:
            manager = self._ready.get_nowait()
        except queue.Empty:
            return None
        if manager is _CLOSED or isinstance(manager, KernelStartError):
            self._ready.put(manager)  # (for take(), which raises)
            return None
        return manager

    def _adopt(self):
        """A kept kernel, claimed; None when none is left that answers."""
        from jupyter_client import AsyncKernelManager
        from jupyter_client.provisioning import LocalProvisioner

        while True:
            with self._lock:
                if not self._records or self._closed:
                    return None
                path = self._records.pop(0)
            record = read_json_object(path)
            with contextlib.suppress(OSError):
                path.unlink()  # (taken: a record is only ever of a kernel no pool holds)
            process = _record_process(record)
            if process is None:
                continue
            manager = AsyncKernelManager(kernel_name=KERNEL_NAME, client_class="brief.engine.prompt_client.PromptKernelClient")
            manager.load_connection_info(record["connection"])
            manager.connection_file = str(record["connection_file"])
            manager.provisioner = LocalProvisioner(kernel_id=Path(manager.connection_file).stem, kernel_spec=manager.kernel_spec, parent=manager)
            manager.provisioner.process, manager.provisioner.pid = _Process(process), process.pid
            try:
                run_silently(manager, CLAIM, "be used again", give_up=lambda: self._closed, timeout=CLAIM_TIMEOUT)
            except (RuntimeError, TimeoutError, KernelStartError):
                stop_kernel(manager)
                continue
            return manager

    def _start_one(self) -> None:
        """Start a kernel unless `size` of them are already up or starting."""
        with self._lock:
            if self._closed or self._broken is not None or len(self._live) + self._launching >= self._size:
                return
            self._launching += 1
        threading.Thread(target=self._starter, daemon=True, name="kernel-start").start()

    def _launched(self, manager) -> None:
        with self._lock:
            self._live.add(manager)
            self._launching -= 1
            self._lock.notify_all()

    def _starter(self) -> None:
        try:
            manager = self._adopt() if self._kept is not None else None
            if manager is not None:
                with self._lock:
                    self.adopted += 1
                self._launched(manager)
            else:
                manager = self._start_new()
        except BaseException as exc:
            error = exc if isinstance(exc, KernelStartError) else KernelStartError(f"a kernel did not start: {exc}")
            with self._lock:
                self._launching -= 1
                self._broken = self._broken or error
                self._lock.notify_all()
            self._ready.put(error)  # wakes one waiting in take(), who wakes the next
            return
        with self._lock:
            usable = not self._closed
            if not usable:
                self._live.discard(manager)
        if usable:
            self._ready.put(manager)
        else:
            stop_kernel(manager)

    def _start_new(self):
        """A new kernel, started once more if its process ended while it started. On failure it is
        counted as launching still (_starter ends the count), whether or not its process was launched."""
        for attempt in (1, 2):
            launched: list = []
            with self._lock:
                self.started += 1
            try:
                return start_kernel(launched=lambda m, launched=launched: (launched.append(m), self._launched(m)), env=self._env, independent=self._kept is not None)
            except BaseException as exc:
                if launched:
                    stop_kernel(launched[0])  # (start_kernel stops those that fail to answer; not those another error interrupts)
                with self._lock:
                    if launched:
                        self._live.discard(launched[0])
                        self._launching += 1
                    again = attempt == 1 and isinstance(exc, KernelStartError) and exc.process_ended and not self._closed
                if not again:
                    raise
        raise AssertionError("unreachable")

    def take(self, give_up: Callable[[], bool] = lambda: False):
        """A warm kernel manager; waits for one to be free, or returns None once `give_up()` is true
        (asked five times a second: a build whose notebook failed waits for no other kernel). Raises
        KernelStartError: the pool was closed, or a kernel could not be started (then no one gets a
        kernel any more)."""
        while self._broken is None:
            if give_up():
                return None
            self._start_one()  # (only if one was lost: a failed notebook's kernel is stopped, and replaced when needed)
            try:
                manager = self._ready.get(timeout=0.2)
            except queue.Empty:
                continue
            if manager is _CLOSED or isinstance(manager, KernelStartError):
                self._ready.put(manager)  # wakes the next one waiting
            if manager is _CLOSED:
                raise KernelStartError("the kernels were stopped")
            if self._broken is None:
                return manager
            if not isinstance(manager, KernelStartError):
                self._ready.put(manager)  # (a kernel that was ready when the pool broke: close() stops it)
        raise KernelStartError(str(self._broken), process_ended=self._broken.process_ended)

    def done(self, manager, reuse: bool = True) -> None:
        """The notebook on `manager` has ended: clean its kernel for the next notebook, or stop it
        (`reuse=False`: the notebook failed or was stopped, and its kernel may be in any state). The
        cleaning runs on a thread of its own (0.1-0.25 s): the caller goes on at once (a one-notebook
        rebuild renders meanwhile), and the kernel is handed out again once it is clean."""
        with self._lock:
            reuse = reuse and not self._closed and self._broken is None
            if reuse:
                self._cleaning += 1
        if reuse:
            threading.Thread(target=self._clean, args=(manager,), daemon=True, name="kernel-clean").start()
        else:
            self._retire(manager, reuse=False)

    def _clean(self, manager) -> None:
        try:
            clean_kernel(manager, give_up=lambda: self._closed)  # (Ctrl-C: close() must not wait for it)
            clean = True
        except (RuntimeError, TimeoutError, KernelStartError):
            clean = False
        with self._lock:
            self._cleaning -= 1
            self._lock.notify_all()
        self._retire(manager, reuse=clean)

    def settle(self, timeout: float = CLEAN_WAIT) -> bool:
        """Wait until no kernel is being cleaned (each is ready again, or stopped); False if `timeout` passed first."""
        with self._lock:
            return self._lock.wait_for(lambda: self._cleaning == 0, timeout=timeout)

    def _retire(self, manager, reuse: bool) -> None:
        """Hand `manager` out again (`reuse`, and the pool still open), or stop it."""
        with self._lock:
            if reuse and not self._closed and self._broken is None:
                self._ready.put(manager)
                return
            self._live.discard(manager)
        stop_kernel(manager)

    def __enter__(self) -> KernelPool:
        return self

    def __exit__(self, exc_type, *exc_info) -> None:
        self.close(keep=exc_type is None)

    def close(self, keep: bool = False) -> None:
        """Stop every kernel at once: those ready, those in use and those still starting. With `keep`
        (and `kept`), the ready ones, idle and clean, are recorded for the next pool and left running."""
        if keep:  # the kernels being cleaned are kept too, once clean
            self.settle()
        with self._lock:
            self._closed = True
            kept = []
            if keep and self._kept is not None:
                while True:
                    try:
                        manager = self._ready.get_nowait()
                    except queue.Empty:
                        break
                    if not isinstance(manager, BaseException) and manager is not _CLOSED and manager in self._live:
                        kept.append(manager)
            live, self._live = [m for m in self._live if m not in kept], set()
        self._ready.put(_CLOSED)  # wakes whoever waits in take()
        for manager in live:
            stop_kernel(manager)
        for manager in kept:
            self._keep(manager)
        with self._lock:  # a kernel whose process is being launched is stopped once it exists
            self._lock.wait_for(lambda: self._launching == 0, timeout=LAUNCH_GRACE)
            late, self._live = list(self._live), set()
        for manager in late:
            stop_kernel(manager)

    def _keep(self, manager) -> None:
        """Record a ready kernel for the next pool; stop it if it cannot be recorded."""
        import psutil

        try:
            process = psutil.Process(manager.provisioner.process.pid)
            info = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in manager.get_connection_info().items()}
            record = {"pid": process.pid, "created": process.create_time(), "connection_file": manager.connection_file, "connection": info, "identity": self._identity}
            write_json_object(self._kept.home / f"{Path(manager.connection_file).stem}.json", record)
        except (psutil.Error, OSError, AttributeError):
            stop_kernel(manager)
