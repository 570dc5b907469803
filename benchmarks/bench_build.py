"""Benchmark the build against its targets and its peers on this machine (not a test: it prints figures).

    .venv/bin/python benchmarks/bench_build.py [--runs 3] [--peers] [--skip-naive] [--only CASES] [--keep-scratch]

Every case runs --runs times, interleaved (A B C … A B C …) so that a change in the machine's load
falls on all of them alike; each is reported as the median of its wall seconds and CPU seconds
(of the process tree), its ratio to the project's cold build, and the peak RSS of its process tree
(sampled every 0.1 s with psutil). Cases (names for --only):

  cold        python -m brief build --force, HTML + PDF, into a scratch output folder (taking the kernels the
              last build there kept: brief.engine.kernels.Kept; their CPU and memory are counted)
  fresh       the same with BRIEF_KEEP_KERNELS=0: every build starts its kernels, as the first of the day does
  nochange    a build into its own folder, then the same build again, timed: nothing changed since the
              last build (the untimed one: preview-notebook, in between, edits notebooks/ itself and
              restores it, which a build can only tell by reading the notebooks again)
  onefile     one data file changed (a border length in a scratch copy of data/borders.csv; a new
              value every run, since a value seen before is a cache hit), HTML + PDF
  html        the same edit with --formats html
  naive       what a newcomer would script: papermill per notebook, jupyter nbconvert --no-input,
              the weasyprint CLI (about two minutes a run; --skip-naive leaves it out)
  myst-cold, myst-nochange, myst-onefile   (--peers) Jupyter Book 2 (mystmd, pinned below) on copies
              of the same notebooks: executed on a Jupyter server started for the run (its start-up
              counted), exported to PDF through Typst; installed under --peers-dir when absent
  preview-data, preview-notebook   `python -m brief preview` (skipped while the command is missing):
              seconds from saving a data edit / a notebook edit until the served page has it

Builds go to a scratch folder (removed unless --keep-scratch); data/, output/ and figures/ are left alone.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from brief.config import CACHE_DIRNAME, DATA_DIR, DEFAULT_AS_OF, KEEP_KERNELS_ENV, KEEP_KERNELS_SECONDS, KEPT_DIRNAME, NOTEBOOKS_DIR  # noqa: E402
from brief.engine.manifest import load_manifest, run_order  # noqa: E402
from brief.engine.render import CROSS_REFERENCE  # noqa: E402

BIN = Path(sys.executable).parent
MYSTMD_VERSION = "1.8.3"
TYPST_VERSION = "0.15.2"  # the PyPI binding; npm's typst is too old for mystmd's Typst output
# The border whose length the data-edit cases change: Finland-Russia, as the Factbook gives it.
EDITED_BORDER = "FI-RU-factbook"
EDITED_NOTEBOOK = "06_outlook.ipynb"
SAMPLE_EVERY = 0.1  # seconds between RSS samples of a process tree

PROJECT_CASES = ("cold", "fresh", "nochange", "onefile", "html", "naive")
PEER_CASES = ("myst-cold", "myst-nochange", "myst-onefile")
PREVIEW_CASES = ("preview-data", "preview-notebook")
LABELS = {
    "cold": "project cold build (`--force`, HTML + PDF)",
    "fresh": "project cold build, no kernels kept from the last build",
    "nochange": "project, nothing changed",
    "onefile": "project, one data file changed (HTML + PDF)",
    "html": "project, one data file changed, `--formats html`",
    "naive": "naive papermill + nbconvert + weasyprint CLI loop",
    "myst-cold": "Jupyter Book 2 (mystmd) cold: execute, Typst PDF",
    "myst-nochange": "mystmd, nothing changed",
    "myst-onefile": "mystmd, one data file changed",
    "preview-data": "preview: data edit until served",
    "preview-notebook": "preview: notebook edit until served",
}


# ------------------------------------------------------------------------------------ measuring

@dataclass
class Sample:
    """One run of one case: wall and CPU seconds, peak RSS of its process tree, what it reported."""

    wall: float
    cpu: float
    peak_mb: float
    note: str = ""


@dataclass
class Case:
    name: str
    run: Callable[[int], Sample]
    samples: list[Sample] = field(default_factory=list)
    skipped: str = ""  # why the case has no figure, when it has none


class TreeSampler:
    """Peak RSS (MB) of one or more process trees, sampled every SAMPLE_EVERY seconds in a thread.

    A build server (brief/engine/server.py) is watched apart (`server`): it counts, with the kernels
    it starts meanwhile, only when the build ran there (`served`), and the kernels it keeps for other
    output folders (`elsewhere`) never count."""

    def __init__(self):
        self.roots: list[psutil.Process] = []
        self.servers: list[psutil.Process] = []
        self.elsewhere: set[int] = set()
        self.peak = self.peak_served = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def watch(self, pid: int) -> None:
        try:
            self.roots.append(psutil.Process(pid))
        except psutil.Error:
            pass

    def server(self, pid: int, elsewhere: set[int]) -> None:
        try:
            self.servers.append(psutil.Process(pid))
        except psutil.Error:
            return
        self.elsewhere |= elsewhere

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(SAMPLE_EVERY)

    def _total(self, roots, seen: set[int]) -> int:
        total = 0
        for root in list(roots):
            try:
                tree = [root, *root.children(recursive=True)]
            except psutil.Error:
                continue
            for process in tree:
                if process.pid in seen or process.pid in self.elsewhere:
                    continue
                seen.add(process.pid)
                try:
                    total += process.memory_info().rss
                except psutil.Error:
                    pass
        return total

    def sample(self) -> None:
        seen: set[int] = set()
        own = self._total(self.roots, seen)
        self.peak = max(self.peak, own / 2**20)
        self.peak_served = max(self.peak_served, (own + self._total(self.servers, seen)) / 2**20)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def children_cpu() -> float:
    """CPU seconds of this process's finished (waited-for) descendants."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class CommandFailed(RuntimeError):
    pass


def run_command(command: list[str], sampler: TreeSampler, **kwargs) -> str:
    """Run one command to its end under the sampler; its stderr, or CommandFailed with its tail."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT if kwargs.pop("merge", False) else subprocess.PIPE,
                               text=True, **kwargs)
    sampler.watch(process.pid)
    out, err = process.communicate()
    if process.returncode != 0:
        raise CommandFailed(f"exit {process.returncode}: {' '.join(map(str, command[:4]))} …\n{(err or out or '')[-1500:]}")
    return err if err is not None else out


def timed(body: Callable[[TreeSampler], str]) -> Sample:
    """Wall and CPU seconds and peak RSS of whatever `body` runs (its processes must end inside it)."""
    cpu0, wall0 = children_cpu(), time.perf_counter()
    with TreeSampler() as sampler:
        note = body(sampler)
    return Sample(time.perf_counter() - wall0, children_cpu() - cpu0, sampler.peak, note or "")


# -------------------------------------------------------------------------------------- the project

def build_command(data_dir: Path, out: Path, *extra: str) -> list[str]:
    return [str(BIN / "python"), "-m", "brief", "build", "--data-dir", str(data_dir), "--output-dir", str(out), "--as-of", DEFAULT_AS_OF, *extra]


def ran_notebooks(stderr: str) -> list[str]:
    return re.findall(r"^\s*ran\s+(\S+\.ipynb)", stderr, flags=re.M)


def describe_ran(ran: list[str], total: int) -> str:
    if not ran:
        return "re-ran none"
    return "re-ran all" if len(set(ran)) == total else "re-ran " + ", ".join(sorted(set(ran)))


def kept_kernels(out: Path, stop: bool = False) -> dict[int, float]:
    """CPU seconds so far of each kernel that builds into `out` keep for the next one (brief.engine.kernels.Kept);
    with `stop`, each is stopped and its connection file removed."""
    used = {}
    for record in (out / CACHE_DIRNAME / KEPT_DIRNAME).glob("*.json"):
        try:
            kept = json.loads(record.read_text(encoding="utf-8"))
            process = psutil.Process(int(kept["pid"]))
            times = process.cpu_times()
            used[process.pid] = times.user + times.system
            if stop:
                process.kill()
                Path(kept["connection_file"]).unlink(missing_ok=True)
        except (psutil.Error, OSError, ValueError, KeyError, TypeError):
            pass
    return used


def build_servers() -> dict[int, float]:
    """CPU seconds so far (its own and its ended children's) of each build server of this checkout (brief/engine/server.py)."""
    used = {}
    for process in psutil.process_iter(["cmdline"]):
        try:
            command = process.info["cmdline"] or []
            if command[:1] == [str(BIN / "python")] and "brief.engine.server" in command:  # (it may carry Python's flags, e.g. -B)
                times = process.cpu_times()
                used[process.pid] = times.user + times.system + times.children_user + times.children_system
        except psutil.Error:
            pass
    return used


def project_build(data_dir: Path, out: Path, *extra: str, keep: bool = True) -> Sample:
    """One build; with kept kernels, their memory and the CPU they spend in it count as the build's:
    they are not its children (it took them from the last build) or outlive it (it keeps them). So do
    the build server's (with kernels kept, a build that finds one up runs there; one that does not
    starts one as it ends, and that start-up is nobody's build: it is reported apart)."""
    total = len(load_manifest())
    env = {**os.environ, KEEP_KERNELS_ENV: os.environ.get(KEEP_KERNELS_ENV, str(KEEP_KERNELS_SECONDS)) if keep else "0"}
    before, servers = kept_kernels(out), build_servers() if keep else {}

    def body(sampler: TreeSampler) -> str:
        for pid in before:
            sampler.watch(pid)
        for pid in servers:
            with contextlib.suppress(psutil.Error):
                sampler.server(pid, {c.pid for c in psutil.Process(pid).children(recursive=True)} - set(before))
        stderr = run_command(build_command(data_dir, out, *extra), sampler, cwd=ROOT, env=env)
        served = "Building on the build server" in stderr
        if served:
            sampler.peak = sampler.peak_served
        return describe_ran(ran_notebooks(stderr), total) + ("; on the build server" if served else "")

    sample = timed(body)
    kept_cpu = sum(cpu - before.get(pid, 0.0) for pid, cpu in kept_kernels(out).items())
    server_cpu = sum(cpu - servers[pid] for pid, cpu in build_servers().items() if pid in servers)  # (0 when it was not used)
    return dataclasses.replace(sample, cpu=sample.cpu + kept_cpu + server_cpu)


def set_border(data_dir: Path, km: float) -> None:
    """Write a new length for EDITED_BORDER into a scratch borders.csv (csv module: quoting kept as written)."""
    import csv
    import io

    path = data_dir / "borders.csv"
    text = path.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    for row in rows[1:]:
        if row and row[header.index("border_id")] == EDITED_BORDER:
            row[header.index("km")] = f"{km:.1f}"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def border_km(data_dir: Path) -> float:
    import csv

    with open(data_dir / "borders.csv", encoding="utf-8", newline="") as handle:
        return next(float(r["km"]) for r in csv.DictReader(handle) if r["border_id"] == EDITED_BORDER)


class BorderEdits:
    """A new border length for every edit: a value seen before would be a cache hit, not a rebuild."""

    def __init__(self, data_dir: Path):
        self.data_dir, self.base, self.count = data_dir, border_km(data_dir), 0

    def next(self) -> float:
        self.count += 1
        km = self.base + self.count
        set_border(self.data_dir, km)
        return km


NAIVE_WEASYPRINT = Path("/work/scratch/peers/weasyprint-venv/bin/weasyprint")  # the brief prints with Typst now


def weasyprint_cli() -> Path | None:
    """The weasyprint command the naive loop prints with: the project's (before Typst) or one installed beside the peers."""
    for candidate in (BIN / "weasyprint", NAIVE_WEASYPRINT):
        if candidate.exists():
            return candidate
    return None


def naive_loop(data_dir: Path, work: Path) -> Sample:
    """papermill CLI per notebook, nbconvert --no-input per notebook, the weasyprint CLI per HTML."""
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)

    def body(sampler: TreeSampler) -> str:
        for section in run_order(load_manifest()):
            executed = work / section.notebook
            run_command([str(BIN / "papermill"), str(section.path), str(executed), "-k", "python3", "--cwd", str(NOTEBOOKS_DIR),
                         "-p", "as_of", DEFAULT_AS_OF, "-p", "data_dir", str(data_dir), "-p", "figures_dir", str(work / "figures"),
                         "-p", "results_dir", str(work / "results"), "--no-progress-bar"], sampler)
            run_command([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)], sampler)
            run_command([str(weasyprint_cli()), str(executed.with_suffix(".html")), str(executed.with_suffix(".pdf"))], sampler)
        return "8 notebooks, 8 HTML, 8 PDF"

    return timed(body)


# ------------------------------------------------------------------------------- the mystmd peer

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(url: str, timeout: float = 2.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""
    except (urllib.error.URLError, OSError):
        return 0, b""


# What mystmd's Typst output of these notebooks imports from Typst's package registry (unreachable
# here): tables through tablex, figures through subpar. Each stand-in defines only the names that
# output calls, with the same parameters, on Typst's own table, grid and figure.
TYPST_STANDINS = {
    ("tablex", "0.0.9"): """
#let cellx(..args, body) = body
#let hlinex(..args) = none
#let vlinex(..args) = none
#let tablex(columns: auto, header-rows: 1, repeat-header: false, ..args) = {
  let cells = args.pos().filter(c => c != none)
  table(columns: columns, ..cells)
}
""",
    ("subpar", "0.2.2"): """
#let grid(..args, caption: none, label: none, kind: image, gap: 1em, numbering: "1", numbering-sub: "(a)", supplement: auto) = {
  let columns = args.named().at("columns", default: auto)
  let body = figure(std.grid(columns: columns, gutter: gap, ..args.pos()), caption: caption, kind: kind)
  if label == none { body } else [#body#label]
}
""",
}

# mystmd's Typst templates (the default is lapreprint-typst) are downloaded at build time, which this
# machine cannot do; this one is the least a template holds: the macros mystmd's output needs
# ([-IMPORTS-]), an A4 page with numbers, and the content.
MYST_TEMPLATE_YML = """jtex: v1
title: Plain A4 (benchmark stand-in for lapreprint-typst)
description: Imports, an A4 page with numbers, the content.
parts: []
options: []
"""
MYST_TEMPLATE_TYP = """[-IMPORTS-]

#set document(title: "[-doc.title-]")
#set page(paper: "a4", margin: (x: 2cm, y: 2.2cm), numbering: "1")
#set text(size: 10pt, lang: "en")
#set par(justify: true)

[-CONTENT-]

#bibliography("main.bib", title: "References")
"""


def bibtex(sources_csv: Path) -> str:
    """sources.csv as BibTeX: the Markdown cells cite [@source-id], which mystmd resolves only from a .bib file."""
    import csv

    def field(text: str) -> str:
        return text.replace("\\", " ").replace("{", "(").replace("}", ")")

    entries = []
    with open(sources_csv, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            parts = [f"  title = {{{field(row['title'])}}}", f"  author = {{{{{field(row['publisher'] or 'Unknown')}}}}}"]
            if row.get("published"):
                parts.append(f"  year = {{{row['published'][:4]}}}")
            if row.get("url"):
                parts.append(f"  url = {{{row['url']}}}")
            entries.append(f"@misc{{{row['source_id']},\n" + ",\n".join(parts) + "\n}")
    return "\n\n".join(entries) + "\n"


class Mystmd:
    """mystmd (npm) on copies of the notebooks, executed on a Jupyter server of our own, PDF through Typst."""

    def __init__(self, peers_dir: Path, work: Path):
        self.peers_dir = peers_dir
        self.work = work
        self.myst = peers_dir / "mystmd" / "node_modules" / ".bin" / "myst"
        self.typst_python = peers_dir / "typst-venv" / "bin" / "python"
        self.bin_dir = peers_dir / "bin"
        self.packages = peers_dir / "typst-packages"
        self.template = peers_dir / "typst-template"

    # -- installation (once, into the peers folder; nothing of it is committed)
    def install(self) -> str:
        """Install what is missing; '' when ready, else why the peer cannot run."""
        self.peers_dir.mkdir(parents=True, exist_ok=True)
        if shutil.which("npm") is None:
            return "npm not found"
        if not self.myst.exists() or self.installed_version() != MYSTMD_VERSION:
            done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(self.peers_dir / "mystmd"), f"mystmd@{MYSTMD_VERSION}"],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                return f"npm install mystmd@{MYSTMD_VERSION} failed: {done.stderr.strip()[-300:]}"
        if not self.typst_python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(self.typst_python.parent.parent)], check=True)
        if subprocess.run([str(self.typst_python), "-c", f"import typst, sys; sys.exit(typst.__version__ != {TYPST_VERSION!r})"], capture_output=True).returncode:
            done = subprocess.run([str(self.typst_python), "-m", "pip", "install", "--quiet", f"typst=={TYPST_VERSION}"], capture_output=True, text=True)
            if done.returncode != 0:
                return f"pip install typst=={TYPST_VERSION} failed: {done.stderr.strip()[-300:]}"
        self.write_typst_command()
        self.write_standins()
        self.template.mkdir(exist_ok=True)
        (self.template / "template.yml").write_text(MYST_TEMPLATE_YML, encoding="utf-8")
        (self.template / "template.typ").write_text(MYST_TEMPLATE_TYP, encoding="utf-8")
        return ""

    def installed_version(self) -> str:
        package = self.peers_dir / "mystmd" / "node_modules" / "mystmd" / "package.json"
        return json.loads(package.read_text())["version"] if package.exists() else ""

    def write_typst_command(self) -> None:
        """`typst compile IN [OUT] [--root R]`, the only call mystmd makes, through the PyPI binding."""
        self.bin_dir.mkdir(exist_ok=True)
        script = self.bin_dir / "typst"
        script.write_text(f"""#!{self.typst_python}
import os, sys
import typst
args = sys.argv[1:]
if not args or args[0] in ("--version", "-V"):
    print("typst {TYPST_VERSION} (PyPI binding)")
    sys.exit(0)
if args[0] not in ("compile", "c"):
    sys.exit("typst stand-in: only 'compile' is supported, not " + " ".join(args))
paths, options, rest = [], {{}}, args[1:]
while rest:
    item = rest.pop(0)
    if item.startswith("--"):
        key, _, value = item[2:].partition("=")
        options[key] = value if _ else rest.pop(0)
    else:
        paths.append(item)
source = paths[0]
target = paths[1] if len(paths) > 1 else os.path.splitext(source)[0] + ".pdf"
typst.compile(source, output=target, root=options.get("root"), package_cache_path=os.environ.get("TYPST_PACKAGE_CACHE_PATH"))
""", encoding="utf-8")
        script.chmod(0o755)

    def write_standins(self) -> None:
        for (name, version), source in TYPST_STANDINS.items():
            folder = self.packages / "preview" / name / version
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "typst.toml").write_text(f'[package]\nname = "{name}"\nversion = "{version}"\nentrypoint = "lib.typ"\n'
                                               f'authors = ["benchmark stand-in"]\nlicense = "MIT"\ndescription = "stand-in"\n', encoding="utf-8")
            (folder / "lib.typ").write_text(source.lstrip(), encoding="utf-8")

    # -- a project of copies
    def make_project(self, name: str, data_dir: Path) -> Path:
        """Copies of the notebooks whose parameters cell points at scratch folders (mystmd ignores papermill
        parameters; the copies' defaults '' would read the project's data/ and write its figures/)."""
        project = self.work / name
        project.mkdir(parents=True)
        defaults = {"data_dir": str(data_dir), "figures_dir": str(project / "figures"), "results_dir": str(project / "results")}
        toc = []
        for section in run_order(load_manifest()):  # run order: the key findings read the others' results
            notebook = json.loads(section.path.read_text(encoding="utf-8"))
            for cell in notebook["cells"]:
                # The brief's cross-references (@fig-borders) are MyST's own syntax, and mystmd stops at a label
                # it cannot find: the copies say "the figure" / "the table" instead.
                cell["source"] = CROSS_REFERENCE.sub(lambda m: "the figure" if m[1].startswith("fig") else "the table", "".join(cell["source"]))
                if "parameters" in cell.get("metadata", {}).get("tags", []):
                    source = "".join(cell["source"])
                    for key, value in defaults.items():
                        source = re.sub(rf'^{key}: str = ".*?"', f"{key}: str = {json.dumps(value)}", source, flags=re.M)
                    cell["source"] = source
            (project / section.notebook).write_text(json.dumps(notebook, indent=1, ensure_ascii=False), encoding="utf-8")
            toc.append(section.notebook)
        (project / "refs.bib").write_text(bibtex(data_dir / "sources.csv"), encoding="utf-8")
        articles = "\n".join(f"        - file: {n}" for n in toc)
        (project / "myst.yml").write_text(f"""version: 1
project:
  title: Leaving the Mine Ban Treaty
  bibliography: [refs.bib]
  toc:
{chr(10).join(f'    - file: {n}' for n in toc)}
  exports:
    - format: typst
      template: {self.template}
      output: exports/brief.pdf
      articles:
{articles}
site:
  template: book-theme
""", encoding="utf-8")
        return project

    def build(self, project: Path, clean: bool) -> Sample:
        """One `myst build --execute --typst`, on a Jupyter server started (and stopped) inside the timing."""
        if clean:
            for folder in ("_build", "exports", "results", "figures"):
                shutil.rmtree(project / folder, ignore_errors=True)
        (project / "exports" / "brief.pdf").unlink(missing_ok=True)  # mystmd exits 0 when typst fails: the PDF says

        def body(sampler: TreeSampler) -> str:
            port, token = free_port(), os.urandom(12).hex()
            server = subprocess.Popen([str(BIN / "jupyter"), "server", "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.port_retries=0",
                                       f"--ServerApp.root_dir={project}", f"--IdentityProvider.token={token}"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=project)
            sampler.watch(server.pid)
            try:
                deadline = time.monotonic() + 60
                while http_get(f"http://127.0.0.1:{port}/api/status?token={token}")[0] != 200:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise CommandFailed("the Jupyter server did not start")
                    time.sleep(0.05)
                env = dict(os.environ, JUPYTER_BASE_URL=f"http://127.0.0.1:{port}", JUPYTER_TOKEN=token,
                           PATH=f"{self.bin_dir}{os.pathsep}{os.environ['PATH']}", TYPST_PACKAGE_CACHE_PATH=str(self.packages))
                log = run_command([str(self.myst), "build", "--execute", "--execute-parallel", "1", "--typst", "--ci"], sampler, cwd=project, env=env, merge=True)
            finally:
                server.terminate()  # SIGTERM: it stops its kernels (SIGINT would ask for a confirmation)
                try:
                    server.wait(15)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            if not (project / "exports" / "brief.pdf").exists():
                raise CommandFailed("mystmd wrote no PDF:\n" + log[-1500:])
            executed = len(re.findall(r"Executing Notebook|Executed notebook|executing notebook", log, flags=re.I))
            cached = len(re.findall(r"cached|from cache", log, flags=re.I))
            return f"executed {executed}, cached {cached}" if executed or cached else ""

        return timed(body)


def pdf_shows(pdf: Path, text: str) -> bool:
    from pypdf import PdfReader

    return any(text in (page.extract_text() or "") for page in PdfReader(str(pdf)).pages)


# ------------------------------------------------------------------------------------- the preview

def preview_help() -> tuple[bool, str]:
    done = subprocess.run([str(BIN / "python"), "-m", "brief", "preview", "--help"], cwd=ROOT, capture_output=True, text=True)
    return done.returncode == 0, done.stdout


class Preview:
    """`python -m brief preview` on scratch data and output folders, timed from a save until the page has it."""

    def __init__(self, work: Path, help_text: str):
        self.work = work
        self.data_dir = work / "preview-data"
        self.out = work / "preview-out"
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.sampler = TreeSampler()
        self.edits = None
        # Does the command take a notebooks folder? Then the notebook edits go to a copy.
        option = re.search(r"(--notebooks?(?:-dir)?)\b", help_text)
        self.notebooks_option = option.group(1) if option else ""
        self.notebooks_dir = work / "preview-notebooks" if self.notebooks_option else NOTEBOOKS_DIR
        self.saved_notebook: bytes | None = None

    @property
    def where(self) -> str:
        return f"a copy of notebooks/ ({self.notebooks_option})" if self.notebooks_option else f"notebooks/{EDITED_NOTEBOOK} itself, restored afterwards"

    def status(self) -> dict:
        code, body = http_get(f"http://127.0.0.1:{self.port}/__preview/status")
        try:
            return json.loads(body) if code == 200 else {}
        except ValueError:
            return {}

    def start(self) -> None:
        shutil.copytree(DATA_DIR, self.data_dir)
        self.edits = BorderEdits(self.data_dir)
        command = [str(BIN / "python"), "-m", "brief", "preview", "--port", str(self.port), "--data-dir", str(self.data_dir), "--output-dir", str(self.out)]
        if self.notebooks_option:
            shutil.copytree(NOTEBOOKS_DIR, self.notebooks_dir)
            command += [self.notebooks_option, str(self.notebooks_dir)]
        self.process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.sampler.watch(self.process.pid)
        self.sampler.__enter__()
        self.wait(lambda s: s.get("generation", 0) >= 1 and s.get("state") == "ok", timeout=300, what="the first build")

    def wait(self, ready: Callable[[dict], bool], timeout: float, what: str) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CommandFailed(f"preview exited ({self.process.returncode}) waiting for {what}: {self.process.stderr.read()[-800:]}")
            status = self.status()
            if status.get("state") == "error" and status.get("generation", 0) >= 1 and what != "the first build":
                raise CommandFailed(f"preview reports an error after {what}: {status.get('error')}")
            if status and ready(status):
                return status
            time.sleep(0.02)
        raise CommandFailed(f"preview: no {what} within {timeout:.0f} s (last status {self.status()})")

    def cpu(self) -> float:
        total = 0.0
        for process in [self.sampler.roots[0], *self.sampler.roots[0].children(recursive=True)]:
            try:
                times = process.cpu_times()  # children_*: what its finished (waited-for) children used
                total += times.user + times.system + times.children_user + times.children_system
            except psutil.Error:
                pass
        return total

    def timed_edit(self, edit: Callable[[], str | None], what: str) -> Sample:
        """Save an edit, then poll: generation up, state ok, and the page shows `marker` when there is one."""
        generation = self.wait(lambda s: s.get("state") == "ok", timeout=120, what="an idle preview")["generation"]
        cpu0, wall0 = self.cpu(), time.perf_counter()
        marker = edit()
        self.wait(lambda s: s.get("generation", 0) > generation and s.get("state") == "ok", timeout=120, what=what)
        seen = marker is None
        while not seen and time.perf_counter() - wall0 < 120:
            seen = marker in http_get(f"http://127.0.0.1:{self.port}/")[1].decode("utf-8", "replace")
            if not seen:
                self.wait(lambda s: s.get("state") == "ok", timeout=120, what=what)
                time.sleep(0.02)
        wall = time.perf_counter() - wall0
        note = "page shows the edit" if marker is not None and seen else ("generation only" if marker is None else "edit NOT in the page after 120 s")
        return Sample(wall, self.cpu() - cpu0, self.sampler.peak, note)

    def data_edit(self, run: int) -> Sample:
        def edit():
            km = self.edits.next()
            return f"{km:,.0f}"  # the rationales table prints Finland's border as 1,310

        return self.timed_edit(edit, "the rebuild after a data edit")

    def notebook_edit(self, run: int) -> Sample:
        notebook = self.notebooks_dir / EDITED_NOTEBOOK
        if self.saved_notebook is None:
            self.saved_notebook = notebook.read_bytes()

        def edit():
            marker = f"Benchmark edit {run + 1}."
            nb = json.loads(self.saved_notebook)
            cell = next(c for c in reversed(nb["cells"]) if c["cell_type"] == "markdown" and "remove-cell" not in c.get("metadata", {}).get("tags", []))
            source = "".join(cell["source"])
            cell["source"] = source.rstrip("\n") + f"\n\n{marker}\n"
            notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
            return marker

        sample = self.timed_edit(edit, "the rebuild after a notebook edit")
        # Put the notebook back now, not after the last run: the project's cases in the next run
        # would otherwise re-run it (a "nothing changed" build that ran a notebook), and let the
        # preview finish the rebuild this causes before the next case is timed.
        generation = self.wait(lambda st: st.get("state") == "ok", timeout=120, what="an idle preview")["generation"]
        notebook.write_bytes(self.saved_notebook)
        self.wait(lambda st: st.get("generation", 0) > generation and st.get("state") == "ok", timeout=120, what="the rebuild after putting the notebook back")
        return sample

    def stop(self) -> None:
        if self.saved_notebook is not None:
            (self.notebooks_dir / EDITED_NOTEBOOK).write_bytes(self.saved_notebook)
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.sampler._thread.is_alive():
            self.sampler.__exit__(None, None, None)


# ------------------------------------------------------------------------------------- reporting

@dataclass(frozen=True)
class Row:
    name: str
    label: str
    wall: float | None  # median seconds; None when the case has no figure
    cpu: float | None
    peak_mb: float | None
    note: str


def summarise(case: Case) -> Row:
    if not case.samples:
        return Row(case.name, LABELS[case.name], None, None, None, case.skipped or "not run")
    notes = sorted({s.note for s in case.samples if s.note})
    note = "; ".join(notes)
    if case.skipped:
        note = f"{note}; {case.skipped}" if note else case.skipped
    return Row(case.name, LABELS[case.name], statistics.median(s.wall for s in case.samples), statistics.median(s.cpu for s in case.samples),
               max(s.peak_mb for s in case.samples), note)


def figure(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def markdown_table(rows: list[Row], runs: int) -> str:
    cold = next((r.wall for r in rows if r.name == "cold"), None)
    lines = [f"| variant | median s (of {runs}) | CPU s | × project cold | peak MB | note |", "|---|---:|---:|---:|---:|---|"]
    for row in rows:
        ratio = None if row.wall is None or not cold else row.wall / cold
        lines.append(f"| {row.label} | {figure(row.wall)} | {figure(row.cpu)} | {figure(ratio)} | {figure(row.peak_mb, 0)} | {row.note} |")
    return "\n".join(lines)


def verdicts(rows: list[Row]) -> list[str]:
    """One line per target: the figure, the bound and met / not met (or why it cannot be judged)."""
    by = {r.name: r for r in rows}

    def wall(name):
        row = by.get(name)
        return row.wall if row else None

    def line(text: str, value: float | None, bound: float | None, why_missing: str, digits: int = 2) -> str:
        if value is None or bound is None:
            return f"- {text}: not judged ({why_missing})"
        return f"- {text}: {value:.{digits}f} against ≤ {bound:.{digits}f} — {'met' if value <= bound else 'NOT met'}"

    cold, myst, naive = wall("cold"), wall("myst-cold"), wall("naive")
    out = [
        line("cold build ≤ 0.6 × mystmd cold (s)", cold, None if myst is None else 0.6 * myst, "no mystmd figure" if myst is None else "no cold figure"),
        line("cold build ≤ 0.3 × naive loop (s)", cold, None if naive is None else 0.3 * naive, "no naive figure" if naive is None else "no cold figure"),
        line("one data file changed ≤ 0.4 × cold (s)", wall("onefile"), None if cold is None else 0.4 * cold, "no cold or one-file figure"),
        line("(the same, against a cold build that found no kernels kept) (s)", wall("onefile"), None if wall("fresh") is None else 0.4 * wall("fresh"), "no such figure"),
        line("nothing changed ≤ 0.2 s", wall("nochange"), 0.2, "no figure"),
        line("preview, data edit in the page ≤ 2 s", wall("preview-data"), 2.0, (by.get("preview-data") and by["preview-data"].note) or "not run"),
        line("preview, notebook edit in the page ≤ 3 s", wall("preview-notebook"), 3.0, (by.get("preview-notebook") and by["preview-notebook"].note) or "not run"),
    ]
    peaks = [r.peak_mb for r in rows if r.name in ("cold", "fresh", "nochange", "onefile", "html") and r.peak_mb is not None]
    out.append(line("peak memory of the build's process tree < 1 GB (MB)", max(peaks) if peaks else None, 1024.0, "no build figure", digits=0))
    return out


# ------------------------------------------------------------------------------------------ main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs of every case (default 3); medians are reported")
    parser.add_argument("--peers", action="store_true", help="also measure mystmd (installed under --peers-dir when absent)")
    parser.add_argument("--peers-dir", type=Path, default=Path(os.environ.get("BRIEF_PEERS_DIR", "/work/scratch/peers")),
                        help="where mystmd, the typst binding and its stand-ins live (never in the repository)")
    parser.add_argument("--skip-naive", action="store_true", help="leave out the naive loop (about 2 minutes a run)")
    parser.add_argument("--only", default="", help="comma-separated cases: " + ", ".join(PROJECT_CASES + PEER_CASES + PREVIEW_CASES))
    parser.add_argument("--keep-scratch", action="store_true", help="keep the scratch folder and print where it is")
    args = parser.parse_args()

    wanted = [c.strip() for c in args.only.split(",") if c.strip()] or list(PROJECT_CASES + PEER_CASES + PREVIEW_CASES)
    unknown = [c for c in wanted if c not in LABELS]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(LABELS)}")
    if not args.peers and not args.only:
        wanted = [c for c in wanted if c not in PEER_CASES]  # naming a peer case in --only asks for it

    work = Path(tempfile.mkdtemp(prefix="brief-bench-"))
    cases: dict[str, Case] = {}
    skipped: dict[str, str] = {}
    preview: Preview | None = None
    started = time.perf_counter()

    def scratch_data(name: str) -> Path:
        target = work / name
        shutil.copytree(DATA_DIR, target)
        return target

    try:
        # Each case has its own data copy and output folder, built once before timing, so that
        # interleaving never lets one case's edit or formats change what the next one finds.
        if "cold" in wanted or "nochange" in wanted or "fresh" in wanted:
            data = scratch_data("data")
            cases["cold"] = Case("cold", lambda i, d=data: project_build(d, work / "out-cold", "--force"))
            if "fresh" in wanted:
                cases["fresh"] = Case("fresh", lambda i, d=data: project_build(d, work / "out-fresh", "--force", keep=False))
            project_build(data, work / "out-nochange")

            def nothing_changed(i, d=data):
                project_build(d, work / "out-nochange")  # (untimed: the last build)
                return project_build(d, work / "out-nochange")

            cases["nochange"] = Case("nochange", nothing_changed)
        for name, extra in (("onefile", ()), ("html", ("--formats", "html"))):
            if name in wanted:
                data = scratch_data(f"data-{name}")
                edits = BorderEdits(data)
                project_build(data, work / f"out-{name}", *extra)

                def one_file(i, d=data, e=edits, n=name, x=extra):
                    e.next()
                    return project_build(d, work / f"out-{n}", *x)

                cases[name] = Case(name, one_file)
        if "naive" in wanted:
            if args.skip_naive:
                skipped["naive"] = "skipped (--skip-naive)"
            elif weasyprint_cli() is None:
                skipped["naive"] = (f"skipped: the naive loop prints with the weasyprint CLI, no longer a requirement; "
                                    f"python3 -m venv {NAIVE_WEASYPRINT.parent.parent} && {NAIVE_WEASYPRINT.parent}/pip install weasyprint==70.0")
            else:
                data = scratch_data("data-naive")
                cases["naive"] = Case("naive", lambda i, d=data: naive_loop(d, work / "naive"))

        peers = [c for c in PEER_CASES if c in wanted]
        if peers:
            myst = Mystmd(args.peers_dir, work / "myst")
            why = myst.install()
            if why:
                for name in peers:
                    skipped[name] = f"not run: {why}"
            else:
                projects = {name: myst.make_project(name, scratch_data(f"data-{name}")) for name in peers}
                try:
                    for name in ("myst-nochange", "myst-onefile"):
                        if name in projects:
                            myst.build(projects[name], clean=True)
                except CommandFailed as error:
                    for name in peers:
                        skipped[name] = f"not run: {error}".replace("\n", " ")[:400]
                    projects = {}
                if "myst-cold" in projects:
                    cases["myst-cold"] = Case("myst-cold", lambda i, p=projects["myst-cold"]: myst.build(p, clean=True))
                if "myst-nochange" in projects:
                    cases["myst-nochange"] = Case("myst-nochange", lambda i, p=projects["myst-nochange"]: myst.build(p, clean=False))
                if "myst-onefile" in projects:
                    project = projects["myst-onefile"]
                    edits = BorderEdits(work / "data-myst-onefile")

                    def myst_one_file(i, p=project, e=edits):
                        km = e.next()
                        sample = myst.build(p, clean=False)
                        pdf = p / "exports" / "brief.pdf"
                        if pdf_shows(pdf, f"{km:,.0f}"):
                            shows = "PDF shows the new length"
                        elif pdf_shows(pdf, f"{e.base:,.0f}"):
                            shows = "PDF still shows the first length (stale)"
                        else:
                            shows = "PDF shows neither length"
                        sample.note = (sample.note + "; " if sample.note else "") + shows
                        return sample

                    cases["myst-onefile"] = Case("myst-onefile", myst_one_file)

        previews = [c for c in PREVIEW_CASES if c in wanted]
        if previews:
            available, help_text = preview_help()
            if not available:
                for name in previews:
                    skipped[name] = "skipped: `python -m brief preview --help` fails: no preview command on this branch"
            else:
                preview = Preview(work, help_text)
                try:
                    preview.start()
                    if "preview-data" in previews:
                        cases["preview-data"] = Case("preview-data", preview.data_edit)
                    if "preview-notebook" in previews:
                        cases["preview-notebook"] = Case("preview-notebook", preview.notebook_edit, skipped=f"edits {preview.where}")
                except CommandFailed as error:
                    for name in previews:
                        skipped[name] = f"not run: {error}".replace("\n", " ")[:400]

        for run in range(args.runs):
            for case in cases.values():
                if case.skipped.startswith("failed"):
                    continue
                try:
                    sample = case.run(run)
                except CommandFailed as error:
                    case.skipped = f"failed in run {run + 1}: {error}".replace("\n", " ")[:400]
                    print(f"  run {run + 1}/{args.runs} {case.name} failed: {error}", file=sys.stderr)
                    continue
                case.samples.append(sample)
                print(f"  run {run + 1}/{args.runs} {case.name:16} {sample.wall:7.2f} s wall {sample.cpu:7.2f} s CPU {sample.peak_mb:6.0f} MB  {sample.note}", file=sys.stderr)
    finally:
        if preview is not None:
            preview.stop()
        for out in work.glob("out-*"):  # the kernels the builds kept (they would end by themselves with the folder)
            kept_kernels(out, stop=True)
        for pid in build_servers():  # (they would end after idling for BRIEF_KEEP_KERNELS seconds)
            with contextlib.suppress(psutil.Error):
                psutil.Process(pid).terminate()
        if args.keep_scratch:
            print(f"scratch kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    order = [c for c in LABELS if c in wanted]
    rows = []
    for name in order:
        case = cases.get(name) or Case(name, lambda i: None, skipped=skipped.get(name, "not run"))
        rows.append(summarise(case))
    print(f"\nBuild benchmark: {args.runs} interleaved run(s) per case, medians; {psutil.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB, load average {os.getloadavg()[0]:.1f}; {time.perf_counter() - started:.0f} s in all\n")
    print(markdown_table(rows, args.runs))
    print("\nTargets (issue 17):")
    print("\n".join(verdicts(rows)))


if __name__ == "__main__":
    main()
