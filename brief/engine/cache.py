"""A content-addressed cache of notebook executions and of the rendered brief, and the build's planning.

A section's key hashes everything its notebook may read: the notebook itself, the build
parameters that shape it, the data files it declares in the manifest (and the rows of sources.csv
that those files cite, for the as-of cut), the `brief` package's
Python source and chart style, requirements.txt, and the results of the sections it needs.
An entry stores the executed notebook, the section's recorded results and its charts, with a
SHA-256 of each file; an entry whose files do not match is deleted and rebuilt, never used.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from brief.config import PACKAGE_DIR, REQUIREMENTS_FILE, TEMPLATES_DIR
from brief.engine.inputs import digest, files_under
from brief.engine.manifest import Section, run_order
from brief.errors import DataError
from brief.files import read_csv, read_json_object, sha256_file, write_atomic, write_json_object

MANIFEST_NAME = "entry.json"
CHART_MEMO_KEEP = 64  # charts kept for the current code (about a dozen per edition; the preview's drafts are others)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def code_files() -> list[Path]:
    """What notebooks execute besides themselves: the package's Python, its chart style, the pinned requirements."""
    return files_under(PACKAGE_DIR, ["*.py", "*.mplstyle"]) + ([REQUIREMENTS_FILE] if REQUIREMENTS_FILE.exists() else [])


def code_digest() -> str:
    return digest(code_files(), root=PACKAGE_DIR.parent)


def template_digest() -> str:
    """What only rendering reads: the page and notebook templates, the stylesheet and the Typst template."""
    return digest(files_under(TEMPLATES_DIR, ["*.j2", "*.css", "*.json", "*.typ"]), root=TEMPLATES_DIR)


# The columns that cite sources.csv, by their names (the schema in brief/data.py names them so, and
# tests/test_cache.py checks that it does): planning a build need not import pandas and pandera.
SOURCE_REFERENCE = re.compile(r"source_id|\w*source_ids")


def cited_sources_digest(tables: list[str], data_dir: Path) -> str:
    """A hash of the sources.csv rows that the given tables cite: the as-of cut reads their publication
    dates, so a notebook that does not load sources.csv itself depends on those rows only."""
    import csv

    cited: set[str] = set()
    for name in tables:
        path = Path(data_dir) / name
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = [c for c in reader.fieldnames or [] if SOURCE_REFERENCE.fullmatch(c)]
            for row in reader:
                cited.update(s.strip() for c in columns for s in (row.get(c) or "").split(";") if s.strip())
    sources = Path(data_dir) / "sources.csv"
    if not sources.is_file():
        return "missing"
    with sources.open(encoding="utf-8", newline="") as handle:
        rows = sorted(json.dumps(row, sort_keys=True) for row in csv.DictReader(handle) if row.get("source_id") in cited)
    return sha256_text("\n".join(rows))


def row_count(path: Path) -> str:
    """What a notebook that only counts the rows of `path` depends on: the number of its CSV rows, as
    brief.data reads them (brief.files.read_csv), or for a folder the names of its files; the whole
    file's hash when it cannot be read as CSV (validation then says why)."""
    if path.is_dir():
        return sha256_text("\n".join(sorted(p.name for p in path.iterdir() if p.is_file())))
    if not path.is_file():
        return "missing"
    try:
        return f"{len(read_csv(path, path.name).rows)} rows"
    except DataError:
        return sha256_file(path)


def reads_digest(section: Section, data_dir: Path) -> dict[str, str]:
    """A hash per declared input; a folder (ending in /) hashes every file in it; of a file the notebook
    only `counts`, its number of rows (row_count). A notebook that does not declare sources.csv
    depends on the rows its tables cite (see cited_sources_digest)."""
    hashes = {}
    for name in section.reads:
        path = Path(data_dir) / name
        if name.endswith("/"):
            hashes[name] = digest(files_under(path, ["*"]), root=path) if path.is_dir() else "missing"
        else:
            hashes[name] = sha256_file(path) if path.is_file() else "missing"
    for name in section.counts:
        hashes[f"{name}: rows"] = row_count(Path(data_dir) / name)
    if "sources.csv" not in section.reads and section.reads:
        hashes["sources.csv: cited rows"] = cited_sources_digest([n for n in section.reads if n.endswith(".csv")], data_dir)
    return hashes


def section_key(section: Section, *, data_dir: Path, parameters: dict, code: str, needed_results: dict[str, str]) -> str:
    parts = {
        "notebook": sha256_file(section.path),
        "parameters": parameters,
        "reads": reads_digest(section, data_dir),
        "code": code,
        "needs": needed_results,
    }
    return sha256_text(json.dumps(parts, sort_keys=True))[:24]


@dataclass(frozen=True)
class Entry:
    """One cached execution of a section."""

    folder: Path

    @property
    def notebook(self) -> Path:
        return self.folder / "notebook.ipynb"

    @property
    def results(self) -> Path:
        return self.folder / "results.json"

    @property
    def complete_charts(self) -> bool:
        """Every chart has its PNG, so was not drawn as a draft (brief.config.DRAFT_ENV: SVG only, no phone layout)."""
        return all(svg.with_suffix(".png").is_file() for svg in self.figures.glob("*.svg"))

    @property
    def figures(self) -> Path:
        return self.folder / "figures"

    @property
    def results_hash(self) -> str:
        """What a section that needs this one depends on: its recorded facts."""
        return sha256_file(self.results) if self.results.exists() else "none"


class Cache:
    def __init__(self, root: Path):
        self.root = Path(root)

    def entry_folder(self, section: Section, key: str) -> Path:
        return self.root / "sections" / section.id / key

    def lookup(self, section: Section, key: str) -> Entry | None:
        """The entry for `key` if it is complete and uncorrupted; a damaged one is removed."""
        folder = self.entry_folder(section, key)
        manifest = folder / MANIFEST_NAME
        if not manifest.is_file():
            return None
        files = read_json_object(manifest).get("files")
        try:
            intact = isinstance(files, dict) and "notebook.ipynb" in files and all(isinstance(value, str) and sha256_file(folder / name) == value for name, value in files.items())
        except (OSError, TypeError, ValueError):
            intact = False
        if not intact:
            shutil.rmtree(folder, ignore_errors=True)
            return None
        return Entry(folder)

    def store(self, section: Section, key: str, notebook: Path, results: Path | None, figures: Path) -> Entry:
        """Save one execution; written to a temporary folder and renamed, so a crash leaves no half entry."""
        folder = self.entry_folder(section, key)
        folder.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{key}.", suffix=".tmp"))
        try:
            shutil.copy2(notebook, temporary / "notebook.ipynb")
            if results is not None and results.is_file():
                shutil.copy2(results, temporary / "results.json")
            shutil.copytree(figures, temporary / "figures") if figures.is_dir() else (temporary / "figures").mkdir()
            files = {p.relative_to(temporary).as_posix(): sha256_file(p) for p in sorted(temporary.rglob("*")) if p.is_file()}
            (temporary / MANIFEST_NAME).write_text(json.dumps({"section": section.id, "key": key, "files": files}, indent=1, sort_keys=True), encoding="utf-8")
            shutil.rmtree(folder, ignore_errors=True)
            temporary.rename(folder)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)  # a full disk or an interrupt leaves no half entry
            raise
        # Keep only the newest entry per section: the cache is for rebuilds, not an archive.
        for other in folder.parent.iterdir():
            if other != folder:
                shutil.rmtree(other, ignore_errors=True)
        return Entry(folder)

    # -------------------------------------------------------------- derived files (HTML fragments, fonts)

    def blob(self, kind: str, key: str, make: Callable[[], bytes]) -> bytes:
        """The bytes stored for (kind, key), or `make()` stored now; a copy that fails its checksum is remade."""
        path = self.root / kind / key
        checksum = path.with_name(f"{key}.sha256")
        try:
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() == checksum.read_text(encoding="utf-8"):
                return data
        except OSError:
            pass
        data = make()
        write_atomic(path, data)
        write_atomic(checksum, hashlib.sha256(data).hexdigest())
        return data

    # -------------------------------------------------------------- charts drawn before (brief.figures.memoized)

    def chart_memo(self, code: str) -> Path:
        """The folder the kernels keep their charts in, for the package's code `code` (cache.code_digest())."""
        return self.root / "charts" / code[:24]

    def prune_chart_memo(self, code: str, keep: int = CHART_MEMO_KEEP) -> None:
        """Remove the charts of other code and all but the `keep` used last (no kernel is drawing: the build lock is held and no notebook runs)."""
        current = self.chart_memo(code)
        for folder in (self.root / "charts").glob("*"):
            if folder != current:
                shutil.rmtree(folder, ignore_errors=True)
        entries = sorted(current.glob("*"), key=lambda p: p.stat().st_mtime if p.exists() else 0, reverse=True) if current.is_dir() else []
        for entry in entries[keep:] + [e for e in entries[:keep] if e.name.startswith(".")]:  # (and a kernel's half-written one)
            shutil.rmtree(entry, ignore_errors=True)

    # -------------------------------------------------------------- records (the data that passed validation)

    def _record(self, name: str) -> Path:
        return self.root / f"{name}.json"

    def read_record(self, name: str) -> dict:
        """A record such as `validated`; {} (a miss) when it is missing or not a JSON object."""
        return read_json_object(self._record(name))

    def write_record(self, name: str, value: dict) -> None:
        write_json_object(self._record(name), value)


# ---------------------------------------------------------------------------- planning


class Planner:
    """The cache keys of one build: computed once, from its inputs, for the sections and the rendered brief."""

    def __init__(self, cache: Cache, data_dir: Path, parameters: dict, code: str, force: bool, draft_charts: bool = False):
        self.cache, self.data_dir, self.parameters, self.code, self.force = cache, Path(data_dir), parameters, code, force
        self.draft_charts = draft_charts  # the preview's; a build cannot use an entry with draft charts
        self.renderer = f"{template_digest()} {code}"  # what turns executed notebooks into the brief
        self._keys: dict[tuple, str] = {}
        self._entries: dict[tuple, Entry | None] = {}

    def key(self, section: Section, needed_results: dict[str, str]) -> str:
        """A section's key, hashed once per build: the run reuses what the plan computed."""
        memo = (section.id, tuple(sorted(needed_results.items())))
        if memo not in self._keys:
            self._keys[memo] = section_key(section, data_dir=self.data_dir, parameters=self.parameters, code=self.code, needed_results=needed_results)
        return self._keys[memo]

    def lookup(self, section: Section, key: str) -> Entry | None:
        """The usable cache entry for (section, key); checked once per build (its files' checksums are read)."""
        if (section.id, key) not in self._entries:
            entry = None if self.force else self.cache.lookup(section, key)
            if entry is not None and not self.draft_charts and not entry.complete_charts:
                entry = None  # run again, and stored again complete (which serves the preview too)
            self._entries[(section.id, key)] = entry
        return self._entries[(section.id, key)]

    def plan(self, sections: list[Section]) -> dict[str, str | None]:
        """Each section's key where it can be known before running: the results it needs must come from cache entries."""
        keys: dict[str, str | None] = {}
        results: dict[str, str] = {}
        for section in run_order(sections):
            if any(keys.get(n) is None for n in section.needs):
                keys[section.id] = None
                continue
            key = self.key(section, {n: results[n] for n in section.needs})
            entry = self.lookup(section, key)
            keys[section.id] = key if entry else None
            if entry:
                results[section.id] = entry.results_hash
        return keys

    def render_key(self, sections: list[Section], keys: dict[str, str | None], formats, fingerprint: str) -> str:
        """What the rendered brief depends on: every section's execution, the renderer and the formats."""
        return sha256_text("|".join([*(f"{s.id}:{keys[s.id]}" for s in sections), self.renderer, ",".join(formats), fingerprint]))
