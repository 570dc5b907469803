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
    from weasyprint import HTML

    from brief.engine.render import allowed_fetcher

    document = HTML(string=(built_brief / "brief.html").read_text(encoding="utf-8"), url_fetcher=allowed_fetcher([])).render()
    charts = 0
    for page in document.pages:
        box = page._page_box
        limit_w, limit_h = box.width, box.height

        def walk(b):
            yield b
            for child in getattr(b, "children", []) or []:
                yield from walk(child)

        for b in walk(box):
            if str(getattr(b, "element_tag", "")).endswith("svg") and type(b).__name__ == "BlockReplacedBox":
                charts += 1
                assert b.width <= limit_w + 0.5 and b.height <= limit_h + 0.5
    assert charts >= 5


def test_chart_text_is_text_and_long_tables_stay_online(built_brief):
    text = " ".join(page.extract_text() for page in PdfReader(built_brief / "brief.pdf").pages)
    for label in ("km of land border", "Six-month notice", "claims checked"):  # axis and legend labels inside charts
        assert label in text, label
    assert "The HTML edition of this brief lists all" in text and "Recorded steps up to" not in text
    html = (built_brief / "brief.html").read_text(encoding="utf-8")
    assert '<details class="annex"><summary>All ' in html and "Recorded steps up to" in html
    assert "The HTML edition of this brief lists all" not in html
