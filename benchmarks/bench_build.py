"""Benchmark the build on this machine and print the figures (not a test: nothing here asserts).

    .venv/bin/python benchmarks/bench_build.py [--runs 3] [--skip-naive]

Measures, as medians of --runs runs, each as a fresh `python -m brief build` process:
  cold build (--force), no-change rebuild, rebuild after one data file changed (also with
  --formats html, the quick loop while editing data), rebuild after one notebook changed; and a naive baseline over the same notebooks: the papermill CLI per notebook,
  then `jupyter nbconvert --to html --no-input`, then the weasyprint CLI (skipped, with a message, when
  WeasyPrint is not installed: the brief itself prints with Typst). Also the peak memory of
  each build's process tree (kernels included) and which notebooks each rebuild re-executed.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from brief.config import DATA_DIR, NOTEBOOKS_DIR  # noqa: E402
from brief.engine.manifest import load_manifest, run_order  # noqa: E402

BIN = Path(sys.executable).parent
AS_OF = "2026-11-22"


def measure(command: list[str], **kwargs) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MB) of the whole process tree, and stderr of one command."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    parent = psutil.Process(process.pid)
    peak = 0.0
    while process.poll() is None:
        try:
            tree = [parent, *parent.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()) / 2**20)
        except psutil.Error:
            pass
        time.sleep(0.02)
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"command failed ({process.returncode}): {' '.join(command)}\n{err[-2000:]}")
    return seconds, peak, err


def build(data_dir: Path, out: Path, *extra: str) -> tuple[float, float, list[str]]:
    seconds, peak, err = measure([str(BIN / "python"), "-m", "brief", "build", "--data-dir", str(data_dir), "--output-dir", str(out), "--as-of", AS_OF, *extra], cwd=ROOT)
    return seconds, peak, re.findall(r"ran\s+(\S+\.ipynb)", err)


def naive(data_dir: Path, work: Path) -> tuple[float, float]:
    """papermill CLI per notebook, nbconvert --no-input per notebook, weasyprint CLI per HTML."""
    total, peak = 0.0, 0.0
    results, figures = work / "results", work / "figures"
    for section in run_order(load_manifest()):
        executed = work / section.notebook
        seconds, mem, _ = measure([str(BIN / "papermill"), str(section.path), str(executed), "-k", "python3", "--cwd", str(NOTEBOOKS_DIR),
                                   "-p", "as_of", AS_OF, "-p", "data_dir", str(data_dir), "-p", "figures_dir", str(figures), "-p", "results_dir", str(results), "--no-progress-bar"])
        total, peak = total + seconds, max(peak, mem)
        seconds, mem, _ = measure([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)])
        total, peak = total + seconds, max(peak, mem)
        seconds, mem, _ = measure([str(BIN / "weasyprint"), str(executed.with_suffix(".html")), str(executed.with_suffix(".pdf"))])
        total, peak = total + seconds, max(peak, mem)
    return total, peak


def median(values):
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-naive", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="brief-bench-"))
    data_dir, out = work / "data", work / "out"
    shutil.copytree(DATA_DIR, data_dir)
    rows: dict[str, dict] = {}
    try:
        cold = [build(data_dir, out, "--force") for _ in range(args.runs)]
        rows["cold build (--force)"] = {"runs": cold}
        rows["no-change rebuild"] = {"runs": [build(data_dir, out) for _ in range(args.runs)]}

        changed = []
        terms = data_dir / "framing_terms.csv"
        original = terms.read_text(encoding="utf-8")
        for i in range(args.runs):
            terms.write_text(original + f"benchmark{i},criticism,benchmark edit\n", encoding="utf-8")
            changed.append(build(data_dir, out))
        terms.write_text(original, encoding="utf-8")
        build(data_dir, out)
        rows["one data file changed (framing_terms.csv)"] = {"runs": changed}

        # The same edit when only the HTML is wanted (--formats html): the quick loop while editing data.
        html_out = work / "out-html"
        rows["cold build, --formats html"] = {"runs": [build(data_dir, html_out, "--force", "--formats", "html") for _ in range(args.runs)]}
        changed_html = []
        for i in range(args.runs):
            terms.write_text(original + f"benchmark{i},criticism,benchmark edit\n", encoding="utf-8")
            changed_html.append(build(data_dir, html_out, "--formats", "html"))
        terms.write_text(original, encoding="utf-8")
        rows["one data file changed, --formats html"] = {"runs": changed_html}

        notebook = NOTEBOOKS_DIR / "06_outlook.ipynb"
        saved = notebook.read_bytes()
        edited = []
        try:
            for i in range(args.runs):
                nb = json.loads(saved)
                nb["metadata"]["benchmark_edit"] = i
                notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
                edited.append(build(data_dir, out))
        finally:
            notebook.write_bytes(saved)
        rows["one notebook changed (06_outlook)"] = {"runs": edited}

        naive_runs = []
        if not args.skip_naive and not (BIN / "weasyprint").exists():
            # the brief's PDF is Typst's now; the naive loop stays the baseline, so it keeps the CLI it had
            print("naive baseline skipped: it prints with the weasyprint CLI, no longer a requirement (pip install weasyprint==70.0 to measure it)")
        elif not args.skip_naive:
            for i in range(args.runs):
                folder = work / f"naive{i}"
                folder.mkdir()
                naive_runs.append(naive(data_dir, folder))
    finally:
        shutil.rmtree(work, ignore_errors=True)

    cold_median = median([r[0] for r in cold])
    print(f"Build benchmark, {args.runs} runs each, medians (machine: {psutil.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB)")
    print(f"{'case':44} {'wall s':>8} {'x cold':>7} {'peak MB':>8}  re-executed")
    for name, row in rows.items():
        seconds = median([r[0] for r in row["runs"]])
        peak = max(r[1] for r in row["runs"])
        ran = sorted({n for r in row["runs"] for n in r[2]})
        label = "all" if len(ran) == len(load_manifest()) else (", ".join(ran) or "none")
        print(f"{name:44} {seconds:8.2f} {seconds / cold_median:7.2f} {peak:8.0f}  {label}")
    if naive_runs:
        naive_median = median([r[0] for r in naive_runs])
        print(f"{'naive baseline (papermill+nbconvert+weasyprint CLIs)':44} {naive_median:8.2f} {naive_median / cold_median:7.2f} {max(r[1] for r in naive_runs):8.0f}  all")
        print(f"cold build / naive baseline = {cold_median / naive_median:.2f} (target <= 0.40)")
    no_change = median([r[0] for r in rows["no-change rebuild"]["runs"]])
    one_file = median([r[0] for r in rows["one data file changed (framing_terms.csv)"]["runs"]])
    print(f"no-change rebuild = {no_change:.2f} s (target <= 0.5 s); one data file / cold = {one_file / cold_median:.2f} (target < 0.5)")
    html_cold = median([r[0] for r in rows["cold build, --formats html"]["runs"]])
    html_one = median([r[0] for r in rows["one data file changed, --formats html"]["runs"]])
    print(f"HTML only: one data file / cold = {html_one / html_cold:.2f}")


if __name__ == "__main__":
    main()
