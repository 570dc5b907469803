"""The Word edition (--formats docx): opened with python-docx, it has the brief's headings, tables, charts with alt text, diacritics and References, and the same bytes every time."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile
from pathlib import Path

import docx
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from brief import figures, vocab
from brief.engine import render, word
from brief.errors import RenderError
from brief.text import cite, only_in, table_block

AS_OF = dt.date(2026, 11, 22)
NAMES = ("Šakalienė", "Sprūds", "Rinkēvičs", "Kosiniak-Kamysz", "Władysław")


def all_text(document) -> str:
    """The text of every paragraph, table cell and caption, in document order."""
    return "\n".join(Paragraph(p, document).text for p in document.element.body.iter(qn("w:p")))


def styled(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def alt_texts(document) -> list[str]:
    return [shape._inline.docPr.get("descr") for shape in document.inline_shapes]


# ---------------------------------------------------------------------------- a small page, no build


@pytest.fixture(scope="module")
def small_brief(tmp_path_factory) -> tuple[bytes, str, str]:
    """A two-section page assembled by the renderer for the Word edition, with one chart and one table."""
    charts = tmp_path_factory.mktemp("charts")
    with figures.chart_style():
        fig, ax = plt.subplots()
        ax.bar(["EE", "LV"], [1, 2])
    alt = "Bar chart: Latvia took two steps, Estonia one."
    chart = figures.save(fig, "steps", caption="Steps per state", source="events.csv" + cite("src-b"), alt=alt, data=pd.DataFrame({"state": ["EE", "LV"], "steps": [1, 2]}), figures_dir=charts)
    first = (
        f'<div class="prose lead"><p>Dovilė Šakalienė and Andris Sprūds met Edgars Rinkēvičs in Łódź{cite("src-a")}.</p></div>'
        + figures.figure_html(chart)
        + only_in("html", "<p>Online only.</p>")
        + only_in("pdf", "<p>In print only.</p>")
        + "<h2>A subsection</h2><ul><li><strong>Bold</strong> and <em>italic</em>" + cite("src-a", "src-b") + "</li></ul>"
    )
    second = table_block("ministers", "Ministers", ["Name", "Country"], [["Władysław Kosiniak-Kamysz", "Poland"], ["Dovilė Šakalienė", "Lithuania"]], source="statements.csv" + cite("src-b"))
    row = dict(publisher="ERR", published="2025-03-18", url="https://news.err.ee/a", accessed="2026-11-01", text_file="", title="Baltic states")
    sources = {"src-a": {**row, "source_id": "src-a"}, "src-b": {**row, "source_id": "src-b", "title": "Ministers meet"}}
    html = render.assemble(
        [render.SectionBody("first", "First section", first), render.SectionBody("second", "Second section", second)],
        as_of=AS_OF, countries=vocab.WITHDRAWING_STATES, sources=sources, fingerprint="f1ngerprint", version="0.1.0", edition="docx",
    )
    return word.docx_bytes(html, charts={"steps": charts / "steps.png"}, as_of=AS_OF), html, alt


def test_headings_are_word_headings_in_order(small_brief):
    document = docx.Document(io.BytesIO(small_brief[0]))
    assert styled(document, "Title") == ["Leaving the Mine Ban Treaty"]
    assert styled(document, "Heading 1") == ["1 First section", "2 Second section", "3 References"]
    assert styled(document, "Heading 2") == ["1.1 A subsection"]


def test_chart_is_an_image_with_alt_text_and_a_numbered_caption(small_brief):
    data, html, alt = small_brief
    document = docx.Document(io.BytesIO(data))
    assert alt_texts(document) == [alt]
    assert document.inline_shapes[0].width <= docx.shared.Cm(word.TEXT_WIDTH_CM)
    captions = styled(document, "Caption")
    assert captions == ["Figure 1. Steps per state", "Table 1. Ministers"]
    assert "Source: events.csv[2]" in styled(document, "Source Line")
    assert " SEQ Figure " in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()  # Word can list the figures


def test_table_is_a_word_table_with_a_header_row(small_brief):
    document = docx.Document(io.BytesIO(small_brief[0]))
    [table] = document.tables
    assert [c.text for c in table.rows[0].cells] == ["Name", "Country"]
    assert table.rows[1].cells[0].text == "Władysław Kosiniak-Kamysz"
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on each page


def test_text_keeps_diacritics_citations_and_the_print_blocks(small_brief):
    text = all_text(docx.Document(io.BytesIO(small_brief[0])))
    for name in (*NAMES, "Łódź", "Dovilė"):
        assert name in text, name
    assert "In print only." in text and "Online only." not in text and "Show data" not in text
    assert "Łódź[1]." in text and "italic[1,\u00a02]" in text
    assert "inputs fingerprint f1ngerprint" in text


def test_references_are_a_numbered_list(small_brief):
    document = docx.Document(io.BytesIO(small_brief[0]))
    references = [p for p in document.paragraphs if p.style.name == "Reference"]
    assert [p.text.split(".")[0] for p in references] == ["ERR", "ERR"]
    assert "“Baltic states.”" in references[0].text and "“Ministers meet.”" in references[1].text
    numbering = {p._p.pPr.numPr.numId.val for p in references}
    assert len(numbering) == 1  # one list, numbered 1, 2 by Word
    links = [r.target_ref for r in document.part.rels.values() if r.is_external]
    assert links == ["https://news.err.ee/a"]


def test_same_page_gives_the_same_bytes_dated_by_the_edition(small_brief):
    data = small_brief[0]
    package = zipfile.ZipFile(io.BytesIO(data))
    assert {info.date_time for info in package.infolist()} == {(2026, 11, 22, 0, 0, 0)}
    assert "docProps/thumbnail.jpeg" not in package.namelist()
    core = package.read("docProps/core.xml").decode()
    assert "2026-11-22T00:00:00Z" in core and "python-docx" not in core
    properties = docx.Document(io.BytesIO(data)).core_properties
    assert properties.created == properties.modified == dt.datetime(2026, 11, 22, tzinfo=dt.UTC)


def test_same_page_twice_gives_identical_bytes(small_brief, tmp_path):
    data, html, _ = small_brief
    charts = tmp_path / "charts"
    with figures.chart_style():
        fig, ax = plt.subplots()
        ax.bar(["EE", "LV"], [1, 2])
    figures.save(fig, "steps", caption="c", source="s", alt="a", data=pd.DataFrame(), figures_dir=charts)
    assert word.docx_bytes(html, charts={"steps": charts / "steps.png"}, as_of=AS_OF) == data


def test_a_missing_chart_png_stops_the_word_edition(small_brief):
    with pytest.raises(RenderError, match="steps.png"):
        word.docx_bytes(small_brief[1], charts={}, as_of=AS_OF)


def test_column_widths_fill_the_text_width_and_fit_the_longest_word():
    soup = BeautifulSoup("<table><tr><td>Poland</td><td>" + "a long sentence of prose " * 8 + "</td></tr></table>", "html.parser")
    rows = [soup.find_all("td")]
    total = int(word.TEXT_WIDTH_CM * 360000)
    widths = word._column_widths(rows, 2, total)
    assert sum(widths) == total
    assert widths[0] >= len("Poland") * word.TABLE_CHAR_EMU and widths[1] > 3 * widths[0]


# ---------------------------------------------------------------------------- the real brief


@pytest.fixture(scope="module")
def built_docx(built_brief, tmp_path_factory) -> Path:
    """The Word edition of the default brief: the session's build folder's cache copied, so no notebook runs again."""
    from brief.engine.build import build
    from brief.engine.params import build_params

    out = tmp_path_factory.mktemp("word")
    shutil.copytree(built_brief / ".cache", out / ".cache")
    result = build(build_params(output_dir=out, formats="docx"), log=lambda m: None)
    assert result.docx == out / "brief.docx" and result.executed == ()
    return out


@pytest.mark.build
def test_word_edition_has_the_sections_of_the_html_in_order(built_docx, built_brief):
    document = docx.Document(str(built_docx / "brief.docx"))
    page = BeautifulSoup((built_brief / "brief.html").read_text(encoding="utf-8"), "html.parser")
    sections = [h.get_text(" ", strip=True) for h in page.select("main > section > h2")]
    assert styled(document, "Heading 1") == sections
    assert sections[-1].endswith("References") and len(sections) >= 9
    assert len(styled(document, "Heading 2")) >= 10


@pytest.mark.build
def test_word_edition_has_tables_charts_with_alt_text_and_diacritics(built_docx, built_brief):
    document = docx.Document(str(built_docx / "brief.docx"))
    page = BeautifulSoup((built_brief / "brief.html").read_text(encoding="utf-8"), "html.parser")
    alts = [t.get_text(" ", strip=True) for t in page.select("figure.chart .chart-wide svg > title")]  # (the phone layout repeats it)
    assert alt_texts(document) == alts and len(alts) >= 5
    assert len(document.tables) >= 4 and all(len(t.rows) >= 2 for t in document.tables)
    captions = styled(document, "Caption")
    assert [c.split(".")[0] for c in captions if c.startswith("Figure")] == [f"Figure {n}" for n in range(1, len(alts) + 1)]
    text = all_text(document)
    for name in NAMES:
        assert name in text, name
    assert "Show data" not in text
    assert len(list(zipfile.ZipFile(built_docx / "brief.docx").namelist())) > 10


@pytest.mark.build
def test_word_edition_references_match_its_citations(built_docx):
    document = docx.Document(str(built_docx / "brief.docx"))
    references = styled(document, "Reference")
    assert len(references) > 50
    text = all_text(document)
    story = text[: text.rindex("References")]
    cited = set()
    for group in re.findall(r"\[(\d+(?:[–,\u00a0 ]+\d+)*)\]", story):  # "[3–5, 9]": a range stands for each number in it
        for item in re.split(r",[\u00a0 ]", group):
            first, _, last = item.partition("–")
            cited.update(range(int(first), int(last or first) + 1))
    assert cited == set(range(1, len(references) + 1))  # every reference is cited, and only those are listed


@pytest.mark.build
def test_word_edition_is_reproducible_and_cached(built_docx, built_brief, tmp_path):
    from brief.engine.build import build
    from brief.engine.params import build_params

    again = tmp_path / "again"
    shutil.copytree(built_brief / ".cache", again / ".cache")
    build(build_params(output_dir=again, formats="docx"), log=lambda m: None)
    assert (again / "brief.docx").read_bytes() == (built_docx / "brief.docx").read_bytes()
    written = (built_docx / "brief.docx").stat().st_mtime_ns
    result = build(build_params(output_dir=built_docx, formats="docx"), log=lambda m: None)
    assert not result.rendered and (built_docx / "brief.docx").stat().st_mtime_ns == written
