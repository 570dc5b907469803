"""The PDF reads like a publication: sane length, text on every page, Baltic names, metadata, figures inside the page."""

from __future__ import annotations

import pytest
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


def test_tagged_fonts_embedded_dated_and_running_heads(built_brief):
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
    texts = [page.extract_text() for page in reader.pages]
    assert "policy brief" not in texts[0].split("\n")[0]
    for text in texts[1:]:
        assert text.startswith("Leaving the Mine Ban Treaty — policy brief"), text[:80]
    assert any("2 Chronology" in t.split("\n")[0] for t in texts[1:]) and "References" in texts[-1].split("\n")[0]


def test_chart_text_is_text_and_long_tables_stay_online(built_brief):
    text = " ".join(page.extract_text() for page in PdfReader(built_brief / "brief.pdf").pages)
    for label in ("km of land border", "Six-month notice", "claims checked"):  # axis and legend labels inside charts
        assert label in text, label
    assert "The HTML edition of this brief lists all" in text and "Recorded steps up to" not in text
    html = (built_brief / "brief.html").read_text(encoding="utf-8")
    assert '<details class="annex"><summary>All ' in html and "Recorded steps up to" in html
    assert "The HTML edition of this brief lists all" not in html
