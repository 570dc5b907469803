"""Warm kernels: a notebook on one, new or used before, runs as on a fresh kernel, and no kernel outlives its pool."""

from __future__ import annotations

import nbformat
import papermill
import psutil
import pytest

from brief.config import KERNEL_NAME
from brief.engine.kernels import PRELOAD_MODULES, KernelPool

pytestmark = pytest.mark.build


def _kernels() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if "ipykernel_launcher" in " ".join(p.cmdline())]


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
