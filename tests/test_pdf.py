"""The PDF reads like a publication: sane length, text on every page, Baltic names, metadata, figures inside the page."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

pytestmark = pytest.mark.build


def test_page_count_text_and_names(built_brief):
    reader = PdfReader(built_brief / "brief.pdf")
    texts = [page.extract_text() for page in reader.pages]
    # the story (title to Methods) in 8-22 pages, the References after it
    references_start = next(i for i, t in enumerate(texts, 1) if "Web addresses were last accessed" in t)
    assert 8 <= references_start <= 22 and len(reader.pages) <= references_start + 6
    assert all(len(t.strip()) > 100 for t in texts), "a page without extractable text"
    joined = " ".join(texts)
    for name in ("Šakalienė", "Sprūds", "Rinkēvičs", "Kosiniak-Kamysz"):
        assert name in joined, name
    assert f"{len(reader.pages)} / {len(reader.pages)}" in texts[-1], "page numbers 'n / N'"


def test_metadata(built_brief):
    meta = PdfReader(built_brief / "brief.pdf").metadata
    assert meta.title == "Leaving the Mine Ban Treaty"
    assert meta.author and "withdrawals" in (meta.subject or "")


def test_no_figure_larger_than_the_page(built_brief):
    """Every piece of text, chart labels included, starts inside the page's text block: a chart wider or
    taller than the page would put its labels in the margins or off the page."""
    reader = PdfReader(built_brief / "brief.pdf")
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        points = []

        def visit(text, cm, tm, font, size, points=points):
            if text.strip():
                x, y = tm[4], tm[5]
                points.append((cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5], text))

        page.extract_text(visitor_text=visit)
        for x, y, text in points:
            assert 50 <= x <= width - 50 and 30 <= y <= height - 30, (text, x, y)
    text = " ".join(p.extract_text() for p in reader.pages)
    assert sum(f"Figure {n}." in text for n in range(1, 20)) >= 5


def test_tagged_fonts_embedded_and_dated(built_brief):
    reader = PdfReader(built_brief / "brief.pdf")
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"], "not a tagged PDF"
    alts = []

    def walk(element):
        element = element.get_object()
        if isinstance(element, dict):
            if element.get("/S") == "/Figure" and "/Alt" in element:
                alts.append(str(element["/Alt"]))
            kids = element.get("/K", [])
            for kid in kids if isinstance(kids, list) else [kids]:
                walk(kid)

    walk(root["/StructTreeRoot"])
    assert len(alts) >= 8 and all(len(a) > 20 for a in alts), "every chart carries its alt text"
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor and str(font["/BaseFont"]).split("+")[-1].startswith("DejaVu")
    assert reader.metadata.creation_date.date().isoformat() == "2026-11-22"


def test_chart_text_is_text_and_long_tables_stay_online(built_brief):
    text = " ".join(page.extract_text() for page in PdfReader(built_brief / "brief.pdf").pages)
    for label in ("km of land border", "Six-month notice", "claims checked"):  # axis and legend labels inside charts
        assert label in text, label
    assert "The HTML edition of this brief lists all" in text and "Recorded steps up to" not in text
    html = (built_brief / "brief.html").read_text(encoding="utf-8")
    assert '<details class="annex"><summary>All ' in html and "Recorded steps up to" in html
    assert "The HTML edition of this brief lists all" not in html


def test_running_heads_name_the_section_at_the_top_of_each_page(built_brief):
    """As the WeasyPrint edition's string(section-title, start): the section a page starts in, or the one starting at its top."""
    html = BeautifulSoup((built_brief / "brief.html").read_text(encoding="utf-8"), "html.parser")
    titles = [h.get_text(" ", strip=True) for h in html.select("section.brief-section > h2")]
    pages = [page.extract_text().split("\n") for page in PdfReader(built_brief / "brief.pdf").pages]
    assert not pages[0][0].startswith("Leaving the Mine Ban Treaty — policy brief"), "no running head on the title page"
    current = None
    for number, lines in enumerate(pages, 1):
        starts = [line.strip() for line in lines if line.strip() in titles]
        if number > 1:
            head = lines[0]
            assert head.startswith("Leaving the Mine Ban Treaty — policy brief"), head
            expected = lines[1].strip() if lines[1].strip() in titles else current
            assert head.endswith(expected), (number, head, expected)
        current = starts[-1] if starts else current
    assert current == titles[-1]


def test_no_page_is_more_than_a_quarter_empty_except_before_a_new_section(built_brief):
    """Measured by the lowest line of text on the page (a chart always has its caption below it)."""
    html = BeautifulSoup((built_brief / "brief.html").read_text(encoding="utf-8"), "html.parser")
    titles = {h.get_text(" ", strip=True) for h in html.select("section.brief-section > h2")}
    reader = PdfReader(built_brief / "brief.pdf")
    pages = reader.pages
    for number, page in enumerate(pages[:-1], 1):
        height, lows = float(page.mediabox.height), []

        def visit(text, cm, tm, font, size, lows=lows, height=height):
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            if text.strip() and 70 < y < height - 50:  # not the running head or the page number
                lows.append(y)

        page.extract_text(visitor_text=visit)
        empty = (min(lows) - 62) / (height - 124)  # 22 mm margins
        next_lines = pages[number].extract_text().split("\n")
        assert empty <= 0.25 or next_lines[1].strip() in titles, f"page {number} is {empty:.0%} empty"
