"""The build benchmark's bookkeeping on fixture numbers: medians, ratios, the table and the target lines (nothing is timed)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from brief.config import PROJECT_ROOT


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_build", PROJECT_ROOT / "benchmarks" / "bench_build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def case(bench, name, walls, cpu=1.0, peak=500.0, note=""):
    result = bench.Case(name, run=lambda i: None)
    result.samples = [bench.Sample(wall, cpu, peak, note) for wall in walls]
    return result


def test_summary_takes_medians_and_the_highest_peak(bench):
    cold = bench.Case("cold", run=lambda i: None)
    cold.samples = [bench.Sample(30.0, 20.0, 700.0, "re-ran all"), bench.Sample(40.0, 25.0, 900.0, "re-ran all"), bench.Sample(35.0, 21.0, 800.0, "re-ran all")]
    row = bench.summarise(cold)
    assert (row.wall, row.cpu, row.peak_mb, row.note) == (35.0, 21.0, 900.0, "re-ran all")


def test_a_case_without_samples_says_why_and_has_no_figure(bench):
    row = bench.summarise(bench.Case("naive", run=lambda i: None, skipped="skipped (--skip-naive)"))
    assert row.wall is None and row.note == "skipped (--skip-naive)"
    table = bench.markdown_table([row], runs=3)
    assert "| naive papermill + nbconvert + weasyprint CLI loop | – | – | – | – | skipped (--skip-naive) |" in table


def test_table_gives_each_variant_its_ratio_to_the_cold_build(bench):
    rows = [bench.summarise(case(bench, "cold", [40.0])), bench.summarise(case(bench, "nochange", [0.2])), bench.summarise(case(bench, "onefile", [10.0]))]
    lines = bench.markdown_table(rows, runs=1).splitlines()
    assert lines[0].startswith("| variant | median s (of 1) | CPU s | × project cold |")
    assert "| 40.00 | 1.00 | 1.00 |" in lines[2]
    assert "| 0.20 | 1.00 | 0.01 |" in lines[3]
    assert "| 10.00 | 1.00 | 0.25 |" in lines[4]


def test_verdicts_judge_each_target_or_say_why_not(bench):
    rows = [bench.summarise(c) for c in (
        case(bench, "cold", [30.0], peak=1200.0), case(bench, "nochange", [0.25]), case(bench, "onefile", [11.0]),
        case(bench, "myst-cold", [60.0]), bench.Case("naive", run=lambda i: None, skipped="skipped (--skip-naive)"))]
    lines = bench.verdicts(rows)
    assert "- cold build ≤ 0.6 × mystmd cold (s): 30.00 against ≤ 36.00 — met" in lines
    assert "- cold build ≤ 0.3 × naive loop (s): not judged (no naive figure)" in lines
    assert "- one data file changed ≤ 0.4 × cold (s): 11.00 against ≤ 12.00 — met" in lines
    assert "- (the same, against a cold build that found no kernels kept) (s): not judged (no such figure)" in lines
    assert "- nothing changed ≤ 0.2 s: 0.25 against ≤ 0.20 — NOT met" in lines
    assert any(line.startswith("- preview, data edit in the page ≤ 2 s: not judged") for line in lines)
    assert "- peak memory of the build's process tree < 1 GB (MB): 1200 against ≤ 1024 — NOT met" in lines


def test_rebuild_notes_name_the_notebooks_the_build_re_ran(bench):
    log = "Running 8 notebooks …\n  running 03_rationales.ipynb …\n  ran     03_rationales.ipynb in 4.5 s\n  ran     07_methods.ipynb in 2.5 s\n"
    ran = bench.ran_notebooks(log)
    assert ran == ["03_rationales.ipynb", "07_methods.ipynb"]
    assert bench.describe_ran(ran, total=8) == "re-ran 03_rationales.ipynb, 07_methods.ipynb"
    assert bench.describe_ran([], total=8) == "re-ran none"


def test_border_edits_write_a_new_length_every_time(bench, data_copy: Path):
    edits = bench.BorderEdits(data_copy)
    first, second = edits.next(), edits.next()
    assert second == first + 1 == edits.base + 2
    assert bench.border_km(data_copy) == second
    assert sum(1 for line in (data_copy / "borders.csv").read_text(encoding="utf-8").splitlines() if line.startswith(bench.EDITED_BORDER)) == 1


def test_bibtex_has_one_entry_per_source(bench, data_copy: Path):
    import csv

    with open(data_copy / "sources.csv", encoding="utf-8", newline="") as handle:
        ids = [row["source_id"] for row in csv.DictReader(handle)]
    text = bench.bibtex(data_copy / "sources.csv")
    assert text.count("@misc{") == len(ids)
    assert f"@misc{{{ids[0]}," in text


def test_the_kernels_a_build_kept_are_found_by_their_records(bench, tmp_path: Path):
    import json
    import os

    records = tmp_path / ".cache" / "kernels"
    records.mkdir(parents=True)
    (records / "kernel-a.json").write_text(json.dumps({"pid": os.getpid()}), encoding="utf-8")
    (records / "kernel-b.json").write_text(json.dumps({"pid": 2**22 + 12345}), encoding="utf-8")  # ended long ago
    (records / "kernel-c.json").write_text("not a record", encoding="utf-8")
    used = bench.kept_kernels(tmp_path)
    assert list(used) == [os.getpid()] and used[os.getpid()] > 0


def test_the_build_server_is_found_with_python_flags_and_its_other_kernels_do_not_count(bench, tmp_path):
    """A server started with Python's flags (e.g. -B) is still found and counted; a kernel it keeps for another folder is not."""
    import subprocess
    import time

    import psutil

    server = subprocess.Popen([str(bench.BIN / "python"), "-B", "-c", "import subprocess, sys, time\n"
                               "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\ntime.sleep(60)", "brief.engine.server"])
    try:
        bench_found = {}
        for _ in range(50):
            bench_found = bench.build_servers()
            if server.pid in bench_found and psutil.Process(server.pid).children():
                break
            time.sleep(0.1)
        assert server.pid in bench_found
        other = psutil.Process(server.pid).children()[0]  # (stands for a kernel kept for another output folder)
        with bench.TreeSampler() as sampler:
            sampler.server(server.pid, {other.pid})
            sampler.sample()
        alone = psutil.Process(server.pid).memory_info().rss / 2**20
        assert sampler.peak == 0  # (the build did not run there: nothing of the server counts)
        assert alone * 0.5 < sampler.peak_served < alone + other.memory_info().rss / 2**20 * 0.5
    finally:
        for process in psutil.Process(server.pid).children(recursive=True):
            process.kill()
        server.kill()
        server.wait()
