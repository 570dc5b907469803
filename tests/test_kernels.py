"""Warm kernels: a notebook on one, new or used before, runs as on a fresh kernel, and no kernel outlives its pool."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import papermill
import psutil
import pytest

from brief.config import KERNEL_NAME
from brief.engine.kernels import PRELOAD_MODULES, Kept, KernelPool, KernelStartError, start_kernel
from tests.conftest import kernel_processes

pytestmark = pytest.mark.build


def _kernels() -> list[psutil.Process]:
    return kernel_processes()


def _run(source: str, tmp_path, kernel=None) -> str:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    notebook.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    path = tmp_path / "probe.ipynb"
    nbformat.write(notebook, str(path))
    papermill.execute_notebook(str(path), str(path), kernel_name=KERNEL_NAME, progress_bar=False, km=kernel)
    return "".join(o.get("text", "") for o in nbformat.read(str(path), as_version=4).cells[0].outputs)


PROBE = """print(sorted(n for n in dir() if not n.startswith("_") and n not in ("In", "Out", "exit", "quit", "get_ipython", "open")))
import sys
print(all(m in sys.modules for m in MODULES))
print(get_ipython().execution_count)
"""


def test_a_warm_kernel_has_the_libraries_loaded_but_no_names_bound(tmp_path):
    probe = PROBE.replace("MODULES", repr(PRELOAD_MODULES))
    pool = KernelPool(size=1)
    try:
        kernel = pool.take()
        warm = _run(probe, tmp_path, kernel).splitlines()
        pool.done(kernel)
    finally:
        pool.close()
    fresh = _run(probe, tmp_path).splitlines()
    assert warm[0] == fresh[0] == "[]"  # the notebook sees an empty namespace, as in JupyterLab
    assert warm[1] == "True" and fresh[1] == "False"  # but finds the stack imported
    assert warm[2] == fresh[2]  # the preload left no trace in the execution count


def test_the_pool_starts_no_more_than_its_size_and_close_stops_every_kernel():
    before = {p.pid for p in _kernels()}
    pool = KernelPool(size=2)
    first, second = pool.take(), pool.take()
    pool.done(first)
    assert pool.take() is first  # used again, not replaced
    pool.done(second, reuse=False)  # (a failed notebook's kernel) stopped; the next take() starts one
    third = pool.take()
    assert third is not second and pool.started == 3
    pool.close()  # stops the ones in use
    leftover = [p for p in _kernels() if p.pid not in before]
    gone, alive = psutil.wait_procs(leftover, timeout=20)
    assert not alive


def _fake_start(monkeypatch, fail_first: int):
    """start_kernel replaced: its first `fail_first` calls end as a kernel that died while it started."""
    import threading
    from types import SimpleNamespace

    from brief.engine import kernels

    class FakeManager:  # what the pool and stop_kernel look at
        provisioner = SimpleNamespace(process=None)
        connection_file = None

        def cleanup_ipc_files(self):
            pass

    calls = []
    lock = threading.Lock()

    def start(launched=lambda manager: None, **_):
        with lock:
            calls.append(1)
            number = len(calls)
        time.sleep(0.2)
        manager = FakeManager()
        launched(manager)
        if number <= fail_first:
            raise kernels.KernelStartError("a kernel did not start: the kernel's process ended while it started", process_ended=True)
        return manager

    monkeypatch.setattr(kernels, "start_kernel", start)
    return calls


def _take_in_threads(pool, count: int) -> list:
    """What `count` threads taking a kernel at once got (a manager or the exception), within 20 s."""
    import threading

    got: list = []

    def take():
        try:
            got.append(pool.take())
        except KernelStartError as exc:
            got.append(exc)

    threads = [threading.Thread(target=take, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not any(thread.is_alive() for thread in threads), "a take() still waits for a kernel that will never come"
    return got


def test_a_kernel_that_cannot_start_fails_every_take_those_waiting_included(monkeypatch):
    calls = _fake_start(monkeypatch, fail_first=99)
    pool = KernelPool(size=2)
    try:
        got = _take_in_threads(pool, 4)  # (a build's four notebook threads share two kernels)
    finally:
        pool.close()
    assert len(got) == 4 and all(isinstance(g, KernelStartError) and "ended while it started" in str(g) for g in got)
    assert len(calls) == 4  # each of the two kernels started twice, then no more


def test_a_kernel_whose_process_ended_while_it_started_is_started_once_more(monkeypatch):
    calls = _fake_start(monkeypatch, fail_first=1)
    pool = KernelPool(size=2)
    try:
        got = _take_in_threads(pool, 2)
    finally:
        pool.close()
    assert len(calls) == 3 and pool.started == 3
    assert not any(isinstance(g, Exception) for g in got) and got[0] is not got[1]


def _in_thread(call):
    """Start `call` on a thread; the list it fills with its result, and the thread."""
    import threading

    got: list = []
    thread = threading.Thread(target=lambda: got.append(call()), daemon=True)
    thread.start()
    return got, thread


def test_one_waiting_for_a_kernel_gets_a_new_one_when_the_one_in_use_is_stopped(monkeypatch):
    calls = _fake_start(monkeypatch, fail_first=0)
    pool = KernelPool(size=1)
    try:
        first = pool.take()
        got, waiting = _in_thread(pool.take)
        time.sleep(0.5)  # (it waits: the pool's one kernel is in use)
        assert waiting.is_alive()
        pool.done(first, reuse=False)  # (its notebook failed: stopped, not handed out again)
        waiting.join(timeout=10)
        assert not waiting.is_alive() and got[0] is not first and len(calls) == 2
    finally:
        pool.close()


def test_one_waiting_for_a_kernel_stops_waiting_when_told_and_starts_none(monkeypatch):
    import threading

    calls = _fake_start(monkeypatch, fail_first=0)
    pool = KernelPool(size=1)
    try:
        first = pool.take()
        stop = threading.Event()
        got, waiting = _in_thread(lambda: pool.take(give_up=stop.is_set))
        time.sleep(0.3)
        stop.set()  # (another notebook failed, or the data)
        pool.done(first, reuse=False)
        waiting.join(timeout=5)
        assert not waiting.is_alive() and got == [None] and len(calls) == 1
    finally:
        pool.close()


def test_a_kernel_that_dies_while_it_starts_is_reported_with_its_last_words(tmp_path):
    (tmp_path / "sitecustomize.py").write_text('import os, sys\nsys.stderr.write("no room for a kernel here\\n")\nsys.stderr.flush()\nos._exit(3)\n')
    with pytest.raises(KernelStartError, match="ended while it started; its last words: no room for a kernel here") as raised:
        start_kernel(env={"PYTHONPATH": str(tmp_path)})
    assert raised.value.process_ended


def test_a_build_whose_kernels_cannot_start_fails_at_once_and_publishes_nothing(monkeypatch, data_copy, tmp_path):
    from brief.engine.params import build_params
    from tests.conftest import failure_of_build

    _fake_start(monkeypatch, fail_first=99)
    error = failure_of_build(build_params(data_dir=data_copy, output_dir=tmp_path / "out"), seconds=60)
    assert isinstance(error, KernelStartError) and "ended while it started" in str(error)
    assert not (tmp_path / "out" / "brief.html").exists()


# A notebook that changes everything a later one could notice.
LITTER = """import os, sys, warnings
import matplotlib, matplotlib.pyplot as plt
import pandas as pd
secret = 42
plt.figure()
matplotlib.rcParams["lines.linewidth"] = 9
pd.set_option("display.max_rows", 3)
warnings.simplefilter("error")
os.chdir("/")
sys.path.insert(0, "/nowhere")
os.environ["BRIEF_LITTER"] = "1"
"""

LOOK = """import os, sys, warnings
import matplotlib, matplotlib.pyplot as plt
import pandas as pd
print(sorted(n for n in dir() if not n.startswith("_") and n not in ("In", "Out", "exit", "quit", "get_ipython", "open", "os", "sys", "warnings", "matplotlib", "plt", "pd")))
print(plt.get_fignums(), matplotlib.rcParams["lines.linewidth"], pd.get_option("display.max_rows"))
print(warnings.filters[0][0], os.getcwd(), sys.path[0] == "/nowhere", "BRIEF_LITTER" in os.environ)
print(get_ipython().execution_count)
"""


def test_a_kernel_used_again_shows_the_next_notebook_nothing_of_the_last(tmp_path):
    pool = KernelPool(size=2)
    try:
        kernel, new = pool.take(), pool.take()
        fresh = _run(LOOK, tmp_path, new)  # a kernel's first notebook
        _run(LITTER, tmp_path, kernel)
        pool.done(kernel)
        again = pool.take()
        assert again is kernel
        used = _run(LOOK, tmp_path, again)
    finally:
        pool.close()
    assert used == fresh
    assert used.splitlines()[0] == "[]" and "/nowhere" not in used


# ---------------------------------------------------------------------------- kernels kept for the next build


def _ended(pid: int, within: float = 20) -> bool:
    """Whether the process `pid` has ended (or is a zombie this test process has not reaped) within `within` seconds."""
    import time

    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.2)
    return False


def _keep_one(kept: Kept, tmp_path, source: str = "kept_name = 1") -> int:
    """Run a notebook on a pool that keeps its kernel; the kept kernel's pid."""
    with KernelPool(size=1, kept=kept) as pool:
        kernel = pool.take()
        _run(source, tmp_path, kernel)
        pool.done(kernel)
        pid = kernel.provisioner.process.pid
    assert len(list(kept.home.glob("*.json"))) == 1 and not _ended(pid, within=0.5)
    return pid


def test_a_kept_kernel_serves_the_next_pool_clean_and_a_pool_that_keeps_none_stops_it(tmp_path):
    kept = Kept(home=tmp_path / "kept", seconds=60, identity="code 1")
    pid = _keep_one(kept, tmp_path, LITTER)
    pool = KernelPool(size=1, kept=kept)
    try:
        kernel = pool.take()
        assert kernel.provisioner.process.pid == pid and (pool.adopted, pool.started) == (1, 0)
        assert not list(kept.home.glob("*.json"))  # taken: recorded again only when kept again
        used = _run(LOOK, tmp_path, kernel)
        pool.done(kernel)
    finally:
        pool.close()  # keep=False: stopped, and its connection file (written by the first pool) removed
    assert not Path(kernel.connection_file).exists()
    fresh = KernelPool(size=1)
    try:
        new = fresh.take()
        assert used == _run(LOOK, tmp_path, new)  # the last build's notebook left nothing behind
        fresh.done(new)
    finally:
        fresh.close()
    assert _ended(pid) and not list(kept.home.glob("*.json"))


def test_a_kernel_kept_for_other_code_is_stopped_not_used(tmp_path):
    pid = _keep_one(Kept(home=tmp_path / "kept", seconds=60, identity="code 1"), tmp_path)
    with KernelPool(size=1, kept=Kept(home=tmp_path / "kept", seconds=60, identity="code 2")) as pool:
        kernel = pool.take()
        assert kernel.provisioner.process.pid != pid and (pool.adopted, pool.started) == (0, 1)
        assert _ended(pid)
        pool.done(kernel)
    pool_pid = kernel.provisioner.process.pid
    again = KernelPool(size=1, kept=Kept(home=tmp_path / "kept", seconds=60, identity="code 2"))
    again.close()  # (its starter may not have taken the kernel yet: close stops it either way)
    assert _ended(pool_pid)


def test_a_pool_that_fails_keeps_nothing(tmp_path):
    kept = Kept(home=tmp_path / "kept", seconds=60, identity="code 1")
    with pytest.raises(RuntimeError, match="a notebook failed"):
        with KernelPool(size=1, kept=kept) as pool:
            kernel = pool.take()
            pool.done(kernel)
            raise RuntimeError("a notebook failed")
    assert _ended(kernel.provisioner.process.pid) and not list(kept.home.glob("*.json"))


def test_a_kept_kernel_ends_by_itself_when_idle_or_when_its_folder_is_removed(tmp_path):
    import shutil

    idle = _keep_one(Kept(home=tmp_path / "short", seconds=2, identity="code 1"), tmp_path)
    assert _ended(idle, within=20)
    assert not list((tmp_path / "short").glob("*.json"))  # it removed its record on its way out
    waiting = _keep_one(Kept(home=tmp_path / "long", seconds=600, identity="code 1"), tmp_path)
    shutil.rmtree(tmp_path / "long")  # make clean
    assert _ended(waiting, within=20)


def test_a_build_keeps_its_kernels_and_the_next_build_uses_them_with_the_same_result(data_copy, tmp_path, monkeypatch):
    import json
    import shutil

    from brief.config import KEEP_KERNELS_ENV
    from brief.engine.build import build
    from brief.engine.params import build_params
    from tests.conftest import edit_csv

    def kept(out) -> set[int]:
        return {json.loads(p.read_text(encoding="utf-8"))["pid"] for p in (out / ".cache" / "kernels").glob("*.json")}

    monkeypatch.setenv(KEEP_KERNELS_ENV, "120")
    out = tmp_path / "kept"
    build(build_params(data_dir=data_copy, output_dir=out, formats="html"), log=lambda m: None)
    first = kept(out)
    assert len(first) == 2 and not any(_ended(pid, within=0.2) for pid in first)
    edit_csv(data_copy / "casualties.csv", "no split found", "no split was found")
    again = build(build_params(data_dir=data_copy, output_dir=out, formats="html"), log=lambda m: None)
    assert set(again.executed) == {"04_humanitarian.ipynb", "06_outlook.ipynb", "07_methods.ipynb"}  # (three notebooks for the two kernels)
    assert kept(out) == first  # the same two processes ran the notebooks, and are kept again
    from brief.engine import data_check

    def no_child(*args):
        raise AssertionError("the check started a child process")

    child = data_check.problems_in_child
    monkeypatch.setattr(data_check, "problems_in_child", no_child)
    edit_csv(data_copy / "borders.csv", "FI-RU-factbook,FI,russia,factbook,1309.0", "FI-RU-factbook,FI,russia,factbook,1312.0")
    one = build(build_params(data_dir=data_copy, output_dir=out, formats="html"), log=lambda m: None)
    assert "03_rationales.ipynb" in one.executed  # (its dependants wait for it: the other kernel checked the data)
    assert kept(out) == first
    monkeypatch.setattr(data_check, "problems_in_child", child)
    monkeypatch.setenv(KEEP_KERNELS_ENV, "0")
    fresh = tmp_path / "fresh"
    build(build_params(data_dir=data_copy, output_dir=fresh, formats="html"), log=lambda m: None)
    assert not (fresh / ".cache" / "kernels").exists() or not kept(fresh)
    assert (out / "brief.html").read_bytes() == (fresh / "brief.html").read_bytes()
    monkeypatch.setenv(KEEP_KERNELS_ENV, "soon")
    with pytest.raises(ValueError, match="BRIEF_KEEP_KERNELS='soon' is not a number of seconds"):
        build(build_params(data_dir=data_copy, output_dir=out, formats="html", force=True), log=lambda m: None)
    assert kept(out) == first  # a build that stops at its settings touches no kernel
    shutil.rmtree(out / ".cache")  # make clean
    assert all(_ended(pid) for pid in first)


def test_ctrl_c_stops_this_builds_kernels_not_those_kept_for_another_output_folder(tmp_path):
    """A build server has among its children the kernels it keeps for other output folders: a Ctrl-C stops only the build's own."""
    import os
    import subprocess
    import sys

    from brief.engine.build import _stop_kernels
    from brief.engine.kernels import KEPT_HOME_ENV

    def fake_kernel(home: str | None):  # (a process that kernels.is_kernel takes for a kernel)
        env = {k: v for k, v in os.environ.items() if k != KEPT_HOME_ENV} | ({KEPT_HOME_ENV: home} if home else {})
        return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "ipykernel_launcher"], env=env)

    this, other, unkept = fake_kernel(str(tmp_path / "this")), fake_kernel(str(tmp_path / "other")), fake_kernel(None)
    try:
        time.sleep(0.3)
        _stop_kernels(tmp_path / "this")
        assert this.wait(timeout=5) is not None
        assert other.poll() is None and unkept.poll() is None  # another folder's, and one of a build that keeps none
        _stop_kernels(None)
        assert unkept.wait(timeout=5) is not None and other.poll() is None
    finally:
        for process in (this, other, unkept):
            process.kill()
            process.wait()
