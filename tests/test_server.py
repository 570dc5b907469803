"""The build server (brief/engine/server.py): the command line's builds run there once one is up, with
the same result, errors and Ctrl-C as in place; it serves only its own identity, and ends by itself."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from brief.config import KEEP_KERNELS_ENV, PROJECT_ROOT
from brief.engine import cli
from brief.engine.build import build
from brief.engine.kernels import is_kernel
from brief.engine.params import build_params
from tests.conftest import edit_csv

pytestmark = pytest.mark.build

SERVED = re.compile(r"^Building on the build server \(pid (\d+)\)", re.M)


def tagged(tag: str, what=lambda process: "brief.engine.server" in " ".join(process.cmdline())) -> list[psutil.Process]:
    """The live processes started with BRIEF_TEST_TAG=`tag` (each test's servers have an identity of their own) that are `what` (a server)."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("BRIEF_TEST_TAG") == tag and process.status() != psutil.STATUS_ZOMBIE and what(process):
                found.append(process)
        except psutil.Error:
            pass
    return found


def servers(tag: str) -> list[psutil.Process]:
    return tagged(tag)


def listening(server: psutil.Process) -> str:
    """The path of the socket `server` listens on ("" before it does)."""
    paths = [c.laddr for c in server.net_connections(kind="unix") if c.laddr and c.laddr.endswith(".sock")]
    return paths[0] if paths else ""


def wait_for(condition, seconds: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds:g} s: {what}"
        time.sleep(0.2)


@pytest.fixture
def kept_env(tmp_path):
    """An environment that keeps kernels (and so starts servers), of an identity no other test shares;
    what it started is stopped afterwards."""
    tag = str(tmp_path)
    env = {**os.environ, KEEP_KERNELS_ENV: "120", "BRIEF_TEST_TAG": tag}
    yield env
    for process in tagged(tag, lambda process: True):  # its servers, and the kernels their builds kept
        process.kill()


def run_cli(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "brief", "build", *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_builds_run_on_the_server_with_the_same_result_and_errors(data_copy, tmp_path, kept_env, capsys, monkeypatch):
    out = tmp_path / "out"

    def relative(path) -> str:  # as typed at the project's root (the server must work there too)
        return os.path.relpath(path, PROJECT_ROOT)

    args = ("--data-dir", relative(data_copy), "--output-dir", relative(out), "--formats", "html", "--countries", "FI,EE")
    first = run_cli(kept_env, *args)
    assert first.returncode == 0, first.stderr
    assert not SERVED.search(first.stderr)  # no server was up: the build ran in place, and started one
    wait_for(lambda: servers(kept_env["BRIEF_TEST_TAG"]), what="a server started")
    (server,) = servers(kept_env["BRIEF_TEST_TAG"])
    wait_for(lambda: listening(server), 30, "the server listened")
    with socket.socket(socket.AF_UNIX) as probe:  # what a build that finds the server busy does as it ends: it looks for one
        probe.connect(listening(server))

    edit_csv(data_copy / "borders.csv", "FI-RU-factbook,FI,russia,factbook,1309.0", "FI-RU-factbook,FI,russia,factbook,1312.0")
    second = run_cli(kept_env, *args)
    assert second.returncode == 0, second.stderr
    assert SERVED.search(second.stderr).group(1) == str(server.pid)
    assert re.search(r"^  ran     03_rationales\.ipynb", second.stderr, re.M) and "Brief written to" in second.stderr
    fresh = tmp_path / "fresh"  # the same data, built in this process with no kernels kept
    build(build_params(data_dir=data_copy, output_dir=fresh, formats="html", countries="FI,EE"), log=lambda m: None)
    assert (out / "brief.html").read_bytes() == (fresh / "brief.html").read_bytes()

    edit_csv(data_copy / "borders.csv", "FI-RU-factbook,FI,russia,factbook,1312.0", "FI-RU-factbook,FI,russia,factbook,-5")
    bad = run_cli(kept_env, *args)
    assert bad.returncode == 1 and SERVED.search(bad.stderr)
    monkeypatch.chdir(PROJECT_ROOT)
    assert cli.main(["build", *args]) == 1  # in place (this process keeps no kernels): the same report
    here = capsys.readouterr().err
    assert [line for line in bad.stderr.splitlines() if line.startswith("error")] == [line for line in here.splitlines() if line.startswith("error")]
    assert "borders.csv" in here and "Traceback" not in bad.stderr

    edit_csv(data_copy / "borders.csv", "FI-RU-factbook,FI,russia,factbook,-5", "FI-RU-factbook,FI,russia,factbook,1312.0")
    terminal = run_cli({**kept_env, "COLUMNS": "211", "OLDPWD": "/"}, *args)  # what a shell changes from one command to the next
    assert SERVED.search(terminal.stderr).group(1) == str(server.pid) and terminal.returncode == 0
    other = run_cli({**kept_env, "BRIEF_SOMETHING_ELSE": "1"}, *args)  # another setting: another identity
    assert other.returncode == 0 and not SERVED.search(other.stderr)
    wait_for(lambda: len(servers(kept_env["BRIEF_TEST_TAG"])) == 1 and not server.is_running(), 30,
             "the new server, of the same working folder, replaced the idle one")


def test_ctrl_c_at_the_command_line_stops_the_build_on_the_server(tmp_path, kept_env):
    out = tmp_path / "out"
    args = ["--output-dir", str(out), "--formats", "html", "--countries", "FI"]
    assert run_cli(kept_env, *args).returncode == 0
    wait_for(lambda: servers(kept_env["BRIEF_TEST_TAG"]), what="a server started")
    (server,) = servers(kept_env["BRIEF_TEST_TAG"])
    process = subprocess.Popen([sys.executable, "-m", "brief", "build", *args, "--force"], cwd=PROJECT_ROOT, env=kept_env,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    for line in process.stderr:  # wait until notebooks run
        if "running" in line:
            break
    time.sleep(1.5)
    kernels = tagged(kept_env["BRIEF_TEST_TAG"], is_kernel)
    assert kernels, "no kernel was running"
    os.killpg(process.pid, signal.SIGINT)  # what the terminal does on Ctrl-C (the server is in a session of its own)
    rest = process.stderr.read()
    assert process.wait(timeout=30) == 130
    assert "Traceback" not in rest and rest.rstrip().splitlines()[-1] == "Interrupted: the previous brief was left as it was."
    wait_for(lambda: not tagged(kept_env["BRIEF_TEST_TAG"], is_kernel), 10, "the kernels stopped")
    wait_for(lambda: not server.is_running() or server.status() == psutil.STATUS_ZOMBIE, 10, "the server ended (it does after an interrupted build)")
    assert not list(out.glob(".staging*"))


def test_an_idle_server_ends_and_removes_its_socket(tmp_path):
    from brief.engine import server

    env = {**os.environ, KEEP_KERNELS_ENV: "1", "BRIEF_TEST_TAG": str(tmp_path)}
    ident = subprocess.run([sys.executable, "-c", "from brief.engine import server; print(server.identity())"], cwd=PROJECT_ROOT, env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    process = subprocess.Popen([sys.executable, "-m", "brief.engine.server", ident], cwd=PROJECT_ROOT, env=env)
    socket_file = Path(server.socket_path(ident))
    wait_for(socket_file.exists, 30, "the server listened")
    assert process.wait(timeout=30) == 0  # idle for a second, it ended
    assert not socket_file.exists()
