"""Each notebook runs under papermill with default and with non-default parameters (small, real data)."""

from __future__ import annotations

import json

import nbformat
import papermill
import pytest

from brief.config import KERNEL_NAME, NOTEBOOKS_DIR
from brief.manifest import load_manifest

pytestmark = pytest.mark.build
SECTIONS = load_manifest()


def run(section, tmp_path, **parameters):
    out = tmp_path / section.notebook
    defaults = {"figures_dir": str(tmp_path / "figures"), "results_dir": str(tmp_path / "results")}
    papermill.execute_notebook(str(section.path), str(out), parameters={**defaults, **parameters}, kernel_name=KERNEL_NAME, cwd=str(NOTEBOOKS_DIR), progress_bar=False)
    return nbformat.read(out, as_version=4)


def html_outputs(notebook) -> str:
    return "\n".join(o.get("data", {}).get("text/html", "") for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []))


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.id)
def test_runs_with_defaults(section, tmp_path):
    notebook = run(section, tmp_path)
    assert notebook.metadata.papermill.parameters["figures_dir"] == str(tmp_path / "figures")
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in notebook.cells)
    assert html_outputs(notebook)


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.id)
def test_runs_for_finland_and_poland_before_they_took_effect(section, tmp_path):
    notebook = run(section, tmp_path, as_of="2025-09-01", countries=["FI", "PL"])
    html = html_outputs(notebook)
    assert html
    if section.id == "chronology":
        assert "no withdrawal had yet taken effect" in html and "Finland" in html and "Poland" in html
    if section.id == "rationales":
        assert "speakers from Finland and Poland" in html
        assert "19 February 2026" not in html  # statements after the as-of date are left out
    if section.id == "humanitarian":
        assert "first contraction" not in html
