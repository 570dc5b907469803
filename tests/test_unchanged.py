"""A build with nothing changed is told from the files' status (brief.engine.unchanged)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest

from brief.config import CACHE_DIRNAME, EDITION_RECORD
from brief.engine import unchanged


@pytest.fixture
def built(tmp_path, monkeypatch):
    """A data folder and an output folder with an edition of one file, recorded as built; no racy window."""
    monkeypatch.setattr(unchanged, "RACY_SECONDS", 0.0)
    data, out = tmp_path / "data", tmp_path / "out"
    (data / "sources").mkdir(parents=True)
    (data / "borders.csv").write_text("country,km\nEE,324.0\n", encoding="utf-8")
    (data / "sources" / "a.txt").write_text("text", encoding="utf-8")
    (out / CACHE_DIRNAME / "sections" / "rationales" / "k1").mkdir(parents=True)
    (out / CACHE_DIRNAME / "sections" / "rationales" / "k1" / "notebook.ipynb").write_text("{}", encoding="utf-8")
    (out / "brief.html").write_text("<p>brief</p>", encoding="utf-8")
    (out / EDITION_RECORD).write_text(json.dumps({"files": {"brief.html": "x"}}), encoding="utf-8")
    params = SimpleNamespace(as_of=dt.date(2026, 11, 22), countries=("EE",), formats=("html",), data_dir=data, output_dir=out, force=False)
    unchanged.Snapshot(params).record()
    return params


def test_nothing_changed_is_told_until_any_file_changes(built):
    data, out = built.data_dir, built.output_dir
    assert unchanged.up_to_date(built)
    edits = [
        lambda: (data / "borders.csv").write_text("country,km\nEE,325.0\n", encoding="utf-8"),  # same size
        lambda: (data / "sources" / "b.txt").write_text("new", encoding="utf-8"),  # a new file in a folder
        lambda: (data / "sources" / "a.txt").unlink(),
        lambda: (out / "brief.html").write_text("<p>mine</p>", encoding="utf-8"),  # the edition edited
        lambda: (out / CACHE_DIRNAME / "sections" / "rationales" / "k1" / "notebook.ipynb").unlink(),  # a cached run lost
    ]
    for edit in edits:
        edit()
        assert not unchanged.up_to_date(built), edit
        unchanged.Snapshot(built).record()
        assert unchanged.up_to_date(built)


def test_a_file_given_its_old_times_back_still_counts_as_changed(built):
    path = built.data_dir / "borders.csv"
    before = path.stat()
    path.write_text("country,km\nEE,325.0\n", encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # (as `touch -r` or a copy that keeps times does)
    assert not unchanged.up_to_date(built)  # its change time cannot be set back


def test_other_parameters_or_force_are_not_up_to_date(built):
    assert not unchanged.up_to_date(SimpleNamespace(**{**vars(built), "formats": ("html", "pdf")}))
    assert not unchanged.up_to_date(SimpleNamespace(**{**vars(built), "as_of": dt.date(2026, 11, 23)}))
    assert not unchanged.up_to_date(SimpleNamespace(**{**vars(built), "force": True}))
    assert unchanged.up_to_date(built)


def test_an_input_changed_just_before_the_build_leaves_no_record(built, monkeypatch):
    monkeypatch.setattr(unchanged, "RACY_SECONDS", 2.0)
    (built.data_dir / "borders.csv").write_text("country,km\nEE,326.0\n", encoding="utf-8")
    snapshot = unchanged.Snapshot(built)
    snapshot.record()  # the file may change again within its clock's tick, unseen: no record
    assert not (built.output_dir / CACHE_DIRNAME / unchanged.RECORD_NAME).exists()
    assert not unchanged.up_to_date(built)


def test_an_edit_while_the_build_runs_is_seen_by_the_next(built):
    snapshot = unchanged.Snapshot(built)  # taken when the build starts, before it reads anything
    (built.data_dir / "borders.csv").write_text("country,km\nEE,999.0\n", encoding="utf-8")  # saved while it runs
    snapshot.record()  # the build ends
    assert not unchanged.up_to_date(built)


def test_the_command_line_answers_without_importing_the_engine(built_brief):
    code = (
        "import sys; from brief.engine.cli import main\n"
        f"status = main(['build', '--output-dir', {str(built_brief)!r}])\n"
        "heavy = sorted(m for m in ('brief.engine.build', 'brief.engine.cache', 'pandas', 'papermill') if m in sys.modules)\n"
        "print(status, heavy)\n"
    )
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # (the session's build may be too recent to record)
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Nothing changed" in first.stderr and "Nothing changed" in second.stderr
    assert second.stdout.strip() == "0 []"
