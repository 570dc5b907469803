"""The Word edition: the assembled brief (render.assemble(edition="docx")) written as brief.docx with python-docx.

The page is already numbered (sections, figures, tables, citations, References) by the renderer, so
this module only maps its HTML onto Word: section titles become Heading 1 (subsections Heading 2), so
the navigation pane works; tables become Word tables; charts become their byte-stable PNGs with the
alt text of their SVG and a "Figure N." caption (a SEQ field, so Word can list them); citations stay
text ("[3, 5]"); the References are a numbered list.

python-docx rather than pandoc (pypandoc_binary): it is pure Python on lxml, so nothing but two
small wheels to pin; it writes only the parts we ask for, with sequential ids, so the bytes are a
function of the page and the PNGs once the zip's timestamps are fixed; and it gives direct control of
what an editor sees (caption fields, alt text, repeated table header rows, two-column References,
core properties). pandoc would bundle its own executable, need the page rewritten first (inline SVG
charts to PNG <img>s, figure captions and source lines into its figure model), and shape the result
through its own writer and a reference.docx.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag

from brief.errors import RenderError

# A4 with the PDF's margins: the text is 16.8 cm wide.
PAGE_CM = (21.0, 29.7)
MARGINS_CM = {"top": 2.2, "bottom": 2.2, "left": 2.2, "right": 2.0}
TEXT_WIDTH_CM = PAGE_CM[0] - MARGINS_CM["left"] - MARGINS_CM["right"]
MAX_CHART_HEIGHT_CM = 17.0
CHART_DPI = 200  # savefig.dpi of brief.mplstyle: a chart's PNG at its designed size
RUNNING_HEAD = "Leaving the Mine Ban Treaty — policy brief"
ACCENT = "1F4E79"
MUTED = "595959"

HEADING_STYLES = {"h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3", "h5": "Heading 4", "h6": "Heading 4"}
# Blocks of the page that Word does not need: the contents (Word's navigation pane is built from
# the headings), the skip link, and the reference ids the print edition hides too.
SKIPPED = "nav.toc, a.skip-link, span.ref-id, details.fig-data"
SOURCE_CLASSES = ("fig-source", "tab-source")


# ---------------------------------------------------------------------------- document set-up


def _new_document():
    from docx import Document
    from docx.enum.style import WD_STYLE_TYPE
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):  # the template's thumbnail shows a blank page
        if rel.reltype == RT.THUMBNAIL:
            del package.rels[rel_id]
    section = document.sections[0]
    section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
    section.top_margin, section.bottom_margin = Cm(MARGINS_CM["top"]), Cm(MARGINS_CM["bottom"])
    section.left_margin, section.right_margin = Cm(MARGINS_CM["left"]), Cm(MARGINS_CM["right"])

    styles = document.styles
    _set_language(styles.element, "en-GB")
    normal = styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for name, size in (("Heading 1", 15), ("Heading 2", 12), ("Heading 3", 11)):
        heading = styles[name]
        heading.font.size = Pt(size)
        heading.font.color.rgb = RGBColor.from_string(ACCENT)
        heading.paragraph_format.space_before = Pt(18 if name == "Heading 1" else 12)
        heading.paragraph_format.space_after = Pt(6)
    caption = styles["Caption"]
    caption.font.size, caption.font.bold, caption.font.italic = Pt(9), False, False
    caption.font.color.rgb = RGBColor.from_string("262626")
    caption.paragraph_format.space_after = Pt(2)

    def paragraph_style(name: str, *, size: float, color: str = "", italic: bool = False, after: float = 6, bold: bool = False):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.quick_style = True
        style.font.size, style.font.italic, style.font.bold = Pt(size), italic, bold
        if color:
            style.font.color.rgb = RGBColor.from_string(color)
        style.paragraph_format.space_after = Pt(after)
        return style

    paragraph_style("Series", size=10, color=ACCENT, bold=True, after=2).font.small_caps = True
    paragraph_style("Edition Line", size=8.5, color=MUTED, after=2)
    paragraph_style("Lead", size=11.5)
    callout = paragraph_style("Callout", size=10)
    _shade(callout.element.get_or_add_pPr(), "EEF3F8", left_border=ACCENT)
    paragraph_style("Source Line", size=8, color=MUTED, after=10)
    paragraph_style("Table Text", size=8.5, after=0).paragraph_format.line_spacing = 1.0
    paragraph_style("Figure Image", size=10, after=2).paragraph_format.keep_with_next = True
    reference = styles.add_style("Reference", WD_STYLE_TYPE.PARAGRAPH)
    reference.base_style = styles["List Number"]
    reference.font.size = Pt(8)
    reference.paragraph_format.space_after = Pt(1.5)
    reference.paragraph_format.line_spacing = 1.0
    link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.font.color.rgb, link.font.underline = RGBColor.from_string("0563C1"), True
    return document


def _set_language(styles_element, language: str) -> None:
    """Every run defaults to `language` (spelling and hyphenation in Word follow it)."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    r_pr = styles_element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if r_pr is None:
        return
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        r_pr.append(lang)
    lang.set(qn("w:val"), language)


def _shade(p_pr, fill: str, left_border: str = "") -> None:
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    if left_border:
        borders = OxmlElement("w:pBdr")
        left = OxmlElement("w:left")
        for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "6"), ("w:color", left_border)):
            left.set(qn(key), value)
        borders.append(left)
        p_pr.append(borders)
    shading = OxmlElement("w:shd")
    for key, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", fill)):
        shading.set(qn(key), value)
    p_pr.append(shading)


def _field(paragraph, instruction: str, shown: str, bold: bool = False) -> None:
    """A field (PAGE, SEQ Figure …) showing `shown` until Word updates it; its result is a plain run, so text readers see it too."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    def run(kind: str, value: str = ""):
        element = OxmlElement("w:r")
        if bold:
            properties = OxmlElement("w:rPr")
            properties.append(OxmlElement("w:b"))
            element.append(properties)
        child = OxmlElement(kind)
        if kind == "w:fldChar":
            child.set(qn("w:fldCharType"), value)
        else:
            child.text = value
            if kind == "w:instrText":
                child.set(qn("xml:space"), "preserve")
        element.append(child)
        paragraph._p.append(element)

    run("w:fldChar", "begin")
    run("w:instrText", f" {instruction} ")
    run("w:fldChar", "separate")
    run("w:t", shown)
    run("w:fldChar", "end")


def _header_and_footer(document) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    section = document.sections[0]
    section.different_first_page_header_footer = True  # the title page carries no running head
    head = section.header.paragraphs[0]
    head.text = RUNNING_HEAD
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(footer, "PAGE", "1")
    for paragraph in (head, footer):
        for run in paragraph.runs:
            run.font.size, run.font.color.rgb = Pt(8), RGBColor.from_string(MUTED)
    first_footer = section.first_page_footer.paragraphs[0]
    first_footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(first_footer, "PAGE", "1")


def _core_properties(document, page: BeautifulSoup, as_of: dt.date) -> None:
    """Metadata from the page, dated by the edition (never the clock), so the same inputs give the same bytes."""
    from brief.engine.render import AUTHOR, TITLE

    def meta(name: str) -> str:
        tag = page.find("meta", attrs={"name": name})
        return tag.get("content", "") if tag else ""

    edition = page.select_one("header .edition")
    properties = document.core_properties
    properties.title = TITLE
    properties.subject = meta("description")
    properties.author = properties.last_modified_by = AUTHOR
    properties.keywords = meta("keywords")
    properties.comments = edition.get_text(" ", strip=True) if edition else ""
    properties.category = "Policy brief"
    properties.language = "en-GB"
    properties.revision = 1
    properties.created = properties.modified = dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.UTC)


# ---------------------------------------------------------------------------- text


class _Runs:
    """The inline content of one paragraph: text pieces with their formatting, whitespace collapsed as a browser does."""

    def __init__(self):
        self.pieces: list[tuple[str, frozenset, str]] = []  # (text, marks, link)

    def add(self, text: str, marks: frozenset = frozenset(), link: str = "") -> None:
        text = re.sub(r"\s+", " ", text)
        if not text:
            return
        if text.startswith(" ") and (not self.pieces or self.pieces[-1][0].endswith(" ")):
            text = text[1:]
        if text and "sup" in marks:  # a citation's numbers stay on one line
            text = text.replace(", ", ",\u00a0")
        if text:
            self.pieces.append((text, marks, link))

    def collect(self, node, marks: frozenset = frozenset(), link: str = "", skip=()) -> None:
        """Add the text of `node` (a tag or a string), with bold, italic, code and links kept."""
        if isinstance(node, NavigableString):
            if type(node) is NavigableString:  # not a comment or a doctype
                self.add(str(node), marks, link)
            return
        if not isinstance(node, Tag) or any(node is s for s in skip):
            return
        name = node.name
        if name == "br":
            self.pieces.append(("\n", marks, link))
            return
        if name in ("strong", "b", "th"):
            marks = marks | {"bold"}
        elif name in ("em", "i") or _has_class(node, "paraphrase"):
            marks = marks | {"italic"}
        elif name == "code":
            marks = marks | {"code"}
        elif name == "sup" or _has_class(node, "cites"):  # citations are small raised numbers, as in the HTML
            marks = marks | {"sup"}
        elif _has_class(node, "status"):
            marks = marks | {"bold"}
        elif name == "a" and not _has_class(node, "cite") and node.get("href", "").startswith(("http://", "https://")):
            link = node["href"]
        for child in node.children:
            self.collect(child, marks, link, skip)

    def text(self) -> str:
        return "".join(t for t, _, _ in self.pieces).strip()

    def write(self, paragraph, link_style: str = "", link_id=None) -> None:
        from docx.shared import Pt

        pieces = list(self.pieces)
        while pieces and not pieces[-1][0].strip():
            pieces.pop()
        if pieces:
            last = pieces[-1]
            pieces[-1] = (last[0].rstrip(), last[1], last[2])
        merged: list[list] = []
        for text, marks, link in pieces:
            if merged and merged[-1][1] == marks and merged[-1][2] == link:
                merged[-1][0] += text
            else:
                merged.append([text, marks, link])
        for text, marks, link in merged:
            container = _hyperlink(paragraph, link_id(link)) if link else None
            run = paragraph.add_run()
            if container is not None:
                container.append(run._r)
                run._r.style = link_style
            parts = text.split("\n")
            for i, part in enumerate(parts):
                if i:
                    run.add_break()
                if part:
                    run.add_text(part)
            run.bold = True if "bold" in marks else None
            run.italic = True if "italic" in marks else None
            if "sup" in marks:
                run.font.superscript = True
            if "code" in marks:
                run.font.name = "Consolas"
                run.font.size = Pt(9)


def _hyperlink(paragraph, rel_id: str):
    """A w:hyperlink (to the address of relationship `rel_id`) appended to `paragraph`; runs go inside it."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    paragraph._p.append(link)
    return link


def _has_class(tag: Tag, *names: str) -> bool:
    classes = tag.get("class") or []
    return any(n in classes for n in names)


# ---------------------------------------------------------------------------- blocks


class _Writer:
    def __init__(self, document, charts: dict[str, Path]):
        self.document = document
        self.charts = charts
        self.body_width_emu = int(TEXT_WIDTH_CM * 360000)
        # python-docx looks a style up by name in the whole styles part each time: once here instead.
        self.style_ids = {style.name: style.style_id for style in document.styles}
        self.link_ids: dict[str, str] = {}

    def add_paragraph(self, style: str = "Normal", container=None):
        paragraph = (container or self.document).add_paragraph()
        self.set_style(paragraph, style)
        return paragraph

    def set_style(self, paragraph, style: str) -> None:
        if style != "Normal":
            paragraph._p.style = self.style_ids[style]

    def write(self, runs: _Runs, paragraph) -> None:
        runs.write(paragraph, self.style_ids["Hyperlink"], self.link_id)

    def link_id(self, url: str) -> str:
        """The relationship of a web address, made once (python-docx would search every relationship each time)."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        if url not in self.link_ids:
            self.link_ids[url] = self.document.part.relate_to(url, RT.HYPERLINK, is_external=True)
        return self.link_ids[url]

    # ---- paragraphs

    def paragraph(self, node, style: str = "Normal", container=None):
        runs = _Runs()
        runs.collect(node)
        if not runs.text():
            return None
        paragraph = self.add_paragraph(style, container)
        self.write(runs, paragraph)
        return paragraph

    def blocks(self, node: Tag, style: str = "Normal") -> None:
        """Write the block children of `node`; loose inline content between them becomes a paragraph."""
        loose = []

        def flush():
            if loose:
                wrapper = loose[0].wrap(Tag(name="span"))
                for item in loose[1:]:
                    wrapper.append(item.extract())
                self.paragraph(wrapper, style)
                loose.clear()

        for child in list(node.children):
            if isinstance(child, Tag) and child.name in BLOCKS:
                flush()
                self.block(child, style)
            elif isinstance(child, (Tag, NavigableString)):
                loose.append(child)
        flush()

    def block(self, node: Tag, style: str = "Normal") -> None:
        name = node.name
        if name in HEADING_STYLES:
            heading = self.paragraph(node, HEADING_STYLES[name])
            if heading is not None:
                heading.paragraph_format.keep_with_next = True
        elif name == "p":
            self.paragraph(node, style)
        elif name in ("ul", "ol"):
            self.list(node)
        elif name == "blockquote":
            self.blocks(node, "Quote")
        elif name == "figure" and _has_class(node, "chart"):
            self.chart(node)
        elif name == "figure" and _has_class(node, "table"):
            self.table_figure(node)
        elif name == "table":
            self.table(node)
        elif name == "details":
            summary = node.find("summary")
            if summary is not None:
                summary.name = "strong"
                self.paragraph(summary, style)
                summary.extract()
            self.blocks(node, style)
        elif name == "img":
            self.picture(node.get("alt", ""), None, node)
        elif name == "hr":
            return
        else:  # div, section, figure of another kind: its children, in the block's style
            if _has_class(node, "lead"):
                style = "Lead"
            elif _has_class(node, "callout"):
                style = "Callout"
            self.blocks(node, style)

    def list(self, node: Tag, level: int = 1) -> None:
        numbered = node.name == "ol"
        style = ("List Number" if numbered else "List Bullet") + (f" {level}" if level > 1 else "")
        num_id = self._restarted_numbering(style) if numbered else None
        if _has_class(node, "reference-list"):  # two columns of small type, as in the PDF
            style = "Reference"
            self.two_columns()
        for item in node.find_all("li", recursive=False):
            nested = [c for c in item.children if isinstance(c, Tag) and c.name in ("ul", "ol")]
            for sub in nested:
                sub.extract()
            paragraph = self.paragraph(item, style)
            if paragraph is not None and num_id is not None:
                num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                num_pr.get_or_add_ilvl().val = 0
                num_pr.get_or_add_numId().val = num_id
            for sub in nested:
                self.list(sub, min(level + 1, 3))

    def two_columns(self) -> None:
        """From here on, two columns (a continuous section break: no new page)."""
        from docx.enum.section import WD_SECTION
        from docx.oxml.ns import qn
        from docx.oxml.parser import OxmlElement

        section = self.document.add_section(WD_SECTION.CONTINUOUS)
        section.different_first_page_header_footer = False
        columns = section._sectPr.find(qn("w:cols"))
        if columns is None:
            columns = OxmlElement("w:cols")
            section._sectPr.append(columns)
        columns.set(qn("w:num"), "2")
        columns.set(qn("w:space"), "340")

    def _restarted_numbering(self, style: str) -> int:
        """A new numbering instance of the style's list, so each numbered list starts at 1."""
        numbering = self.document.part.numbering_part.element
        style_num = self.document.styles[style].element.pPr.numPr.numId.val
        abstract = numbering.num_having_numId(style_num).abstractNumId.val
        num = numbering.add_num(abstract)
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        return num.numId

    # ---- figures and tables

    def caption(self, figcaption: Tag | None, kind: str) -> tuple[object | None, Tag | None]:
        """The caption paragraph ("Figure 3." as Word's SEQ field, then the text) and the source line's element."""
        if figcaption is None:
            return None, None
        source = figcaption.find(class_=SOURCE_CLASSES)
        label = figcaption.find(class_=("fig-label", "tab-label"))
        runs = _Runs()
        runs.collect(figcaption, skip=(source, label))
        paragraph = self.add_paragraph("Caption")
        number = re.search(r"(\d+)", label.get_text()) if label is not None else None
        if number:
            paragraph.add_run(f"{kind} ").bold = True
            _field(paragraph, f"SEQ {kind} \\* ARABIC", number.group(1), bold=True)
            paragraph.add_run(". ").bold = True
        self.write(runs, paragraph)
        return paragraph, source

    def chart(self, figure: Tag) -> None:
        slug = (figure.get("id") or "").removeprefix("fig-")
        title = figure.select_one("svg title")
        alt = title.get_text(" ", strip=True) if title is not None else ""
        if slug not in self.charts:
            raise RenderError(f"the Word edition needs the chart {slug}.png, which the build did not write")
        self.picture(alt, self.charts[slug])
        _, source = self.caption(figure.find("figcaption"), "Figure")
        if source is not None:
            self.paragraph(source, "Source Line")

    def picture(self, alt: str, path: Path | None, img: Tag | None = None) -> None:
        from docx.image.image import Image
        from docx.shared import Emu

        if path is None:  # an <img> with a data: URL (a PNG a notebook displayed)
            import base64

            src = img.get("src", "") if img is not None else ""
            if not src.startswith("data:image/png;base64,"):
                return
            stream = io.BytesIO(base64.b64decode(src.split(",", 1)[1]))
        else:
            stream = io.BytesIO(path.read_bytes())
        image = Image.from_blob(stream.getvalue())
        width = min(self.body_width_emu, int(image.px_width * 914400 / CHART_DPI))
        height = width * image.px_height // image.px_width
        limit = int(MAX_CHART_HEIGHT_CM * 360000)
        if height > limit:
            width, height = width * limit // height, limit
        paragraph = self.add_paragraph("Figure Image")
        shape = paragraph.add_run().add_picture(stream, width=Emu(width), height=Emu(height))
        doc_pr = shape._inline.docPr
        doc_pr.set("descr", alt)
        shape._inline.graphic.graphicData.pic.nvPicPr.cNvPr.set("descr", alt)

    def table_figure(self, figure: Tag) -> None:
        caption, source = self.caption(figure.find("figcaption"), "Table")
        if caption is not None:
            caption.paragraph_format.keep_with_next = True
        table = figure.find("table")
        if table is not None:
            self.table(table)
        if source is not None:
            self.paragraph(source, "Source Line")

    def table(self, node: Tag) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Emu

        rows = [tr.find_all(["th", "td"], recursive=False) for tr in node.find_all("tr")]
        rows = [r for r in rows if r]
        if not rows:
            return
        header_rows = len(node.select("thead tr"))
        columns = max(len(r) for r in rows)
        table = self.document.add_table(rows=len(rows), cols=columns)
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        widths = _column_widths(rows, columns, self.body_width_emu)
        for c, width in enumerate(widths):
            table.columns[c].width = Emu(width)
        for r, cells in enumerate(rows):
            row = table.rows[r]
            _no_split(row)
            if r < header_rows:
                _repeat_header(row)
            for c in range(columns):
                cell = row.cells[c]
                cell.width = Emu(widths[c])
                paragraph = cell.paragraphs[0]
                self.set_style(paragraph, "Table Text")
                if c >= len(cells):
                    continue
                runs = _Runs()
                runs.collect(cells[c])
                self.write(runs, paragraph)
                if r < header_rows or cells[c].name == "th":
                    for run in paragraph.runs:
                        run.bold = True
                if r < header_rows:
                    _shade(cell._tc.get_or_add_tcPr(), "E7ECF2")
                if _has_class(cells[c], "num"):
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self.add_paragraph("Table Text")  # Word needs a paragraph between a table and what follows


TABLE_CHAR_EMU = int(0.2 * 360000)  # the width of an average character of Table Text (8.5 pt)
CELL_PADDING_EMU = int(0.45 * 360000)  # Word's cell margins and a little air


def _column_widths(rows: list[list[Tag]], columns: int, total: int) -> list[int]:
    """Each column at least as wide as its longest word, the rest of the width shared by how much text each column holds."""
    least, wanted = [], []
    for c in range(columns):
        texts = [re.sub(r"\s+", " ", r[c].get_text(" ", strip=True)) for r in rows if c < len(r)]
        longest_word = min(16, max((len(w) for t in texts for w in t.split()), default=3))  # an address may break
        mean = sum(len(t) for t in texts) / max(1, len(texts))
        least.append(max(3, longest_word) * TABLE_CHAR_EMU + CELL_PADDING_EMU)
        wanted.append(max(0.0, min(mean, 80) * TABLE_CHAR_EMU + CELL_PADDING_EMU - least[-1]))
    if sum(least) >= total:
        widths = [w * total // sum(least) for w in least]
    else:
        spare, need = total - sum(least), sum(wanted) or 1
        shares = wanted if sum(wanted) else least
        widths = [int(w + spare * s / (need if sum(wanted) else sum(least))) for w, s in zip(least, shares)]
    widths[-1] += total - sum(widths)
    return widths


def _no_split(row) -> None:
    from docx.oxml.parser import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _repeat_header(row) -> None:
    from docx.oxml.parser import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


BLOCKS = {"p", "div", "section", "ul", "ol", "figure", "table", "blockquote", "details", "h1", "h2", "h3", "h4", "h5", "h6", "img", "hr", "header", "footer", "main", "nav"}


# ---------------------------------------------------------------------------- the document


def _title_block(writer: _Writer, header: Tag | None) -> None:
    if header is None:
        return
    for node in header.find_all(["p", "h1"], recursive=False):
        if node.name == "h1":
            writer.paragraph(node, "Title")
        elif _has_class(node, "series"):
            writer.paragraph(node, "Series")
        elif _has_class(node, "subtitle"):
            writer.paragraph(node, "Subtitle")
        elif _has_class(node, "edition"):
            writer.paragraph(node, "Edition Line")
        else:
            writer.paragraph(node, "Normal")


def _fixed_zip(data: bytes, as_of: dt.date) -> bytes:
    """The same package with every member dated by the edition: python-docx stamps them with the clock."""
    stamp = (max(as_of.year, 1980), as_of.month, as_of.day, 0, 0, 0)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.create_system = 0
            member.external_attr = 0
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def docx_bytes(html: str, *, charts: dict[str, Path], as_of: dt.date) -> bytes:
    """The Word document of an assembled brief; `charts` maps each chart's slug to its PNG."""
    # A chart's SVG is thousands of paths; Word gets its PNG, and only the SVG's <title> (the alt text) is read.
    html = re.sub(r"(<svg\b[^>]*>)\s*(<title\b.*?</title>)?.*?</svg>", lambda m: f"{m.group(1)}{m.group(2) or ''}</svg>", html, flags=re.S)
    page = BeautifulSoup(html, "html.parser")
    for skipped in page.select(SKIPPED):
        skipped.decompose()
    document = _new_document()
    _core_properties(document, page, as_of)
    _header_and_footer(document)
    writer = _Writer(document, charts)
    _title_block(writer, page.select_one("header.title-block"))
    main = page.find("main")
    if main is None:
        raise RenderError("the assembled brief has no <main>: nothing to write to Word")
    for section in main.find_all("section", recursive=False):
        writer.blocks(section)
    footer = page.select_one("footer.colophon")
    if footer is not None:
        for node in footer.find_all("p"):
            writer.paragraph(node, "Edition Line")
    buffer = io.BytesIO()
    document.save(buffer)
    return _fixed_zip(buffer.getvalue(), as_of)


def write_docx(html: str, target: Path, *, charts: dict[str, Path], as_of: dt.date) -> None:
    Path(target).write_bytes(docx_bytes(html, charts=charts, as_of=as_of))
