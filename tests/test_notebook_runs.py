"""Each notebook runs under papermill, in run order, with default and with non-default parameters."""

from __future__ import annotations

import nbformat
import papermill
import pytest

from brief.config import KERNEL_NAME, NOTEBOOKS_DIR
from brief.engine.manifest import load_manifest, run_order

pytestmark = pytest.mark.build
SECTIONS = load_manifest()


def run_all(folder, **parameters):
    """Execute every notebook in run order, sharing one results folder, as the build does."""
    defaults = {"figures_dir": str(folder / "figures"), "results_dir": str(folder / "results")}
    executed = {}
    for section in run_order(SECTIONS):
        out = folder / section.notebook
        papermill.execute_notebook(str(section.path), str(out), parameters={**defaults, **parameters}, kernel_name=KERNEL_NAME, cwd=str(NOTEBOOKS_DIR), progress_bar=False)
        executed[section.id] = nbformat.read(out, as_version=4)
    return executed


@pytest.fixture(scope="module")
def default_runs(tmp_path_factory):
    return run_all(tmp_path_factory.mktemp("default"))


@pytest.fixture(scope="module")
def early_fi_pl_runs(tmp_path_factory):
    return run_all(tmp_path_factory.mktemp("fi-pl"), as_of="2025-09-01", countries=["FI", "PL"])


def html_outputs(notebook) -> str:
    """What a notebook shows: its HTML (tables, charts) and its Markdown (the sentences it prints)."""
    data = [o.get("data", {}) for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    return "\n".join(d.get("text/html", "") + d.get("text/markdown", "") for d in data)


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.id)
def test_runs_with_defaults(section, default_runs):
    notebook = default_runs[section.id]
    assert notebook.metadata.papermill.parameters["figures_dir"].endswith("figures")
    assert any("injected-parameters" in c.metadata.get("tags", []) for c in notebook.cells)
    assert html_outputs(notebook)


@pytest.mark.parametrize("section", SECTIONS, ids=lambda s: s.id)
def test_runs_for_finland_and_poland_before_they_took_effect(section, early_fi_pl_runs):
    notebook = early_fi_pl_runs[section.id]
    assert notebook.metadata.papermill.parameters["countries"] == ["FI", "PL"]
    html = html_outputs(notebook)
    assert html
    if section.id == "chronology":
        assert "no withdrawal had yet taken effect" in html and "Finland" in html and "Poland" in html
    if section.id == "rationales":
        assert "speakers from Finland and Poland" in html
        assert "19 February 2026" not in html  # statements after the as-of date are left out
    if section.id == "humanitarian":
        assert "first contraction" not in html
    if section.id == "key_findings":
        # Poland's deposit (20 August 2025) was reported only from 5 September 2025: on 1 September only Finland's is known.
        assert "One of two states has deposited an instrument" in html and "Estonia" not in html
    if section.id == "outlook":
        assert "10 January 2026" in html and "Poland: withdrawal approved but not yet deposited" in html
