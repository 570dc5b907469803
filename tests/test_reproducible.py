"""The same inputs build the same bytes, and the committed edition is what the current code and data build."""

from __future__ import annotations

import pytest

from brief.config import FIGURES_DIR, OUTPUT_DIR
from brief.engine.build import build
from brief.engine.params import build_params

pytestmark = pytest.mark.build


def test_same_inputs_give_the_same_bytes(built_brief, tmp_path):
    again = tmp_path / "again"
    build(build_params(output_dir=again, formats="html,pdf"), log=lambda m: None)
    assert (again / "brief.html").read_bytes() == (built_brief / "brief.html").read_bytes()
    assert (again / "brief.pdf").read_bytes() == (built_brief / "brief.pdf").read_bytes()
    svgs = sorted(p.name for p in (built_brief / "figures").glob("*.svg"))
    assert svgs and svgs == sorted(p.name for p in (again / "figures").glob("*.svg"))
    for name in svgs:
        assert (again / "figures" / name).read_bytes() == (built_brief / "figures" / name).read_bytes(), name


def test_committed_edition_is_current(built_brief):
    """Fails when data, notebooks or code changed without `make brief` and a commit of output/ and figures/."""
    assert (OUTPUT_DIR / "brief.html").read_bytes() == (built_brief / "brief.html").read_bytes(), "output/brief.html is stale: run make brief"
    assert (OUTPUT_DIR / "brief.pdf").exists()
    built = {p.name: p.read_bytes() for p in (built_brief / "figures").glob("*.svg")}
    committed = {p.name: p.read_bytes() for p in FIGURES_DIR.glob("*.svg")}
    assert committed == built, "figures/ is stale: run make brief"


def test_jupyterlab_checkpoints_are_not_inputs(tmp_path):
    """A checkpoint JupyterLab saves beside a notebook changes neither the inputs fingerprint nor a folder's hash."""
    from brief.engine.inputs import digest, files_under

    (tmp_path / "01_chronology.ipynb").write_text("{}", encoding="utf-8")
    before = files_under(tmp_path, ["*.ipynb"])
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "01_chronology-checkpoint.ipynb").write_text('{"cells": []}', encoding="utf-8")
    (tmp_path / "sub" / "__pycache__").mkdir(parents=True)
    (tmp_path / "sub" / "__pycache__" / "x.ipynb").write_text("{}", encoding="utf-8")
    assert files_under(tmp_path, ["*.ipynb"]) == before == [tmp_path / "01_chronology.ipynb"]
    assert digest(files_under(tmp_path, ["*"]), root=tmp_path) == digest(before, root=tmp_path)
