"""The PDF edition: the assembled print HTML written as Typst markup and compiled by the `typst` package.

The writer knows the brief's own small HTML (render.assemble, edition="pdf"): title block, contents,
sections with numbered headings, prose (paragraphs, lists, emphasis, code, links, citations),
callouts, figures holding an inline SVG chart, numbered tables, and the References. Numbers are
taken from that HTML, so both editions number alike. Text is escaped character by character, so
nothing from the data is ever read as Typst markup. The house style is templates/brief.typ.

The compiler sees only a scratch folder holding the markup, the template and the charts, and the
project's fonts (no system fonts, no packages): the same inputs give the same bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
import re
import tempfile
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from brief.config import TEMPLATES_DIR
from brief.engine import fonts
from brief.engine.render import within
from brief.engine.svg_aside import stash_svgs
from brief.errors import RenderError

TEMPLATE = TEMPLATES_DIR / "brief.typ"
SHORT_TITLE = "Leaving the Mine Ban Treaty — policy brief"
KEYWORDS = ("Ottawa Convention", "anti-personnel mines", "Article 20", "Estonia", "Latvia", "Lithuania", "Finland", "Poland", "Ukraine")

# ASCII characters with a meaning in Typst markup (and '.', "'", '"' that it turns into ellipses,
# enumerations and smart quotes): each is written with a backslash, which Typst reads as the
# character itself. Letters, digits and all non-ASCII text pass unchanged.
SPECIAL = re.compile(r"""([\\#$*_@<>\[\]`~=+\-/'".:])""")
SPACE = re.compile(r"[ \t\n\r\f]+")  # HTML white space only: a no-break space stays
# html.parser lowercases names; SVG's are case-sensitive.
SVG_NAMES = {
    name.lower(): name
    for name in (
        "viewBox", "clipPath", "clipPathUnits", "linearGradient", "radialGradient", "gradientUnits", "gradientTransform",
        "patternUnits", "patternContentUnits", "patternTransform", "preserveAspectRatio", "textLength", "lengthAdjust",
        "markerWidth", "markerHeight", "markerUnits", "refX", "refY", "stdDeviation", "feGaussianBlur", "feOffset",
        "feMerge", "feMergeNode", "feBlend", "feFlood", "feComposite", "foreignObject", "textPath", "startOffset",
    )
}


def escape(text: str) -> str:
    """Text as Typst markup that prints exactly `text` (white space collapsed, as HTML shows it)."""
    return SPECIAL.sub(r"\\\1", SPACE.sub(" ", text))


def string(text: str) -> str:
    """A Typst string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


LABEL = re.compile(r"[A-Za-z0-9_.:-]+")


def label(name: str) -> str:
    """A label value, for links."""
    return f"label({string(name)})"


def attach(name: str | None) -> str:
    """Markup that labels the element before it (nothing for a name Typst cannot take as a label)."""
    return f" <{name}>" if name and LABEL.fullmatch(name) else ""


def fix_svg_case(svg: str) -> str:
    """Restore the camel case of SVG element and attribute names that an HTML parser lowercased."""
    pattern = re.compile(r"(?<=[<\s/])(" + "|".join(SVG_NAMES) + r")(?=[\s=>/])")
    return pattern.sub(lambda m: SVG_NAMES[m.group(1)], svg)


@dataclass
class Document:
    """What the writer makes: the markup, and the chart files it names."""

    markup: str
    files: dict[str, str] = field(default_factory=dict)


SVG_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title>", re.S)


class Writer:
    """Turns the assembled print HTML into Typst markup; unknown elements keep their text."""

    def __init__(self, charts: list[str] | None = None) -> None:
        self.files: dict[str, str] = {}
        self.charts = charts or []  # the SVG elements svg_aside.stash_svgs set aside, by number

    # ------------------------------------------------------------------ inline

    def inline(self, node) -> str:
        if isinstance(node, NavigableString):
            if type(node) is not NavigableString:  # comments, doctype
                return ""
            return escape(str(node))
        if not isinstance(node, Tag):
            return ""
        name, classes = node.name, set(node.get("class") or [])
        if name in ("script", "style", "details", "svg"):
            return ""
        if "cites" in classes:
            return self.cites(node)
        if name in ("strong", "b"):
            return f"#strong[{self.inlines(node)}]"
        if name in ("em", "i") or "paraphrase" in classes:
            return f"#emph[{self.inlines(node)}]"
        if name == "code":
            return f"#raw({string(SPACE.sub(' ', node.get_text()))})"
        if name == "br":
            return "#linebreak()"
        if name == "sup":
            return f"#super[{self.inlines(node)}]"
        if name == "sub":
            return f"#sub[{self.inlines(node)}]"
        if name == "a":
            href = node.get("href", "")
            if href.startswith(("http://", "https://")):
                return f"#link({string(href)})[{breakable(self.inlines(node))}]"
            return self.inlines(node)
        if "status" in classes or "verdict" in classes:
            return f"#strong[{self.inlines(node)}]"
        if "ref-id" in classes or "fig-label" in classes or "tab-label" in classes or "fig-source" in classes or "tab-source" in classes:
            return ""  # placed by the figure writer, or not printed
        return self.inlines(node)

    def inlines(self, node: Tag) -> str:
        return "".join(self.inline(child) for child in node.children).strip()

    def cites(self, node: Tag) -> str:
        """[3–5, 9]: the renderer has sorted the numbers and joined three or more in a row as a range (its ends are links)."""
        items, current = [], []
        for child in node.children:
            if isinstance(child, Tag) and "cite" in (child.get("class") or []):
                current.append(f"#link({label('ref-' + child.get('data-source', ''))})[{escape(child.get_text())}]")
            elif "–" in str(child):
                current.append("–")
            elif "," in str(child) and current:
                items.append(current)
                current = []
        if current:
            items.append(current)
        return f"#cites({', '.join('[' + ''.join(item) + ']' for item in items)})"

    # ------------------------------------------------------------------ blocks

    def blocks(self, node: Tag) -> str:
        """The children of `node` as blocks; runs of inline content become paragraphs."""
        out: list[str] = []
        run: list[str] = []

        def flush() -> None:
            text = "".join(run).strip()
            if text:
                out.append(text)
            run.clear()

        for child in node.children:
            if isinstance(child, Tag) and self.is_block(child):
                flush()
                block = self.block(child)
                if block:
                    out.append(block)
            else:
                run.append(self.inline(child))
        flush()
        return "\n\n".join(out)

    BLOCK_NAMES = {"p", "div", "ul", "ol", "figure", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "section", "details", "header", "nav", "main", "footer", "hr"}

    def is_block(self, node: Tag) -> bool:
        return node.name in self.BLOCK_NAMES

    def block(self, node: Tag) -> str:
        name, classes = node.name, set(node.get("class") or [])
        if name == "details":
            return ""  # "Show data" disclosures are online only
        if name == "p":
            return self.inlines(node)
        if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            return self.heading(node, {"h2": 1, "h3": 2}.get(name, 3))
        if name == "ul":
            return self.list(node, "list")
        if name == "ol":
            return self.list(node, "enum")
        if name == "blockquote":
            return f"#quote(block: true)[{self.blocks(node)}]"
        if name == "hr":
            return "#line(length: 100%, stroke: 0.5pt + rule)"
        if name == "figure" and "chart" in classes:
            return self.chart(node)
        if name == "figure" and "table" in classes:
            return self.table_figure(node)
        if name == "table":
            return self.table(node)
        if "callout" in classes or "summary" in classes:
            return f"#callout[{self.blocks(node)}]"
        if "cite-this" in classes:
            return f"#text(font: sans, size: 8pt, fill: muted)[{self.blocks(node)}]"
        if "lead" in classes:
            return f"#lead[{self.blocks(node)}]"
        return self.blocks(node)

    def heading(self, node: Tag, level: int) -> str:
        number = node.find(class_="sec-num")
        prefix = f"#sec-num[{escape(number.get_text())}]" if number else ""
        if number:
            number.extract()
        text = self.inlines(node)
        return f"#heading(level: {level})[{prefix}{text}]{attach(node.get('id'))}"

    def list(self, node: Tag, kind: str) -> str:
        items = []
        for li in node.find_all("li", recursive=False):
            number = f"{int(li['value'])}, " if kind == "enum" and str(li.get("value", "")).isdigit() else ""
            items.append(f"{kind}.item({number}[{self.blocks(li)}])")
        return f"#{kind}({', '.join(items)})" if items else ""

    def caption(self, caption: Tag | None, label_class: str, source_class: str) -> str:
        if caption is None:
            return "[]"
        label_node, source_node = caption.find(class_=label_class), caption.find(class_=source_class)
        parts = []
        if label_node is not None:
            parts.append(f"#fig-label[{escape(label_node.get_text())}]")
        parts.append(self.inlines(caption))
        if source_node is not None:
            parts.append(f"#fig-source[{self.inlines(source_node)}]")
        return "[" + "".join(parts) + "]"

    def chart(self, node: Tag) -> str:
        slot = node.find(string=lambda text: isinstance(text, Comment) and text.startswith("chart-svg "))
        caption = self.caption(node.find("figcaption"), "fig-label", "fig-source")
        if slot is None:
            return f"#block[{self.blocks(node)}]"
        svg = self.charts[int(slot.split()[1])]
        title = SVG_TITLE.search(svg)
        alt = SPACE.sub(" ", unescape(title.group(1))).strip() if title else ""
        if not alt:
            label_node = node.find(class_="fig-label")
            raise RenderError(f"the chart {node.get('id') or (label_node.get_text() if label_node else '')!r} has no title to serve as its alt text")
        name = f"chart-{len(self.files) + 1}.svg"
        self.files[name] = fix_svg_case(svg)
        target = attach(node.get("id"))
        # as wide as the text, at most 150 mm high (as the WeasyPrint edition)
        image = f"image({string(name)}, width: 100%, height: auto, alt: {string(alt)})"
        return f"#chart(block(width: 100%, height: auto, {image}), {caption}){target}"

    def table_figure(self, node: Tag) -> str:
        caption = self.caption(node.find("figcaption"), "tab-label", "tab-source")
        table = node.find("table")
        body = self.table(table) if table is not None else ""
        short = "short" in (node.get("class") or [])
        target = attach(node.get("id"))
        return f"#table-figure({body or '[]'}, {caption}, short: {'true' if short else 'false'}){target}"

    def table(self, node: Tag) -> str:
        header_row = next(iter(within(node, "thead", "tr")), None)
        header = [cell for cell in header_row.find_all(["th", "td"], recursive=False)] if header_row else []
        rows = [row.find_all(["th", "td"], recursive=False) for row in (within(node, "tbody", "tr") or node.find_all("tr")) if row is not header_row]
        width = max([len(header), *(len(r) for r in rows)], default=0)
        if width == 0:
            return ""
        numeric = sorted({i for i, cell in enumerate(header) if "num" in (cell.get("class") or [])} | {i for r in rows for i, cell in enumerate(r) if "num" in (cell.get("class") or [])})
        columns = column_widths([[cell_text(c) for c in r] for r in ([header] if header else []) + rows], width, header=bool(header))
        head = ", ".join(f"[{self.inlines(c)}]" for c in header)
        cells = ", ".join(f"[{self.blocks(c)}]" for r in rows for c in (r + [None] * (width - len(r))) if c is not None) if all(len(r) == width for r in rows) else None
        if cells is None:  # a short row: pad it
            cells = ", ".join(f"[{self.blocks(c)}]" if c is not None else "[]" for r in rows for c in (r + [None] * (width - len(r))))
        header_arg = f"header: ({head},), " if header else ""
        return f"table-style(columns: ({', '.join(columns)},), numeric: ({''.join(f'{i}, ' for i in numeric)}), {header_arg}{cells})"


TEXT_WIDTH_PT = (210 - 22 - 20) / 25.4 * 72  # A4 less the template's side margins
TABLE_SIZE_PT, CELL_INSET_PT = 7.6, 6.0  # the template's table type size and a cell's left + right inset
BREAKS = re.compile(r"\s+|(?<=[/\-])")  # Typst breaks lines at spaces and after '/' and '-'


@functools.lru_cache(maxsize=2)
def _advances(bold: bool) -> dict[int, float]:
    """Advance widths (in em) of DejaVu Sans, the tables' font."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(fonts.font_dir() / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), lazy=True)
    units, metrics = font["head"].unitsPerEm, font["hmtx"]
    return {code: metrics[name][0] / units for code, name in font.getBestCmap().items()}


def text_width(text: str, bold: bool = False) -> float:
    """Points that `text` takes on one line in a table cell."""
    advances = _advances(bold)
    return sum(advances.get(ord(c), 0.6) for c in text) * TABLE_SIZE_PT


def cell_text(cell: Tag) -> str:
    """A cell's text as it prints on one line; citations are set small, so they count for about two thirds."""
    own = "".join(t for t in cell.find_all(string=True) if t.find_parent(class_="cites") is None)
    cited = sum(len(marks.get_text()) for marks in cell.find_all(class_="cites"))
    return SPACE.sub(" ", own).strip() + "x" * (cited * 7 // 10)


def column_widths(rows: list[list[str]], width: int, header: bool = True) -> list[str]:
    """Column widths as a browser lays out an automatic table across the text width: each column at
    least as wide as its longest word, the room left shared by how much more each would take on one line."""
    least, most = [CELL_INSET_PT] * width, [CELL_INSET_PT] * width
    for r, row in enumerate(rows):
        bold = header and r == 0
        for i, text in enumerate(row[:width]):
            words = [w for w in BREAKS.split(text) if w]
            least[i] = max(least[i], max((text_width(w, bold) for w in words), default=0) + CELL_INSET_PT)
            most[i] = max(most[i], text_width(text, bold) + CELL_INSET_PT)
    room = TEXT_WIDTH_PT
    if sum(most) <= room:
        widths = [m + (room - sum(most)) * m / sum(most) for m in most]
    elif sum(least) >= room:
        widths = [m * room / sum(least) for m in least]
    else:
        extra = [m - n for m, n in zip(most, least)]
        widths = [n + (room - sum(least)) * e / sum(extra) for n, e in zip(least, extra)]
    return [f"{w / room * 100:.2f}%" for w in widths]


LONG_RUN = re.compile(r"[^\s/\-]{28,}")  # Typst breaks a line at spaces, after '/' and '-': longer runs get more places


def breakable(markup: str) -> str:
    """A web address that may break inside long runs (after '&', '=', '?', '.', '_' or every 20 letters), so
    a narrow References column never overflows; the break points are zero-width spaces."""

    def split(match: re.Match) -> str:
        run = re.sub(r"(\\?[&=?._;])(?!$)", "\\1\u200b", match.group(0))
        return re.sub(r"([^\u200b\\]{20})(?=[^\u200b])", "\\1\u200b", run)

    return LONG_RUN.sub(split, markup)


# ------------------------------------------------------------------------------------ the page


def document(html: str, *, as_of: dt.date) -> Document:
    """The whole print edition as Typst markup (main file) and the chart files it loads."""
    html, charts = stash_svgs(html)  # (parsing the charts' SVG would cost more than the rest of the page)
    soup = BeautifulSoup(html, "lxml")
    writer = Writer(charts)
    head = soup.find("header", class_="title-block")
    if head is None:
        raise RenderError("the print edition has no title block")

    def text_of(selector: str) -> str:
        element = head.select_one(selector)
        return SPACE.sub(" ", element.get_text()).strip() if element else ""

    title, subtitle = text_of("h1"), text_of(".subtitle")
    parts = [
        '#import "brief.typ": *',
        f"#show: brief.with(title: {string(title)}, subtitle: {string(subtitle)}, "
        f"author: {string(soup.find('meta', attrs={'name': 'author'})['content'] if soup.find('meta', attrs={'name': 'author'}) else '')}, "
        f"keywords: ({''.join(string(k) + ', ' for k in KEYWORDS)}), "
        f"date: datetime(year: {as_of.year}, month: {as_of.month}, day: {as_of.day}), short-title: [{escape(SHORT_TITLE)}])",
        f"#title-block(series: [{escape(text_of('.series'))}], title: [{escape(title)}], subtitle: [{escape(subtitle)}], "
        f"as-of: [{escape(text_of('.as-of'))}], scope: {'[' + escape(text_of('.scope')) + ']' if text_of('.scope') else 'none'}, "
        f"edition: [{escape(text_of('.edition'))}], byline: [{escape(text_of('.byline'))}])",
    ]
    toc = soup.select("nav.toc li a")
    entries = []
    for link in toc:
        number = link.find(class_="toc-num")
        number_text = number.get_text().strip() if number else ""
        if number:
            number.extract()
        entries.append(f"#toc-entry([{escape(number_text)}], [{escape(link.get_text(' ', strip=True))}], {label(link['href'].lstrip('#') + '-h')})")
    half = math.ceil(len(entries) / 2)
    parts.append(f"#contents([{chr(10).join(entries[:half])}], [{chr(10).join(entries[half:])}])")
    main = soup.find("main")
    if main is None:
        raise RenderError("the print edition has no <main>")
    for section in main.find_all("section", recursive=False):
        if "references" in (section.get("class") or []):
            parts.append(references(section, writer))
        else:
            parts.append(writer.blocks(section))
    return Document("\n\n".join(parts) + "\n", writer.files)


def references(section: Tag, writer: Writer) -> str:
    heading = section.find("h2")
    out = [writer.heading(heading, 1)] if heading else []
    note = section.select_one(".references-note")
    items = []
    for li in section.select("ol.reference-list > li"):
        number = int(li.get("value", len(items) + 1))
        anchor = f"#metadata(none){attach(li.get('id')).strip()}" if attach(li.get("id")) else ""
        items.append(f"enum.item({number})[{anchor}{writer.inlines(li)}]")
    out.append(f"#references({'[' + writer.inlines(note) + ']' if note else 'none'}, enum(numbering: \"1.\", {', '.join(items)}))")
    return "\n\n".join(out)


def compile_pdf(doc: Document, target: Path) -> None:
    """Compile the markup in a scratch folder that holds only it, the template and the charts."""
    import typst

    try:
        warnings = _compile(doc, output=str(target))
    except typst.TypstError as exc:
        raise RenderError(f"Typst could not compile the PDF edition: {describe(exc, doc.markup)}") from None
    missing = [w for w in warnings if "font" in (getattr(w, "message", "") or str(w))]
    if missing:  # a text set in no font would print as nothing
        raise RenderError(f"Typst could not find a font of the PDF edition: {describe(missing[0], doc.markup)}")


def _compile(doc: Document, output: str | None) -> list:
    """Typst's warnings; the PDF goes to `output` (None: nowhere). Raises typst.TypstError."""
    import typst

    with tempfile.TemporaryDirectory(prefix="brief-typst-") as scratch:
        root = Path(scratch)
        (root / "brief.typ").write_bytes(TEMPLATE.read_bytes())
        for name, svg in doc.files.items():
            (root / name).write_text(svg, encoding="utf-8")
        (root / "main.typ").write_text(doc.markup, encoding="utf-8")
        result = typst.compile_with_warnings(
            str(root / "main.typ"),
            output=output,
            root=str(root),
            font_paths=_font_set(root),
            ignore_system_fonts=True,
            pdf_standards=["ua-1"],
            package_path=str(root / "no-packages"),
            package_cache_path=str(root / "no-packages"),
        )
        return result[-1]


# A build's first compile costs about 0.6 s more than the next one in the same process: Typst keeps
# what it laid out, by content, for the process's life. A build therefore compiles the last edition's
# markup (LAST_DOCUMENT, kept in the cache) while its notebooks run, and its own compile then lays
# out only what changed; the text metrics of the tables are loaded then too.
LAST_DOCUMENT = "typst-last"


def remember(doc: Document, cache) -> None:
    """Keep `doc` (compiled without error) for the next build's warm_up; a record that cannot be written is only not kept."""
    with contextlib.suppress(OSError):
        cache.write_record(LAST_DOCUMENT, {"markup": doc.markup, "files": doc.files})


def warm_up(cache) -> None:
    """Load what the first compile of a process would: the tables' font metrics, and the last edition laid out."""
    import typst

    text_width("0"), text_width("0", bold=True)
    last = cache.read_record(LAST_DOCUMENT)
    if isinstance(last.get("markup"), str) and isinstance(last.get("files"), dict):
        with contextlib.suppress(typst.TypstError, OSError, TypeError):  # (a record of another version: nothing is warmed)
            _compile(Document(last["markup"], last["files"]), output=None)


def _font_set(root: Path):
    """Typst's fonts for a compile in `root`: the brief's own, and no others (Typst reads fonts from folders)."""
    import typst

    font_folder = root / "fonts"
    font_folder.mkdir()
    for path in fonts.pdf_font_files():
        (font_folder / path.name).symlink_to(path)
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(font_folder)])


def svg_to_png(svg: str, ppi: float = 200) -> bytes:
    """A chart's SVG drawn as a PNG by Typst, with the brief's fonts, at `ppi` (the build's PNGs are 200 dpi):
    for a Word edition of charts drawn without their PNG (the preview's)."""
    import typst

    with tempfile.TemporaryDirectory(prefix="brief-typst-") as scratch:
        root = Path(scratch)
        (root / "chart.svg").write_text(fix_svg_case(svg), encoding="utf-8")
        (root / "main.typ").write_text('#set page(width: auto, height: auto, margin: 0pt)\n#image("chart.svg")\n', encoding="utf-8")
        try:
            return typst.compile(str(root / "main.typ"), root=str(root), font_paths=_font_set(root), ignore_system_fonts=True, format="png", ppi=ppi,
                                 package_path=str(root / "no-packages"), package_cache_path=str(root / "no-packages"))
        except typst.TypstError as exc:
            raise RenderError(f"Typst could not draw a chart as PNG: {describe(exc, '')}") from None


def describe(exc, markup: str) -> str:
    """The compiler's message, its hints and the line of markup it points at."""
    message = getattr(exc, "message", "") or str(exc)
    hints = "".join(f"; hint: {h}" for h in getattr(exc, "hints", None) or [])
    where = getattr(exc, "diagnostic", "") or ""
    match = re.search(r"main\.typ:(\d+)", where)
    if match:
        line = markup.splitlines()[int(match.group(1)) - 1] if int(match.group(1)) <= len(markup.splitlines()) else ""
        return f"{message}{hints} (at line {match.group(1)} of the markup: {line[:160]!r})"
    return f"{message}{hints}" + (f" ({where.strip()[:400]})" if where.strip() and where.strip() != message else "")


def write_pdf(html: str, target: Path, *, as_of: dt.date) -> None:
    """Print the brief to PDF with Typst: tagged PDF/UA-1, embedded project fonts, dated by the as-of date."""
    compile_pdf(document(html, as_of=as_of), Path(target))
