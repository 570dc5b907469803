"""The build's data check in a child process reports what brief.data reports in-process."""

from __future__ import annotations

import sys

import pytest

from brief import data
from brief.engine.data_check import check_in_child, problems_in_child
from brief.errors import DataError
from tests.conftest import edit_csv


def test_the_child_finds_the_same_problems_as_validation_in_process(data_copy):
    edit_csv(data_copy / "events.csv", "EE-03,2025-06-04", "EE-03,2025-06-40")
    edit_csv(data_copy / "borders.csv", ",324.0,", ",32x,")
    (data_copy / "statements.csv").write_bytes((data_copy / "statements.csv").read_bytes() + "S-999,Šiauliai “x”\n".encode())

    in_child = problems_in_child(data_copy)

    assert in_child == data.validation_problems(data_copy)
    assert {p.file for p in in_child} >= {"events.csv", "borders.csv", "statements.csv"}
    with pytest.raises(DataError) as info:
        check_in_child(data_copy)
    assert info.value.problems == in_child


def test_valid_data_passes_in_the_child(data_copy):
    assert problems_in_child(data_copy) == []
    check_in_child(data_copy)


def test_a_child_that_crashes_is_an_error_naming_its_last_words(data_copy, tmp_path, monkeypatch):
    crashing = tmp_path / "python"
    crashing.write_text("#!/bin/sh\necho 'MemoryError: out of memory' >&2\nexit 3\n", encoding="utf-8")
    crashing.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(crashing))
    with pytest.raises(RuntimeError, match="the data check ended before it finished: MemoryError: out of memory"):
        check_in_child(data_copy)
    monkeypatch.setattr(sys, "executable", "/bin/false")
    with pytest.raises(RuntimeError, match="before it finished: exit status 1"):
        check_in_child(data_copy)
