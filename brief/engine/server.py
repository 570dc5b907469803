"""The build server: a warm process that runs `python -m brief build` for the command line.

A build's own process pays, every time, for what does not change between builds: importing papermill,
nbconvert and Typst, nbconvert's first conversion, the first assembly of a page, Typst's fonts and
its layout of the last edition, about 2 CPU-s of a one-file rebuild's 6. As the kept kernels do for
the notebooks (brief.engine.kernels.Kept), a build that ran in its own process starts a server when it
ends; it imports all that once and lays the last edition out, then waits. The next `python -m brief
build` hands it its arguments over a Unix socket, and prints what it reports as it comes; Ctrl-C
stops that build as it would stop one run in place. The server runs one build at a time (a second one
runs in its own process meanwhile).

A server builds only for a command line of its identity (identity()): the same package code,
libraries, Python, working folder, umask and the variables that libraries read as they load
(`IMPORT_ENV`); the rest of the command line's environment is set in the server for its build. Its
socket is named by that identity, in a folder only its user may enter; a command line of another
identity finds no server there, builds in its own process and starts one of its own, which asks the
idle servers of the same working folder to end (one per folder). A server ends by itself within a
second of its package's code or libraries changing, once idle for as long as the kept kernels are
(BRIEF_KEEP_KERNELS seconds; "0" keeps neither), after an interrupted build, on SIGTERM (stopping its
build as Ctrl-C would), and after a build that left it larger than RETIRE_MB (Typst keeps what it laid
out for the life of a process: 256 MB after one build, 458 MB after twenty, measured); the build that
sees it go starts another.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

RETIRE_MB = 600  # the server's resident size (MB) past which it ends after a build (it starts near 300; the build tree stays < 1 GB)
ACCEPT_TICK = 1.0  # seconds between two looks at the clock (idle time) while no build comes
# The variables that the libraries a build imports read once, as they are imported (where Jupyter,
# IPython, matplotlib and the numeric libraries find their settings; the locale; the temporary folder):
# a server serves only a command line whose values of these are its own. Every other variable (a
# shell, a terminal and make set many that change from one command to the next) is the command line's
# own, set in the server for the time of its build (as Gradle's daemon does).
IMPORT_ENV = ("BRIEF_", "JUPYTER", "IPYTHON", "PYTHON", "MPL", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR",
              "LC_", "LANG", "TZ", "HOME", "PATH", "TMPDIR", "TEMP", "TMP", "VIRTUAL_ENV", "OMP_", "MKL_", "OPENBLAS_", "NUMEXPR_")
SERVING = False  # True in the server's own process: its builds run there, and start no server


def kept_seconds() -> float:
    """How long the server waits idle: as long as kept kernels do (0 when none are kept, or the value is no number: the build says so)."""
    from brief.engine.kernels import keep_seconds

    try:
        return keep_seconds()
    except ValueError:
        return 0.0


def enabled() -> bool:
    return not SERVING and hasattr(socket, "AF_UNIX") and kept_seconds() > 0 and _home_is_private()


def identity() -> str:
    """What a server must share with a command line to build for it: the package's code, the installed
    libraries (their folders' status), Python and its flags, the working folder, the umask and IMPORT_ENV.
    Taken before a build runs: a build changes the working folder."""
    from brief.engine.cache import code_digest

    umask = os.umask(0o022)
    os.umask(umask)
    what = {
        "code": code_digest(), "libraries": _libraries(), "python": [sys.executable, sys.version, repr(sys.flags), sys.warnoptions, repr(sys._xoptions)],
        "cwd": os.getcwd(), "umask": umask, "env": {k: v for k, v in os.environ.items() if k.startswith(IMPORT_ENV)},
    }
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode("utf-8")).hexdigest()


def _libraries() -> list[tuple[str, int]]:
    """The status of the folders that libraries are installed in (installing or removing one changes it)."""
    status = []
    for folder in sys.path[1:]:
        if folder.endswith(("site-packages", "dist-packages")):
            with contextlib.suppress(OSError):
                status.append((folder, os.stat(folder).st_mtime_ns))
    return status


def home() -> Path:
    """The folder of this user's servers' sockets and records (short: a socket's path is at most ~100 bytes)."""
    return Path(tempfile.gettempdir()) / f"brief-{os.getuid()}"


def _home_is_private() -> bool:
    """Whether home() is (or now is made) a folder of this user's that no one else may enter: anyone who
    could reach a server's socket could have it build as this user."""
    with contextlib.suppress(OSError):
        home().mkdir(mode=0o700, exist_ok=True)
        status = home().lstat()
        return status.st_uid == os.getuid() and (status.st_mode & 0o777) == 0o700 and not home().is_symlink()
    return False


def socket_path(ident: str) -> Path:
    return home() / f"{ident[:24]}.sock"


def _lock_path(ident: str) -> Path:
    return home() / f"{ident[:24]}.lock"


def _send(channel, lock: threading.Lock, message: dict) -> None:
    with lock:
        channel.write((json.dumps(message) + "\n").encode("utf-8"))
        channel.flush()


# ------------------------------------------------------------------------------------- the client


def build_there(argv: list[str], ident: str, output_dir: Path | None = None) -> int | None:
    """Run the build of `argv` on this user's server of identity `ident` (identity()); its exit status,
    or None when there is no such server, or it is busy, or it ended before it finished without
    having been interrupted (the caller then builds in its own process). An empty `ident`: none is used."""
    if not ident:
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(str(socket_path(ident)))
    except OSError:
        connection.close()
        return None
    from brief.engine.cli import INTERRUPTED

    with connection, connection.makefile("rwb") as channel:
        lock = threading.Lock()
        try:
            _send(channel, lock, {"argv": argv, "identity": ident, "cwd": os.getcwd(), "env": dict(os.environ)})
            answer = json.loads(channel.readline() or b"{}")
        except (OSError, ValueError):
            return None
        if not answer.get("accepted"):
            return None
        print(f"Building on the build server (pid {answer.get('pid')}) …", file=sys.stderr, flush=True)
        interrupted = threading.Event()

        def interrupt(*_):
            interrupted.set()
            with contextlib.suppress(OSError):
                _send(channel, lock, {"interrupt": True})
            signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C stops waiting

        previous = signal.getsignal(signal.SIGINT)
        if previous is not signal.SIG_IGN:  # (a build started with Ctrl-C ignored, as in the background of a script, goes on)
            signal.signal(signal.SIGINT, interrupt)
        shown = True  # (False once this process's own output is closed, as by `| head`: the build goes on)
        try:
            for line in channel:
                message = json.loads(line)
                if "status" in message:
                    if message.get("retired"):
                        start(ident, os.getcwd(), output_dir)
                    return int(message["status"])
                if shown:
                    try:
                        stream = sys.stdout if message.get("to") == "out" else sys.stderr
                        stream.write(message.get("text", ""))
                        stream.flush()
                    except (OSError, ValueError):
                        shown = False
        except (OSError, ValueError):
            pass
        finally:
            signal.signal(signal.SIGINT, previous)
    if interrupted.is_set():  # (the server ended as it stopped the build)
        print("Interrupted: the previous brief was left as it was.", file=sys.stderr)
        return INTERRUPTED
    print("The build server ended before the build did; building here.", file=sys.stderr, flush=True)
    return None


def start(ident: str, cwd: str, output_dir: Path | None = None) -> None:
    """Start a server of identity `ident` in `cwd`, unless one is up (it warms up for `output_dir`'s last edition). An empty `ident`: none is started."""
    if not ident:
        return
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with probe:
        with contextlib.suppress(OSError):
            probe.connect(str(socket_path(ident)))
            return  # one is up
    command = [sys.executable, *subprocess._args_from_interpreter_flags(), "-m", "brief.engine.server", ident]  # (with this Python's flags, as multiprocessing does)
    if output_dir is not None:
        command.append(str(output_dir))
    subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)


# ------------------------------------------------------------------------------------- the server


class _Stream:
    """sys.stdout or sys.stderr of a build on the server: each write goes to the client as it comes."""

    encoding = "utf-8"

    def __init__(self, channel, lock: threading.Lock, to: str):
        self._channel, self._lock, self._to = channel, lock, to

    def write(self, text: str) -> int:
        if text:
            with contextlib.suppress(OSError, ValueError):  # the client went away: the build goes on (it was told to stop)
                _send(self._channel, self._lock, {"to": self._to, "text": text})
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _warm_up(output_dir: str | None) -> None:
    """Import what a build imports, and lay out `output_dir`'s last edition (as a build's own warm-up does)."""
    import nbclient  # noqa: F401
    import papermill  # noqa: F401

    from brief.config import CACHE_DIRNAME
    from brief.engine.build import warm_renderer
    from brief.engine.cache import Cache

    warm_renderer(Cache(Path(output_dir) / CACHE_DIRNAME) if output_dir else None, ("html", "pdf"))


def code_status() -> list:
    """The status (path, modification time, size) of the files whose change changes the code's digest
    (brief.engine.cache.code_digest), and of the libraries' folders: a server whose code or libraries
    changed ends (its builds would be stale)."""
    from brief.engine.cache import code_files

    status: list = _libraries()
    for path in code_files():
        with contextlib.suppress(OSError):
            stat = os.stat(path)
            status.append((str(path), stat.st_mtime_ns, stat.st_size))
    return status


def _resident_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


HANDSHAKE_SECONDS = 5  # for a client to say what it wants (then it may take as long as its build)
TERMINATING = threading.Event()  # set by SIGTERM: the build under way stops as at Ctrl-C, and the server ends


def _serve_one(connection, ident: str, leave: Callable[[], None], home_cwd: str) -> bool:
    """Run one client's build; whether the server should end now (then `leave` is called before the
    client is told, so that the client starts the next server). A newer server of the same working
    folder (`home_cwd`) asks an idle one to leave: one per folder."""
    from brief.engine import cli

    connection.settimeout(HANDSHAKE_SECONDS)
    with connection.makefile("rwb") as channel:
        lock = threading.Lock()
        try:
            request = json.loads(channel.readline() or b"{}")
            if request.get("leave") == home_cwd:
                return True
            if request.get("identity") != ident:  # (a probe that looks for a server, or no client of ours)
                _send(channel, lock, {"accepted": False, "why": "another identity"})
                return False
            os.chdir(request["cwd"])  # (a build changes the working folder: papermill runs each notebook in notebooks/)
            os.environ.clear()
            os.environ.update(request["env"])  # (IMPORT_ENV is the server's already; the rest is the command line's)
            _send(channel, lock, {"accepted": True, "pid": os.getpid()})
            connection.settimeout(None)
        except (OSError, ValueError, KeyError, TypeError):
            return False
        running, stopping = threading.Event(), threading.Lock()
        running.set()

        def listen() -> None:  # Ctrl-C at the client, or the client gone: the build stops as at Ctrl-C
            with contextlib.suppress(OSError, ValueError):
                for line in channel:
                    if json.loads(line).get("interrupt"):
                        break
            with stopping:
                if running.is_set():
                    signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)

        threading.Thread(target=listen, daemon=True, name="client").start()
        saved = sys.stdout, sys.stderr
        retire = True  # (unless the build ended as builds end)
        try:
            sys.stdout, sys.stderr = _Stream(channel, lock, "out"), _Stream(channel, lock, "err")
            try:
                try:
                    status = cli.main(list(request.get("argv") or []))
                    retire = status == cli.INTERRUPTED or TERMINATING.is_set()
                finally:
                    with stopping:
                        running.clear()
            except KeyboardInterrupt:
                status = cli.INTERRUPTED
            except BaseException:  # noqa: BLE001 (what escapes the command line is reported, and ends the server)
                import traceback

                print(f"error: the build server failed:\n{traceback.format_exc()}", file=sys.stderr)
                status = 1
            finally:
                sys.stdout, sys.stderr = saved
            retire = retire or _resident_mb() > RETIRE_MB
            if retire:
                leave()
            with contextlib.suppress(OSError, ValueError):  # (no new server for a server told to end from outside)
                _send(channel, lock, {"status": status, "retired": retire and not TERMINATING.is_set()})
        finally:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)  # (ends the listening thread's read, which closing the channel waits for)
    return retire


def serve(ident: str, output_dir: str | None = None) -> None:
    """Serve builds on this identity's socket until idle for kept_seconds(), or told to end. Builds run
    on the main thread (Ctrl-C reaches them there); a client that comes during one is told to build
    in its own process. One server per identity (it holds a lock on a file beside its socket) and per
    working folder (it asks the others there to leave)."""
    global SERVING
    SERVING = True
    main = threading.main_thread().ident

    def terminate(*_) -> None:  # (ended from outside: as at Ctrl-C, the build stops, and the socket is removed)
        TERMINATING.set()
        signal.pthread_kill(main, signal.SIGINT)

    signal.signal(signal.SIGINT, signal.default_int_handler)  # (whoever started it may have ignored SIGINT: a client's Ctrl-C comes as one)
    signal.signal(signal.SIGTERM, terminate)
    from brief.engine.cli import skip_slow_imports

    skip_slow_imports()
    if not _home_is_private() or identity() != ident:  # (the code changed since the command line that started it looked)
        return
    lock_file = open(_lock_path(ident), "a")  # noqa: SIM115 (held for the server's life)
    if not _lock(lock_file):
        return
    _sweep()
    path = socket_path(ident)
    path.unlink(missing_ok=True)  # (of a server that ended without removing it: none other holds the lock)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    bound = os.stat(path).st_ino

    def ours() -> bool:
        with contextlib.suppress(OSError):
            return os.stat(path).st_ino == bound
        return False

    def leave() -> None:
        with contextlib.suppress(OSError):
            if ours():
                path.unlink()

    listener.listen(4)
    home_cwd = os.getcwd()
    _ask_to_leave(path, home_cwd)
    clients: queue.Queue = queue.Queue()
    busy = threading.Event()

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:  # closed as the server ends, or it cannot accept (no file descriptor left): it ends
                leave()
                return
            if busy.is_set():  # a build is under way
                with connection, contextlib.suppress(OSError):
                    connection.sendall(b'{"accepted": false, "why": "busy"}\n')
                continue
            busy.set()
            clients.put(connection)

    threading.Thread(target=accept, daemon=True, name="accept").start()
    threading.Thread(target=_warm_up, args=(output_dir,), daemon=True, name="warm-up").start()
    code = code_status()
    idle_since = time.monotonic()
    try:
        while time.monotonic() - idle_since < kept_seconds() and ours() and code_status() == code and not TERMINATING.is_set():
            try:
                connection = clients.get(timeout=ACCEPT_TICK)
            except queue.Empty:
                continue
            try:
                with connection:
                    if _serve_one(connection, ident, leave, home_cwd):
                        break
            except OSError:  # the client went away (a probe that looked for a server): nothing to tell it
                pass
            finally:
                busy.clear()
            idle_since = time.monotonic()
    except KeyboardInterrupt:  # SIGTERM while idle, or a client's Ctrl-C that came as its build ended
        pass
    finally:
        leave()
        listener.close()
        lock_file.close()


def _ask_to_leave(own: Path, cwd: str) -> None:
    """Ask the idle servers of other identities in the working folder `cwd` to end (a busy one says so, and stays)."""
    for other in home().glob("*.sock"):
        if other == own:
            continue
        with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(2)
            connection.connect(str(other))
            connection.sendall((json.dumps({"leave": cwd}) + "\n").encode("utf-8"))


def _sweep(days: float = 1) -> None:
    """Remove the sockets that ended servers left (killed: no server holds their lock), and their lock
    files once `days` old (a younger one may be about to be taken by a server starting)."""
    import fcntl

    for lock_path in home().glob("*.lock"):
        with contextlib.suppress(OSError), open(lock_path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # (raises while a server holds it)
            lock_path.with_suffix(".sock").unlink(missing_ok=True)
            if time.time() - os.fstat(handle.fileno()).st_mtime > days * 86400:
                lock_path.unlink()
    for socket_file in home().glob("*.sock"):
        if not socket_file.with_suffix(".lock").exists():
            socket_file.unlink(missing_ok=True)


def _lock(handle, seconds: float = 15) -> bool:
    """Take the lock on `handle`, waiting up to `seconds` for a server that is leaving to end."""
    import fcntl

    deadline = time.monotonic() + seconds
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)


if __name__ == "__main__":  # (run as brief.engine.server, the module the command line imports, not as __main__)
    from brief.engine import server

    server.serve(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
