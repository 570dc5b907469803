"""Shared fixtures: a copy of data/ to break, and one real build of the brief per test session."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from brief.config import DATA_DIR, KEEP_KERNELS_ENV

# Builds in tests keep no kernels for a next build (dozens of folders would each keep two for ten
# minutes); tests/test_kernels.py turns keeping on where it tests it. Subprocesses inherit this.
os.environ[KEEP_KERNELS_ENV] = "0"


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may edit."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit_csv(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


@pytest.fixture(scope="session")
def built_brief(tmp_path_factory) -> Path:
    """The brief built once with default parameters into a temporary folder."""
    from brief.engine.build import build
    from brief.engine.params import build_params

    out = tmp_path_factory.mktemp("brief")
    build(build_params(output_dir=out), log=lambda message: None)
    return out


def failure_of_build(params, seconds: float = 120) -> Exception | None:
    """What a build with `params` raised (None when it succeeded); fails the test if it has not ended within `seconds`."""
    import threading

    from brief.engine.build import build

    outcome: list = []

    def run():
        try:
            build(params, log=lambda message: None)
        except Exception as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=seconds)
    assert not thread.is_alive(), f"the build has not ended after {seconds:g} s"
    return outcome[0] if outcome else None


def kernel_processes(parent_pid: int | None = None) -> list:
    """The live kernel processes under `parent_pid` (default: this one); ended ones not yet reaped are left out."""
    import psutil

    from brief.engine.kernels import is_kernel

    return [process for process in psutil.Process(parent_pid).children(recursive=True) if is_kernel(process)]
