"""The build's data check, in a child process or on a warm kernel, reports what brief.data reports in-process."""

from __future__ import annotations

import sys

import pytest

from brief import data
from brief.engine import data_check
from brief.engine.data_check import check, problems_in_child, problems_in_kernel
from brief.errors import DataError
from tests.conftest import edit_csv


def _break(data_dir) -> None:
    """Three kinds of problem, one of them in non-ASCII text."""
    edit_csv(data_dir / "events.csv", "EE-03,2025-06-04", "EE-03,2025-06-40")
    edit_csv(data_dir / "borders.csv", ",324.0,", ",32x,")
    (data_dir / "statements.csv").write_bytes((data_dir / "statements.csv").read_bytes() + "S-999,Šiauliai “x”\n".encode())


def test_the_child_finds_the_same_problems_as_validation_in_process(data_copy):
    _break(data_copy)

    in_child = problems_in_child(data_copy)

    assert in_child == data.validation_problems(data_copy)
    assert {p.file for p in in_child} >= {"events.csv", "borders.csv", "statements.csv"}
    with pytest.raises(DataError) as info:
        check(data_copy)
    assert info.value.problems == in_child


def test_valid_data_passes_in_the_child(data_copy):
    assert problems_in_child(data_copy) == []
    check(data_copy)


def test_a_child_that_crashes_is_an_error_naming_its_last_words(data_copy, tmp_path, monkeypatch):
    crashing = tmp_path / "python"
    crashing.write_text("#!/bin/sh\necho 'MemoryError: out of memory' >&2\nexit 3\n", encoding="utf-8")
    crashing.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(crashing))
    with pytest.raises(RuntimeError, match="the data check ended before it finished: MemoryError: out of memory"):
        check(data_copy)
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(RuntimeError, match="before it finished: exit status 1"):
        check(data_copy)


# ---------------------------------------------------------------------------- on a warm kernel


@pytest.mark.build
def test_a_warm_kernel_finds_the_same_problems_as_validation_in_process(data_copy):
    from brief.engine.kernels import start_kernel, stop_kernel

    kernel = start_kernel()
    try:
        assert problems_in_kernel(kernel, data_copy) == []
        _break(data_copy)
        on_kernel = problems_in_kernel(kernel, data_copy)
    finally:
        stop_kernel(kernel)
    assert on_kernel == data.validation_problems(data_copy)
    assert len({p.file for p in on_kernel}) == 3


@pytest.mark.build
def test_the_check_runs_on_a_spare_kernel_of_the_pool_and_gives_it_back(data_copy, monkeypatch):
    from brief.engine.kernels import KernelPool

    def no_child(*args):
        raise AssertionError("the check started a child process")

    _break(data_copy)
    with KernelPool(size=2) as pool:
        first, second = pool.take(), pool.take()  # (both started, then ready again)
        pool.done(first), pool.done(second)
        assert pool.settle()
        monkeypatch.setattr(data_check, "problems_in_child", no_child)
        with pytest.raises(DataError) as info:
            check(data_copy, pool=pool)
        assert info.value.problems == data.validation_problems(data_copy)
        ready = [pool.take(), pool.take()]  # (the one that checked is handed out once it is clean)
        assert {id(k) for k in ready} == {id(first), id(second)} and pool.spare() is None  # it came back; no third one
        pool.done(ready[0]), pool.done(ready[1])
        assert pool.started == 2


class _FakePool:
    """A pool with one spare kernel (a stand-in: the kernel's behaviour is patched)."""

    def __init__(self):
        self.returned = []

    def spare(self):
        return "kernel"

    def done(self, manager, reuse=True):
        self.returned.append((manager, reuse))


def test_a_spare_kernel_that_dies_during_the_check_is_stopped_and_the_child_checks(data_copy, monkeypatch):
    from brief.engine.kernels import KernelStartError

    def died(manager, data_dir):
        raise RuntimeError("the kernel was stopped")

    _break(data_copy)
    pool = _FakePool()
    monkeypatch.setattr(data_check, "problems_in_kernel", died)
    with pytest.raises(DataError) as info:
        check(data_copy, pool=pool)
    assert info.value.problems == problems_in_child(data_copy)
    assert pool.returned == [("kernel", False)]

    def crashed(manager, data_dir):
        raise KernelStartError("a kernel could not check the data: MemoryError: ")

    monkeypatch.setattr(data_check, "problems_in_kernel", crashed)
    monkeypatch.setattr(data_check, "problems_in_child", lambda *a: [])
    with pytest.raises(RuntimeError, match="the data check ended before it finished: a kernel could not check the data: MemoryError"):
        check(data_copy, pool=pool)  # a check that fails on a kernel is not taken for a pass elsewhere
    assert pool.returned[-1] == ("kernel", False)


def test_without_a_spare_kernel_the_preview_checks_in_its_own_process(data_copy, monkeypatch):
    def no_child(*args):
        raise AssertionError("the check started a child process")

    _break(data_copy)
    monkeypatch.setattr(data_check, "problems_in_child", no_child)
    with pytest.raises(DataError) as info:
        check(data_copy, here=True)
    assert info.value.problems == data.validation_problems(data_copy)
