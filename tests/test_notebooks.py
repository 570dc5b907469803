"""Notebooks are stored clean, with one papermill parameters cell whose defaults agree with the package."""

from __future__ import annotations

import ast

import nbformat
import pytest

from brief.config import DEFAULT_AS_OF, NOTEBOOKS_DIR
from brief.manifest import load_manifest, run_order

NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
GLOBAL_PARAMETERS = {"as_of", "countries", "data_dir", "figures_dir", "results_dir"}


def test_there_are_notebooks_and_the_manifest_names_them_all():
    sections = load_manifest()
    assert NOTEBOOKS
    assert {s.notebook for s in sections} == {p.name for p in NOTEBOOKS}
    assert len(run_order(sections)) == len(sections)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has outputs: run nbstripout"


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
