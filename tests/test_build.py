"""A real build into a temporary folder: sections, no code, embedded figures, the as-of date, a readable PDF."""

from __future__ import annotations

import re
import shutil

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from brief.build import build
from brief.data import DataError
from brief.params import build_params
from tests.conftest import edit_csv

pytestmark = pytest.mark.build


def test_html_has_sections_figures_and_no_code(built_brief):
    html = (built_brief / "brief.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert [h.get_text(" ", strip=True) for h in soup.select("section.brief-section > h2")][:1] == ["1 Chronology"]
    assert soup.select_one("section#references li")
    assert soup.select("figure.chart svg"), "no embedded chart"
    assert not re.search(r"In\s*\[\d*\]|jp-InputArea|ctx = notebook_context|import ", html)
    assert "22 November 2026" in soup.select_one(".as-of").get_text()
    assert not soup.select('link[rel="stylesheet"], script[src], img[src^="http"]'), "the HTML must be self-contained"
    assert (built_brief / "figures" / "timeline.svg").exists() and (built_brief / "figures" / "timeline.png").exists()
    assert (built_brief / "notebooks" / "01_chronology.ipynb").exists()


def test_pdf_has_pages_and_extractable_text(built_brief):
    reader = PdfReader(built_brief / "brief.pdf")
    assert 2 <= len(reader.pages) <= 40
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "22 November 2026" in text
    assert "Rinkēvičs" in text and "Šakalienė" in text or "Rinkēvičs" in text
    assert reader.metadata.title == "Leaving the Mine Ban Treaty"


def test_as_of_changes_the_chronology(tmp_path):
    def lead(as_of):
        out = tmp_path / as_of
        build(build_params(as_of=as_of, output_dir=out, formats="html"), log=lambda m: None)
        soup = BeautifulSoup((out / "brief.html").read_text(encoding="utf-8"), "html.parser")
        return soup.select_one("#chronology p.lead").get_text(" ", strip=True)

    pending, in_effect = lead("2025-09-01"), lead("2026-03-01")
    assert "no withdrawal had yet taken effect" in pending
    assert "All five withdrawals were in effect on 1 March 2026" in in_effect


def test_bad_data_stops_the_build_and_keeps_the_last_brief(built_brief, data_copy, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(built_brief, out)
    before = {p.name: p.read_bytes() for p in out.glob("brief.*")}
    edit_csv(data_copy / "events.csv", "EE-03,2025-06-04", "EE-03,2025-06-31")
    with pytest.raises(DataError, match="events.csv, line"):
        build(build_params(data_dir=data_copy, output_dir=out), log=lambda m: None)
    assert {p.name: p.read_bytes() for p in out.glob("brief.*")} == before
    assert not (out / "notebooks" / ".staging").exists()
