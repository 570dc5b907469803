"""Faults during a build: a cell that never ends, Ctrl-C, a full disk. Each stops cleanly and loses nothing."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time

import nbformat
import psutil
import pytest

from brief.config import PROJECT_ROOT
from brief.engine import build as build_module
from brief.engine import cli, edition, manifest
from brief.engine.build import build
from brief.engine.cache import Cache
from brief.engine.manifest import Section
from brief.engine.params import build_params
from tests.conftest import kernel_processes

pytestmark = pytest.mark.build


def edition_files(out):
    """What a reader and the next build see: the edition's files, its record and the cache, byte for byte."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file() and p.name != ".build.lock"}


def test_a_cell_that_runs_too_long_is_stopped_and_named(tmp_path, monkeypatch, capsys):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    slow = nbformat.v4.new_notebook()
    slow.cells = [
        nbformat.v4.new_markdown_cell("# A notebook that never ends"),
        nbformat.v4.new_code_cell('as_of: str = "2026-11-22"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import time\ntime.sleep(600)"),
    ]
    slow.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(slow, notebooks / "09_slow.ipynb")
    monkeypatch.setattr(manifest, "NOTEBOOKS_DIR", notebooks)
    monkeypatch.setattr(build_module, "load_manifest", lambda: [Section("slow", "Slow", "09_slow.ipynb")])
    out = tmp_path / "out"
    started = time.perf_counter()
    assert cli.main(["build", "--output-dir", str(out), "--formats", "html", "--cell-timeout", "2"]) == 1
    assert time.perf_counter() - started < 60
    err = capsys.readouterr().err
    # cell 4 of the executed copy: papermill injects the parameters after cell 2
    assert "Timeout waiting" not in err
    assert "error: notebook 09_slow.ipynb failed at cell 4 of the executed copy: the cell ran longer than 2 s (the limit is set with --cell-timeout SECONDS)" in err
    assert (out / "failed" / "09_slow.ipynb").exists() and not list(out.glob(".staging*"))


def test_ctrl_c_stops_the_build_at_once_and_a_second_build_works(tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "brief", "build", "--output-dir", str(out), "--formats", "html", "--countries", "FI"]
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stderr=subprocess.PIPE, text=True, start_new_session=True)
    lines = []
    for line in process.stderr:  # wait until notebooks run
        lines.append(line)
        if "running" in line:
            break
    time.sleep(1.5)
    kernels = kernel_processes(process.pid)
    assert kernels, "no kernel was running"
    interrupted = time.perf_counter()
    os.killpg(process.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    rest = process.stderr.read()
    process.wait(timeout=30)
    stopped = time.perf_counter() - interrupted
    assert process.returncode == 130
    assert stopped < 4, f"took {stopped:.1f} s to stop"
    assert "Traceback" not in rest and rest.rstrip().splitlines()[-1] == "Interrupted: the previous brief was left as it was."
    assert len([line for line in rest.rstrip().splitlines() if not line.startswith("  ")]) == 1, rest  # the progress lines are indented
    assert not any(k.is_running() and k.status() != psutil.STATUS_ZOMBIE for k in kernels), "a kernel was left running"
    assert not list(out.glob(".staging*"))
    again = build(build_params(output_dir=out, formats="html", countries="FI"), log=lambda m: None)
    assert again.rendered and (out / "brief.html").exists()


def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(args[0]) if args else None)


def compile_half_a_pdf(doc, target):
    target.write_bytes(b"%PDF-1.7 half")
    no_space(target)


@pytest.mark.parametrize("where", ["pdf", "record"])
def test_a_full_disk_gives_one_message_and_loses_nothing(built_brief, tmp_path, monkeypatch, capsys, where):
    out = tmp_path / "out"
    shutil.copytree(built_brief, out)
    before = edition_files(out)
    if where == "pdf":
        from brief.engine import typst_pdf

        monkeypatch.setattr(typst_pdf, "compile_pdf", compile_half_a_pdf)  # (on the compiler's thread)
    else:
        monkeypatch.setattr(edition, "write_json_object", no_space)
    assert cli.main(["build", "--output-dir", str(out), "--formats", "pdf"]) == 1
    err = capsys.readouterr().err
    assert "error: the disk is full" in err and "No space left on device" in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if line.startswith("error")]) == 1
    assert edition_files(out) == before, "the edition, its record or the cache changed"
    assert not list(out.glob(".staging*")) and not list(out.rglob("*.tmp"))
    cache = Cache(out / ".cache")
    assert all(cache.lookup(Section(e.parent.name, "", ""), e.name) for e in (out / ".cache" / "sections").glob("*/*"))


def test_a_second_build_into_a_folder_being_built_stops_and_the_first_finishes(tmp_path, capsys):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "brief", "build", "--output-dir", str(out), "--formats", "html", "--countries", "FI"]
    first = subprocess.Popen(command, cwd=PROJECT_ROOT, stderr=subprocess.PIPE, text=True)
    for line in first.stderr:
        if "running" in line:
            break
    assert cli.main(["build", "--output-dir", str(out), "--formats", "html"]) == 1
    assert f"error: another build is writing to {out.resolve()}; wait for it to finish, or build into another --output-dir" in capsys.readouterr().err
    first.stderr.read()
    assert first.wait(timeout=300) == 0
    record = edition.read_record(out)
    assert record["formats"] == ["html"] and edition.intact(record, out) and edition.foreign_files(out) == []


def test_a_data_check_that_cannot_finish_is_one_error_and_publishes_nothing(built_brief, data_copy, tmp_path, monkeypatch, capsys):
    """A check whose process dies has neither passed nor failed the data: nothing is published, and no traceback is shown."""
    from brief.engine import data_check
    from brief.errors import CheckError

    def died(data_dir, niceness=0):
        raise CheckError("the data check ended before it finished: MemoryError: out of memory")

    out = tmp_path / "out"
    shutil.copytree(built_brief, out)
    before = edition_files(out)
    readme = data_copy / "README.md"  # (read by no notebook: the check runs first, no kernel starts)
    readme.write_text(readme.read_text(encoding="utf-8") + "\nA note.\n", encoding="utf-8")
    monkeypatch.setattr(data_check, "problems_in_child", died)
    assert cli.main(["build", "--data-dir", str(data_copy), "--output-dir", str(out)]) == 1
    err = capsys.readouterr().err
    assert "error: the data check ended before it finished: MemoryError: out of memory" in err and "Traceback" not in err
    assert edition_files(out) == before
