"""Notebooks are stored clean, with one papermill parameters cell whose defaults agree with the package."""

from __future__ import annotations

import ast

import nbformat
import pytest

from brief.config import DEFAULT_AS_OF, NOTEBOOKS_DIR
from brief.engine.manifest import load_manifest, run_order

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
GLOBAL_PARAMETERS = {"as_of", "countries", "data_dir", "figures_dir", "results_dir"}


def test_there_are_notebooks_and_the_manifest_names_them_all():
    sections = load_manifest()
    assert NOTEBOOKS
    assert {s.notebook for s in sections} == {p.name for p in NOTEBOOKS}
    assert len(run_order(sections)) == len(sections)


def stored(path):
    """The notebook as git stores it (after the nbstripout filter), or the file outside a git checkout:
    a notebook saved from JupyterLab with outputs is fine on disk once the filter cleans what is committed."""
    import subprocess

    relative = path.relative_to(NOTEBOOKS_DIR.parent).as_posix()
    shown = subprocess.run(["git", "show", f":{relative}"], cwd=NOTEBOOKS_DIR.parent, capture_output=True, text=True)
    text = shown.stdout if shown.returncode == 0 else path.read_text(encoding="utf-8")
    return nbformat.reads(text, as_version=4)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs_or_noise(path):
    notebook = stored(path)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has outputs in git: run `make venv` to install the nbstripout filter"
    assert "language_info" not in notebook.metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_table_a_notebook_loads_is_declared_in_the_manifest(path):
    """The cache re-runs a notebook when a file it `reads` changes: every table it loads is declared, and nothing more
    (the sources rows its tables cite are followed by the cache itself, brief.engine.cache.cited_sources_digest)."""
    import re

    section = next(s for s in load_manifest() if s.notebook == path.name)
    code = "\n".join(c.source for c in stored(path).cells if c.cell_type == "code")
    loaded = {f"{name}.csv" for name in re.findall(r'ctx\.load\("([a-z_]+)"\)', code)}
    declared = {name for name in section.reads if name.endswith(".csv")}
    assert loaded <= declared, f"{path.name} loads {sorted(loaded - declared)} without declaring them"
    assert declared <= loaded, f"{path.name} declares {sorted(declared - loaded)} it does not load (needless re-runs)"
    assert not set(section.reads) & set(section.counts)
    if "methods.facts(ctx.data_dir" in code:  # Methods counts the rows of every file of the folder it is handed
        from brief.data import TABLES

        every = {spec.file for spec in TABLES.values()} | {"sources/"}
        assert every <= set(section.reads) | set(section.counts), f"{path.name} counts {sorted(every - set(section.reads) - set(section.counts))} undeclared"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_skeleton_title_parameters_load_compute_show_record(path):
    """Every notebook: a title and purpose, the parameters, then loading through the as-of owner (or the
    recorded facts), and recording its own facts last (if it records any)."""
    notebook = stored(path)
    cells = notebook.cells
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# ")
    assert "parameters" in cells[1].metadata.get("tags", [])
    assert "notebook_context(" in cells[2].source and ("ctx.load(" in cells[2].source or "results.read(" in cells[2].source)
    records = [i for i, c in enumerate(cells) if "results.record(" in c.source]
    assert records in ([], [len(cells) - 1])
    code = "\n".join(c.source for c in cells if c.cell_type == "code")
    assert "load(\"" not in code.replace("ctx.load(\"", "")  # no table is read past the as-of cut
    assert "as_of]" not in code and "< ctx.as_of" not in code and "<= ctx.as_of" not in code  # no cut written inline


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exactly_one_parameters_cell_with_literal_defaults(path):
    notebook = nbformat.read(path, as_version=4)
    cells = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    tree = ast.parse(cells[0].source)
    names = {}
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign), "one annotated literal per line, as papermill reads them"
        names[node.target.id] = ast.literal_eval(node.value)
    assert GLOBAL_PARAMETERS <= set(names)
    assert names["as_of"] == DEFAULT_AS_OF
