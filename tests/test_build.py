"""A real build into a temporary folder: sections, no code, embedded figures, the as-of date, a readable PDF."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from brief.data import DataError
from brief.engine.build import build
from brief.engine.params import build_params
from tests.conftest import edit_csv

pytestmark = pytest.mark.build


def test_html_has_sections_figures_and_no_code(built_brief):
    html = (built_brief / "brief.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(html, "html.parser")
    assert [h.get_text(" ", strip=True) for h in soup.select("section.brief-section > h2")][:1] == ["1 Key findings"]
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
    assert reader.metadata.title == "Leaving the Mine Ban Treaty"


def test_as_of_changes_the_chronology(tmp_path):
    def lead(as_of):
        out = tmp_path / as_of
        build(build_params(as_of=as_of, output_dir=out, formats="html"), log=lambda m: None)
        soup = BeautifulSoup((out / "brief.html").read_text(encoding="utf-8"), "html.parser")
        return soup.select_one("#chronology .lead p").get_text(" ", strip=True)

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


SPEC_ORDER = ["key_findings", "chronology", "after", "rationales", "humanitarian", "claims", "outlook", "methods", "references"]


def soup_of(folder):
    return BeautifulSoup((folder / "brief.html").read_text(encoding="utf-8"), "html.parser")


def test_every_spec_section_in_order(built_brief):
    soup = soup_of(built_brief)
    assert [s["id"] for s in soup.select("main > section.brief-section")] == SPEC_ORDER


def test_every_citation_resolves_and_every_reference_is_cited(built_brief):
    soup = soup_of(built_brief)
    linked = {a["href"][1:] for a in soup.select("a.cite")}  # the ends of a range "[3–5]" are links, 4 is not
    cited = {f"ref-{source}" for run in soup.select(".cites") for source in run["data-sources"].split()}
    references = {li["id"] for li in soup.select(".reference-list li")}
    assert linked and linked <= references and cited == references
    numbers = [int(li["value"]) for li in soup.select(".reference-list li")]
    assert numbers == list(range(1, len(numbers) + 1))


def recorded_numbers(results_dir) -> set[str]:
    """Every number the sections recorded (their facts JSON), written as the brief writes numbers."""
    found = set()

    def walk(value):
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, (int, float)):
            found.update({f"{value:,.0f}", f"{abs(value):.0f}", str(value)})
        elif isinstance(value, str):
            found.update(re.findall(r"\d+", value))  # dates and editions ("Landmine Monitor 2025")
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for path in results_dir.glob("*.json"):
        walk(json.loads(path.read_text(encoding="utf-8")))
    return found


def test_key_findings_state_only_numbers_the_sections_recorded(built_brief):
    soup = soup_of(built_brief)
    section = soup.select_one("#key_findings")
    for cites in section.select(".cites, .sec-num, .cite-this"):  # (how to cite: the edition, not a finding)
        cites.decompose()
    text = section.get_text(" ", strip=True)
    assert len(section.select("li")) >= 5
    allowed = recorded_numbers(built_brief / "results") | {str(day) for day in range(1, 32)}
    numbers = re.findall(r"\d+(?:,\d{3})*", text)
    assert numbers
    for number in numbers:
        assert number in allowed, number
    facts = json.loads((built_brief / "results" / "humanitarian.json").read_text(encoding="utf-8"))
    assert f"{facts['casualties']['casualties']:,} people killed or injured in {facts['casualties']['year']}" in text


def test_a_different_as_of_changes_key_findings_and_outlook(built_brief, tmp_path):
    out = tmp_path / "early"
    build(build_params(as_of="2025-09-01", output_dir=out, formats="html"), log=lambda m: None)
    early, now = soup_of(out), soup_of(built_brief)
    for section in ("#key_findings", "#outlook"):
        assert early.select_one(section).get_text() != now.select_one(section).get_text()
    assert "have deposited instruments of withdrawal" in early.select_one("#key_findings").get_text()
    assert "due to take effect" in early.select_one("#outlook").get_text()


def test_every_chart_a_notebook_saves_is_in_the_brief(built_brief):
    """A chart saved inside an `if` must be displayed explicitly, or it silently drops out of the brief."""
    import re

    import nbformat

    from brief.config import NOTEBOOKS_DIR

    code = "\n".join(c.source for path in NOTEBOOKS_DIR.glob("*.ipynb") for c in nbformat.read(str(path), as_version=4).cells if c.cell_type == "code")
    saved = set(re.findall(r'figures\.save\(\s*fig,\s*"([a-z-]+)"', code))
    assert "next-steps" in saved and "timeline" in saved
    html = (built_brief / "brief.html").read_text(encoding="utf-8")
    assert {slug for slug in saved if f'id="fig-{slug}"' not in html} == set()


def test_every_cross_reference_in_the_notebooks_resolves(built_brief):
    from pypdf import PdfReader

    soup = soup_of(built_brief)
    assert soup.select("a.xref") and not soup.select(".xref-missing")
    assert all(soup.find(id=a["href"][1:]) for a in soup.select("a.xref"))
    text = " ".join(page.extract_text() for page in PdfReader(built_brief / "brief.pdf").pages)
    assert "not in this edition" not in text and "@fig-" not in text and "@tab-" not in text


def test_the_renderer_warms_up_only_once_the_first_notebook_is_under_way(monkeypatch, tmp_path):
    """Its imports and first assembly hold Python's lock, which starting a notebook needs."""
    import threading

    from brief.engine import build as build_module
    from brief.engine import render
    from brief.engine.cache import Cache

    warmed = threading.Event()
    monkeypatch.setattr(render, "warm_up", lambda editions, cache: warmed.set())
    rendering, under_way = threading.Event(), threading.Event()
    warm = threading.Thread(target=build_module._warm_renderer, args=(Cache(tmp_path / "cache"), ("html",), rendering, 0, under_way), daemon=True)
    warm.start()
    assert not warmed.wait(0.5) and not rendering.is_set()
    under_way.set()
    warm.join(10)
    assert warmed.is_set() and rendering.is_set()
