"""The Typst PDF writer: text prints exactly as written, structure and numbers carry over, the compiler is sealed off."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from brief.engine import render, typst_pdf
from brief.errors import RenderError
from brief.text import cite, esc, table_block

AS_OF = dt.date(2025, 9, 1)
SOURCES = {
    "a": {"source_id": "a", "title": "Alpha", "publisher": "P", "published": "2025-06-27", "url": "https://example.org/a_b?x=1&y=#2", "accessed": "2026-11-22", "text_file": ""},
    "b": {"source_id": "b", "title": "Beta", "publisher": "", "published": "", "url": "", "accessed": "", "text_file": "b.txt"},
}
# every character with a meaning in Typst markup, and letters of the five states' languages
AWKWARD = r"a #b $c$ *d* _e_ @f <g> [h] \i `j` ~k =l -m +n /o 'p' \"q\" 1. r... s // t /* u */ https://x.org --- v"
LETTERS = "ą č ė į š ų ū ž ā ē ģ ķ ļ ņ ł ś ź ż Ą Č Ė Į Š Ų Ū Ž Ā Ē Ģ Ķ Ļ Ņ Ł Ś Ź Ż õ ä ö ü"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="400pt" height="120pt" viewBox="0 0 400 120" role="img" aria-labelledby="t">'
    '<title id="t">Bars for Šakalienė and Sprūds</title><clipPath id="c"><rect x="0" y="0" width="400" height="120"/></clipPath>'
    '<rect x="10" y="10" width="300" height="40" fill="#0a4f7a" clip-path="url(#c)"/>'
    '<text x="20" y="100" style="font: 12px \'DejaVu Sans\'">km of land border ą ł</text></svg>'
)


def print_edition(body: str, as_of: dt.date = AS_OF) -> str:
    return render.assemble(
        [render.SectionBody("one", "One", body), render.SectionBody("two", "Two", "<h2>Sub</h2><p>Later text.</p>")],
        as_of=as_of, countries=("EE", "PL"), sources=SOURCES, fingerprint="f" * 12, version="0", edition="pdf",
    )


def pdf_of(html: str, tmp_path, name: str = "brief.pdf", as_of: dt.date = AS_OF):
    target = tmp_path / name
    typst_pdf.write_pdf(html, target, as_of=as_of)
    return target


def text_of(path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(path).pages)


# ------------------------------------------------------------------------------ markup, no compiler


def test_escape_leaves_nothing_for_typst_to_interpret():
    markup = typst_pdf.escape(AWKWARD + " " + LETTERS)
    bare, position = [], 0
    while position < len(markup):  # read it as Typst does: a backslash takes the next character literally
        if markup[position] == "\\":
            position += 2
            continue
        if markup[position] in "#$*_@<>[]`~=-+/'\".:\\":
            bare.append(markup[position])
        position += 1
    assert bare == [], f"special characters left bare: {bare}"
    assert LETTERS in markup, "letters outside ASCII pass unchanged"
    assert typst_pdf.escape("a \n\t b") == "a b"
    assert typst_pdf.escape("1,309\u00a0km") == "1,309\u00a0km", "a no-break space is kept"


def test_string_literal_keeps_quotes_and_backslashes():
    assert typst_pdf.string('say "x" \\ y') == '"say \\"x\\" \\\\ y"'


def test_svg_names_an_html_parser_lowercased_are_restored():
    lowered = str(BeautifulSoup(SVG, "html.parser").find("svg"))
    assert "viewbox=" in lowered and "clippath" in lowered
    fixed = typst_pdf.fix_svg_case(lowered)
    assert 'viewBox="0 0 400 120"' in fixed and "<clipPath " in fixed and "</clipPath>" in fixed


def test_numbers_come_from_the_html():
    body = (
        f"<h2>First part</h2><p>x{cite('a')}</p>"
        + table_block("t1", "A table", ["State", "Count"], [["Estonia", "3"]], numeric=(1,))
        + f'<figure class="chart" id="fig-x"><div class="chart-body">{SVG}</div><figcaption><span class="fig-label">Figure</span> A chart.</figcaption></figure>'
    )
    markup = typst_pdf.document(print_edition(body), as_of=AS_OF).markup
    assert "#sec-num[1\\.1]First part" in markup and "#sec-num[2\\.1]Sub" in markup
    assert "#fig-label[Table 1\\.]" in markup and "#fig-label[Figure 1\\.]" in markup
    assert 'link(label("ref-a"))[1]' in markup


def test_a_chart_without_a_title_is_refused():
    untitled = SVG.replace('<title id="t">Bars for Šakalienė and Sprūds</title>', "")
    body = f'<figure class="chart" id="fig-x"><div class="chart-body">{untitled}</div><figcaption>c</figcaption></figure>'
    with pytest.raises(RenderError, match="fig-x.*alt text"):
        typst_pdf.document(print_edition(body), as_of=AS_OF)


# ------------------------------------------------------------------------------ compiled


def test_special_characters_and_baltic_letters_print_as_written(tmp_path):
    pdf = pdf_of(print_edition(f"<p>{esc(AWKWARD)}</p><p>{LETTERS}</p>"), tmp_path)
    text = text_of(pdf)
    squeezed = "".join(text.split())
    assert "".join(AWKWARD.split()) in squeezed, "a character was read as markup"
    assert "".join(LETTERS.split()) in squeezed


def test_structure_alt_text_fonts_and_date(tmp_path):
    body = (
        "<h2>Part</h2><ul><li>one</li><li><strong>two</strong> <em>three</em></li></ul><blockquote><p>quoted</p></blockquote>"
        f'<figure class="chart" id="fig-x"><div class="chart-body">{SVG}</div><figcaption><span class="fig-label">Figure</span> A chart.</figcaption></figure>'
        + table_block("t", "Counts", ["State", "n"], [["Łotwa", "1"], ["Lietuva", "2"]], numeric=(1,))
    )
    pdf = pdf_of(print_edition(body), tmp_path)
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    kinds, alts = [], []

    def walk(element):
        element = element.get_object()
        if isinstance(element, dict):
            if "/S" in element:
                kinds.append(str(element["/S"]))
            if "/Alt" in element:
                alts.append(str(element["/Alt"]))
            kids = element.get("/K", [])
            for kid in kids if isinstance(kids, list) else [kids]:
                walk(kid)

    walk(root["/StructTreeRoot"])
    assert {"/H1", "/H2", "/L", "/LI", "/Table", "/TH", "/TD", "/Figure", "/BlockQuote"} <= set(kinds), kinds
    assert "Bars for Šakalienė and Sprūds" in alts
    text = text_of(pdf)
    assert "km of land border ą ł" in text, "chart text is text"
    assert "Łotwa" in text and "quoted" in text
    families = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in font else font["/FontDescriptor"]
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, "font not embedded"
            families.add(str(font["/BaseFont"]).split("+")[-1])
    assert families and all(f.startswith("DejaVu") for f in families), families
    assert reader.metadata.creation_date.date() == AS_OF
    assert reader.metadata.title == "Leaving the Mine Ban Treaty"


def test_same_input_same_bytes_and_the_date_follows_as_of(tmp_path):
    html = print_edition(f"<p>x{cite('a', 'b')}</p>")
    first, second = pdf_of(html, tmp_path, "1.pdf"), pdf_of(html, tmp_path, "2.pdf")
    assert first.read_bytes() == second.read_bytes()
    later = pdf_of(print_edition(f"<p>x{cite('a', 'b')}</p>", dt.date(2026, 3, 1)), tmp_path, "3.pdf", dt.date(2026, 3, 1))
    assert PdfReader(later).metadata.creation_date.date() == dt.date(2026, 3, 1)


def test_references_list_addresses_and_link_from_citations(tmp_path):
    pdf = pdf_of(print_edition(f"<p>x{cite('a', 'b')}</p>"), tmp_path)
    text = text_of(pdf)
    assert "example.org/a_b?x=1&y=#2" in "".join(text.split())
    assert "data/sources/b.txt" in text
    reader = PdfReader(pdf)
    uris = [a.get_object()["/A"].get("/URI") for p in reader.pages for a in p.get("/Annots", []) if "/A" in a.get_object()]
    assert "https://example.org/a_b?x=1&y=#2" in uris


def test_a_compile_error_is_a_render_error_naming_it(tmp_path):
    doc = typst_pdf.Document('#import "brief.typ": *\n#no-such-function[x]\n')
    with pytest.raises(RenderError, match=r"Typst could not compile the PDF edition: .*no-such-function.*line 2"):
        typst_pdf.compile_pdf(doc, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_the_compiler_reads_nothing_outside_its_scratch_folder(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0")
    for markup in (f'#read("{secret}")', '#read("../../../../etc/passwd")', '#import "@preview/cetz:0.3.0": *'):
        with pytest.raises(RenderError):
            typst_pdf.compile_pdf(typst_pdf.Document(markup + "\n"), tmp_path / "x.pdf")


def test_html_that_names_files_or_addresses_loads_none_of_them(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0")
    body = f'<p><img src="{secret.as_uri()}"><img src="http://example.org/x.png"> #read("{secret}") text</p>'
    pdf = pdf_of(print_edition(body), tmp_path)
    assert b"root:x" not in pdf.read_bytes()
    assert f'#read("{secret}")' in text_of(pdf)


def test_table_columns_fill_the_text_width_and_fit_their_longest_word():
    rows = [
        ["Theme", "Statement", "Who"],
        ["Implementation: acquiring", "a long statement " * 20, "Kosiniak-Kamysz, Minister"],
        ["Deterioration", "short", "Šakalienė"],
    ]
    widths = [float(w.rstrip("%")) for w in typst_pdf.column_widths(rows, 3)]
    assert abs(sum(widths) - 100) < 0.05
    for column, word in ((0, "Implementation:"), (2, "Kosiniak-"), (2, "Šakalienė")):
        assert widths[column] / 100 * typst_pdf.TEXT_WIDTH_PT >= typst_pdf.text_width(word), word
    assert widths[1] > widths[0] and widths[1] > widths[2], "the column holding most text gets most room"
    short = [float(w.rstrip("%")) for w in typst_pdf.column_widths([["State", "n"], ["Estonia", "3"]], 2)]
    assert abs(sum(short) - 100) < 0.05 and short[0] > short[1]


def test_running_head_is_the_section_at_the_top_of_the_page(tmp_path):
    """A section starting at the top of a page names it; one starting lower down waits for the next page."""
    markup = "\n\n".join([
        '#import "brief.typ": *',
        "#show: brief.with(title: \"T\", short-title: [Short])",
        "#heading(level: 1)[One]", "#lorem(30)", "#pagebreak()",
        "#heading(level: 1)[Two]", "#lorem(30)", "#pagebreak()",
        "#lorem(30)", "#heading(level: 1)[Three]", "#lorem(30)", "#pagebreak()", "#lorem(10)",
    ])
    typst_pdf.compile_pdf(typst_pdf.Document(markup + "\n"), tmp_path / "heads.pdf")
    heads = [page.extract_text().split("\n")[0] for page in PdfReader(tmp_path / "heads.pdf").pages]
    assert heads[0] == "One" and heads[1:] == ["Short Two", "Short Two", "Short Three"], heads


def test_warming_up_on_the_last_edition_changes_no_byte_of_the_next(tmp_path):
    import subprocess
    import sys

    from brief.engine.cache import Cache

    cache = Cache(tmp_path / "cache")
    typst_pdf.warm_up(cache)  # nothing kept yet: nothing to warm, and no error
    cache.write_record(typst_pdf.LAST_DOCUMENT, {"markup": "#no-such-function[x]", "files": {}})
    typst_pdf.warm_up(cache)  # a record that no longer compiles warms nothing, and is no error
    last = typst_pdf.document(print_edition(f"<p>Before{cite('a')}</p>" + table_block("t", "c", ["Year", "Count"], [["2024", "1"]], source="s", numeric=(1,))), as_of=AS_OF)
    typst_pdf.remember(last, cache)
    assert cache.read_record(typst_pdf.LAST_DOCUMENT) == {"markup": last.markup, "files": last.files}
    html = print_edition(f"<p>After{cite('a', 'b')}</p>" + table_block("t", "c", ["Year", "Count"], [["2024", "1"], ["2025", "2"]], source="s", numeric=(1,)))
    typst_pdf.warm_up(cache)
    warmed = pdf_of(html, tmp_path, "warmed.pdf")
    probe = (f"import datetime as dt, sys\nfrom pathlib import Path\nfrom brief.engine import typst_pdf\n"
             f"typst_pdf.write_pdf(Path(sys.argv[1]).read_text(encoding='utf-8'), Path(sys.argv[2]), as_of=dt.date({AS_OF.year}, {AS_OF.month}, {AS_OF.day}))")
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    subprocess.run([sys.executable, "-c", probe, str(tmp_path / "page.html"), str(tmp_path / "fresh.pdf")], check=True)  # a process that compiled nothing before
    assert warmed.read_bytes() == (tmp_path / "fresh.pdf").read_bytes()
