"""The live preview: what it serves, what a save re-runs, errors over the last good page, no kernels left behind."""

from __future__ import annotations

import io
import json
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
import zipfile

import psutil
import pytest
from watchfiles import Change

from brief.config import CACHE_DIRNAME, NOTEBOOKS_DIR, PACKAGE_DIR
from brief.engine.manifest import load_manifest
from brief.engine.preview import EVENTS_PATH, State, needs_restart, served_page, watch_filter, watched_paths
from tests.conftest import edit_csv, kernel_processes

PAGE = '<!DOCTYPE html><html lang="en"><head><title>Brief</title></head><body><main><p>Border: 324 km</p></main></body></html>'


def test_the_reload_script_and_bar_are_only_in_the_served_page():
    state = State(generation=3, state="ok", page=PAGE, executed=["03_rationales.ipynb"])
    served = served_page(state)
    assert "<p>Border: 324 km</p>" in served
    assert served.index("brief-preview-style") < served.index("</head>")
    assert served.index("brief-preview-script") < served.index("</body>")
    assert EVENTS_PATH in served and "rebuild 3" in served
    assert "brief-preview" not in PAGE  # the page a build publishes is passed in untouched
    assert 'id="brief-preview-error"' not in served


def test_an_error_is_shown_over_the_last_good_page_and_escaped():
    state = State(generation=4, state="error", error="borders.csv, line 3, column km: '<abc>' is not a number", page=PAGE)
    served = served_page(state)
    assert "<p>Border: 324 km</p>" in served  # the last good version stays underneath
    overlay = re.search(r'<div id="brief-preview-error" role="alert">(.*?)</div>', served, re.S).group(1)
    assert "borders.csv, line 3, column km" in overlay
    assert "&lt;abc&gt;" in overlay and "<abc>" not in overlay


def test_the_token_changes_with_each_finished_rebuild():
    tokens = {State(generation=g, state=s).token() for g, s in [(1, "ok"), (2, "ok"), (2, "error")]}
    assert len(tokens) == 3


def test_it_watches_what_a_build_reads_and_restarts_only_for_package_code(tmp_path):
    paths = watched_paths(type("P", (), {"data_dir": tmp_path})())
    assert tmp_path.resolve() in paths and NOTEBOOKS_DIR.resolve() in paths and PACKAGE_DIR.resolve() in paths
    assert needs_restart({PACKAGE_DIR / "sections" / "after.py"})
    assert not needs_restart({PACKAGE_DIR / "engine" / "templates" / "brief.css", tmp_path / "borders.csv", NOTEBOOKS_DIR / "02_after.ipynb"})
    ignored = watch_filter()
    assert ignored(Change.modified, str(NOTEBOOKS_DIR / "02_after.ipynb"))
    assert not ignored(Change.modified, str(NOTEBOOKS_DIR / ".ipynb_checkpoints" / "02_after-checkpoint.ipynb"))
    assert not ignored(Change.modified, str(PACKAGE_DIR / "__pycache__" / "text.cpython-311.pyc"))


# ---------------------------------------------------------------------------- the real command


def _get(port: int, path: str) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return response.read()


def _status(port: int) -> dict:
    return json.loads(_get(port, "/__preview/status"))


def _wait(port: int, after: int, timeout: float = 180) -> dict:
    """The status once a rebuild later than generation `after` has finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = _status(port)
        if status["generation"] > after and status["state"] != "building":
            return status
        time.sleep(0.1)
    raise AssertionError(f"no rebuild after generation {after} within {timeout} s: {status}")


@pytest.fixture
def preview(built_brief, data_copy, tmp_path):
    """`python -m brief preview` on a copy of the data, its output folder seeded with the session build's cache."""
    output = tmp_path / "out"
    output.mkdir()
    shutil.copytree(built_brief / CACHE_DIRNAME, output / CACHE_DIRNAME)
    process = subprocess.Popen(
        [sys.executable, "-m", "brief", "preview", "--port", "0", "--data-dir", str(data_copy), "--output-dir", str(output)],
        stderr=subprocess.PIPE, text=True,
    )
    try:
        for line in process.stderr:
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
            if found:
                break
        else:
            raise AssertionError("the preview did not say where it serves")
        port = int(found.group(1))
        yield process, port, data_copy, output
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


@pytest.mark.build
def test_preview_reruns_only_what_a_save_affects_shows_errors_and_stops_its_kernels(preview):
    process, port, data, output = preview
    first = _wait(port, 0)
    assert first["state"] == "ok" and first["executed"] == [], first  # everything came from the seeded cache
    page = _get(port, "/").decode()
    assert "brief-preview-script" in page and "Leaving the Mine Ban Treaty" in page

    # A border length: exactly the notebooks that declare borders.csv re-run.
    edit_csv(data / "borders.csv", "EE,russia,factbook,324.0", "EE,russia,factbook,325.0")
    second = _wait(port, first["generation"])
    readers = {s.notebook for s in load_manifest() if "borders.csv" in s.reads}
    assert second["state"] == "ok" and set(second["executed"]) == readers and 0 < len(readers) < len(load_manifest()), second

    # A bad value: an error naming file and line over the last good page; nothing re-runs.
    edit_csv(data / "borders.csv", "EE,russia,factbook,325.0", "EE,russia,factbook,many")
    third = _wait(port, second["generation"])
    assert third["state"] == "error" and "borders.csv" in third["error"] and re.search(r"line \d+", third["error"])
    page = _get(port, "/").decode()
    assert 'id="brief-preview-error"' in page and "Leaving the Mine Ban Treaty" in page
    assert not (output / "brief.html").exists()  # the preview publishes nothing

    # Fixed: the page is good again.
    edit_csv(data / "borders.csv", "EE,russia,factbook,many", "EE,russia,factbook,324.0")
    fourth = _wait(port, third["generation"])
    assert fourth["state"] == "ok" and 'id="brief-preview-error"' not in _get(port, "/").decode()

    # Ctrl-C: the process ends, and with it every kernel it started.
    kernels = kernel_processes(process.pid)
    assert kernels  # warm kernels wait for the next save
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    gone, alive = psutil.wait_procs(kernels, timeout=10)
    assert not alive


@pytest.mark.build
def test_the_pdf_and_the_word_file_are_made_only_on_request(preview):
    process, port, data, output = preview
    _wait(port, 0)
    pdf = _get(port, "/__preview/brief.pdf")
    assert pdf.startswith(b"%PDF")
    # Word, with a picture for every chart of the page (drawn from its SVG: the preview draws no PNG)
    charts = len(re.findall(r'<figure class="chart" id="fig-', _get(port, "/").decode()))
    with zipfile.ZipFile(io.BytesIO(_get(port, "/__preview/brief.docx"))) as docx:
        pictures = [n for n in docx.namelist() if n.startswith("word/media/") and n.endswith(".png")]
        assert "Leaving the Mine Ban Treaty" in docx.read("word/document.xml").decode()
    assert charts > 0 and len(pictures) == charts
    assert not (output / "brief.pdf").exists() and not (output / "brief.docx").exists()


@pytest.mark.build
def test_the_event_stream_announces_the_current_build(preview):
    process, port, data, output = preview
    status = _wait(port, 0)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{EVENTS_PATH}", timeout=30) as stream:
        line = stream.readline().decode()
    assert line.startswith("data: ") and line.strip().endswith(f"-{status['generation']}-ok")

