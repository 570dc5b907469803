"""Assembly: citations are numbered in reading order and resolve to references; tags remove cells."""

from __future__ import annotations

import datetime as dt

import nbformat
import pytest
from bs4 import BeautifulSoup

from brief.engine import render
from brief.text import cite

SOURCES = {
    "a": {"source_id": "a", "title": "Alpha", "publisher": "P", "published": "2025-06-27", "url": "https://example.org/a", "accessed": "2026-11-22", "text_file": ""},
    "b": {"source_id": "b", "title": "Beta <script>", "publisher": "", "published": "", "url": "", "accessed": "", "text_file": "b.txt"},
}


def page(body: str, edition: str = "html", sources: dict = SOURCES) -> BeautifulSoup:
    html = render.assemble(
        [render.SectionBody("one", "One", body)],
        as_of=dt.date(2025, 9, 1), countries=("EE",), sources=sources, fingerprint="f" * 12, version="0", edition=edition,
    )
    return BeautifulSoup(html, "html.parser")


def test_citations_numbered_by_first_use_and_listed_once():
    soup = page(f"<p>x{cite('b')} y{cite('a', 'b')} [@a]</p>")
    assert [a.get_text() for a in soup.select("a.cite")] == ["1", "1", "2", "2"]  # b first; within a bracket, in order
    refs = soup.select(".reference-list li")
    assert [li["id"] for li in refs] == ["ref-b", "ref-a"]
    assert all(soup.find(id=a["href"][1:]) for a in soup.select("a.cite"))
    assert "<script>" not in str(soup.select_one("#ref-b")) and "Beta &lt;script&gt;" in str(soup.select_one("#ref-b"))


def test_adjacent_citations_share_a_bracket():
    soup = page(f"<p>x{cite('a', 'b')}</p>")
    assert soup.select_one(".cites").get_text() == "[1, 2]"


def test_citation_numbers_are_sorted_and_three_in_a_row_become_a_range():
    assert render.number_ranges([9, 3, 4, 5, 4, 11, 12]) == [(3, 5), (9, 9), (11, 11), (12, 12)]
    ids = [f"s{n}" for n in range(1, 7)]
    sources = {i: {**SOURCES["a"], "source_id": i} for i in ids}
    soup = page("<p>" + "".join(f"x{cite(i)}" for i in ids) + f" y{cite('s5', 's1', 's2', 's3', 's6', limit=None)}</p>", sources=sources)
    assert soup.select(".cites")[-1].get_text() == "[1–3, 5, 6]"
    assert [a.get_text() for a in soup.select(".cites")[-1].select("a")] == ["1", "3", "5", "6"]  # the ends of a range are links


def test_a_citation_previews_its_reference_and_the_reference_links_back_to_each_citing_place():
    soup = page(f"<p>x{cite('b')}</p><h2>Part</h2><p>y{cite('a', 'b')}</p>")
    alpha = soup.select_one("a.cite[data-source=a]")
    assert alpha["data-preview"] == "P, “Alpha”, 27 June 2025" and alpha["aria-describedby"] == "ref-a"
    back = soup.select("#ref-b .backlinks a")
    assert len(back) == 2 and all(soup.find(id=a["href"][1:]).select_one("a.cite[data-source=b]") for a in back)
    assert [a.get_text() for a in back] == ["1", "1.1"]  # the section, then the numbered subsection


def test_the_print_edition_has_no_links_back():
    soup = page(f"<p>x{cite('b')}</p>", edition="pdf")
    assert not soup.select(".backlinks") and not soup.select(".to-contents")


def test_on_a_phone_each_cell_is_labelled_with_its_column():
    soup = page('<div class="table-wrap"><table><thead><tr><th>State</th><th>In effect' + cite("a") + "</th></tr></thead><tbody><tr><td>Estonia</td><td>2025</td></tr></tbody></table></div>")
    cells = soup.select("table.stack td")
    assert [c["data-label"] for c in cells] == ["State", "In effect"]  # the header's citation is not part of the label


def test_a_cross_reference_names_the_figure_by_its_number_and_links_to_it():
    chart = '<figure class="chart" id="fig-{0}"><figcaption><span class="fig-label">Figure</span> c</figcaption></figure>'
    soup = page(chart.format("one") + chart.format("two") + "<p>See @fig-two and mail x@fig-one.org; @fig-gone is missing.</p><pre>@fig-one</pre>")
    links = soup.select("a.xref")
    assert [(a["href"], a.get_text()) for a in links] == [("#fig-two", "Figure 2")]  # not inside an address or code
    assert soup.select_one(".xref-missing").get_text() == "a figure (not in this edition)"
    assert "x@fig-one.org" in soup.get_text() and "@fig-one" in soup.select_one("pre").get_text()


def test_unknown_citation_is_an_error():
    with pytest.raises(render.RenderError, match="missing"):
        page(f"<p>{cite('nope')}</p>")


def test_title_block_and_scope():
    soup = page("<p>x</p>")
    assert "1 September 2025" in soup.select_one(".as-of").get_text()
    assert "Estonia" in soup.select_one(".scope").get_text()


def test_removal_tags_blank_rather_than_flag():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("gone", metadata={"tags": ["remove-cell"]}),
        nbformat.v4.new_markdown_cell("hidden", metadata={"tags": ["remove-input"]}),
        nbformat.v4.new_code_cell("secret = 1", metadata={"tags": ["remove-output"]}, outputs=[nbformat.v4.new_output("stream", text="out")]),
        nbformat.v4.new_code_cell("shown()"),
    ]
    cleaned = render.blank_removed(notebook)
    assert len(cleaned.cells) == 3
    assert cleaned.cells[0].source == "" and cleaned.cells[1].source == "" and cleaned.cells[1].outputs == []
    assert cleaned.cells[2].source == ""


def test_each_edition_keeps_its_own_blocks_and_numbers_them():
    from brief.text import per_edition, table_block

    long_table = table_block("long", "All steps", ["A"], [[f"row{i}{cite('b')}"] for i in range(8)])
    short_table = table_block("short", "Key steps", ["A"], [["key"]])
    body = f"<p>x{cite('a')}</p>" + per_edition(long_table, short_table) + table_block("after", "After", ["A"], [["z"]])
    html, pdf = page(body, "html"), page(body, "pdf")
    assert html.select_one("#tab-long") and not html.select_one("#tab-short")
    assert pdf.select_one("#tab-short") and not pdf.select_one("#tab-long")
    # numbered within each edition; a source cited only in the dropped block is not a reference there
    assert html.select_one("#tab-after .tab-label").get_text() == "Table 2." == pdf.select_one("#tab-after .tab-label").get_text()
    assert html.select_one("#ref-b") and not pdf.select_one("#ref-b")


def test_references_state_the_usual_access_date_once_and_show_readable_addresses():
    sources = dict(SOURCES)
    sources["c"] = {"source_id": "c", "title": "Gamma", "publisher": "LSM", "published": "2025-04-16", "url": "https://www.lsm.lv/raksts/%C5%A1odien-saeima/", "accessed": "2026-11-22", "text_file": ""}
    sources["d"] = {"source_id": "d", "title": "Delta", "publisher": "X", "published": "", "url": "https://x.org/a%20b", "accessed": "2026-10-01", "text_file": ""}
    soup = page(f"<p>{cite('a', 'c')}{cite('d')}</p>", sources=sources)
    assert "last accessed on 22 November 2026" in soup.select_one(".references-note").get_text()
    lsm = soup.select_one("#ref-c a.ref-url")
    assert lsm["href"] == "https://www.lsm.lv/raksts/%C5%A1odien-saeima/" and lsm.get_text() == "lsm.lv/raksts/šodien-saeima"
    assert "accessed" not in soup.select_one("#ref-a").get_text()
    delta = soup.select_one("#ref-d").get_text()
    assert "(accessed 1 October 2026)" in delta and "x.org/a%20b" in delta  # a space is not decoded into an address
    assert render.display_url("http://www.example.pl/gr%F3d") == "example.pl/gr%F3d"  # not UTF-8: left as it is


def test_a_reference_whose_address_is_a_copy_says_so():
    sources = dict(SOURCES)
    sources["m"] = {"source_id": "m", "title": "Mirror", "publisher": "Human Rights Watch", "published": "2025-07-01", "url": "https://feedman.me/posts/x",
                    "address": "copy", "accessed": "2026-11-22", "text_file": ""}
    soup = page(f"<p>{cite('a', 'm')}</p>", sources=sources)
    assert "a copy" in soup.select_one("#ref-m .ref-copy").get_text()
    assert soup.select_one("#ref-m").get_text().startswith("Human Rights Watch.")
    assert not soup.select_one("#ref-a .ref-copy")


def test_chart_font_covers_baltic_and_polish_letters_and_is_stable():
    import io

    from fontTools.ttLib import TTFont

    from brief.engine import fonts

    data = fonts.chart_font("DejaVuSans.ttf")
    assert data[:4] == b"wOF2" and data == fonts.chart_font("DejaVuSans.ttf")
    cmap = TTFont(io.BytesIO(data)).getBestCmap()
    assert all(ord(ch) in cmap for ch in "ĀāČčĒēĢģĪīĶķĻļŅņŠšŪūŽžĄąĆćĘęŁłŃńÓóŚśŹźŻżĖėĮįŲųÕõÄäÖöÜü–’→−")


def test_charts_set_aside_come_back_unchanged_and_a_dropped_one_stays_gone():
    from brief.engine.svg_aside import restore_svgs, stash_svgs

    page = '<p>a</p><svg viewBox="0 0 1 1"><title>A &amp; B</title><path d="M 0 0"/></svg><div class="x"><svg><g/></svg></div>'
    aside, kept = stash_svgs(page)
    assert "<svg" not in aside and len(kept) == 2
    assert restore_svgs(aside, kept) == page
    assert restore_svgs(aside.replace('<div class="x"><!--chart-svg 1--></div>', ""), kept) == page.replace('<div class="x"><svg><g/></svg></div>', "")
