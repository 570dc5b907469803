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
