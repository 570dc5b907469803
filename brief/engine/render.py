"""Assemble executed notebooks into one self-contained HTML brief, and print it to PDF (through Typst).

Notebooks become section bodies through the project's own nbconvert template
(templates/brief); this module then numbers sections, figures, tables and citations in
reading order, builds the contents and the References from sources.csv, and writes the page.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import threading
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
from bs4 import BeautifulSoup, Tag
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from brief import vocab
from brief.config import AUTHOR, LICENCE, SERIES, SUBTITLE, TEMPLATES_DIR, TITLE
from brief.engine import fonts
from brief.engine.svg_aside import restore_svgs, stash_svgs
from brief.errors import RenderError
from brief.text import EDITION_DROPS, FINGERPRINT_SLOT, cite, esc, fmt_date, join_words

if TYPE_CHECKING:
    from brief.engine.cache import Cache

REMOVE_TAGS = {"cell": "remove-cell", "input": "remove-input", "output": "remove-output"}
CSS_FILE = TEMPLATES_DIR / "brief.css"


# ---------------------------------------------------------------------------- notebook -> fragment


def blank_removed(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Apply Jupyter Book's removal tags, blanking what is removed rather than only flagging it.

    The brief shows no code at all, so every code cell's source is blanked too.
    """
    kept = []
    for cell in notebook.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if REMOVE_TAGS["cell"] in tags:
            continue
        if cell.cell_type == "code":
            cell.source = ""
            if REMOVE_TAGS["output"] in tags:
                cell.outputs = []
        elif REMOVE_TAGS["input"] in tags:
            cell.source = ""
        kept.append(cell)
    notebook.cells = kept
    return notebook


@functools.lru_cache(maxsize=1)
def _exporter(templates: str):
    """One exporter per version of the templates (`templates`: their digest), so its compiled template
    is reused: made anew for each notebook, it compiled the templates again, 0.1 s."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class FragmentExporter(HTMLExporter):
        """nbconvert's HTML exporter without the pass it ends with: it parses the whole output again
        with BeautifulSoup to give <img> without alt text one and JupyterLab's cell classes a tabindex,
        and prints it again (0.3 s for a notebook with charts). The brief's template writes neither."""

        def from_notebook_node(self, nb, resources=None, **kw):
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    exporter = FragmentExporter(template_name="brief", extra_template_basedirs=[str(TEMPLATES_DIR)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


_EXPORTING = threading.Lock()  # (two notebooks may end at once; the exporter registers filters per call)


def warm_up(editions: tuple[str, ...] = (), cache: Cache | None = None) -> None:
    """Convert a small notebook, so that the first real one does not pay for compiling the template and
    for what nbconvert imports on first use (0.6 s; a notebook's own conversion then takes 0.05 s); then
    assemble it as each of `editions` ("pdf": and write its Typst markup), so that the first real
    assembly does not pay for compiling the page template, CSS selectors and patterns (0.25 s). The
    chart font comes from `cache` (without one it is cut anew: 0.4 s)."""
    from brief.engine.cache import template_digest

    table = "<table><thead><tr><th>a</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>"
    output = nbformat.v4.new_output("display_data", data={"text/html": f"<p>x</p>{table}", "text/markdown": "**x**", "image/svg+xml": "<svg></svg>"})
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A\n\n## B\n\nSome *text*."), nbformat.v4.new_code_cell("", outputs=[output])])
    with _EXPORTING:
        body, _ = _exporter(template_digest()).from_notebook_node(notebook)
    for edition in editions:
        page = assemble([SectionBody("warm-up", "Warm-up", body)], as_of=dt.date(2000, 1, 1), countries=vocab.WITHDRAWING_STATES, sources={},
                        fingerprint="", version="", edition=edition, cache=cache)
        if edition == "pdf":
            from brief.engine import typst_pdf

            typst_pdf.document(page, as_of=dt.date(2000, 1, 1))


def _fragment(path: Path) -> str:
    from brief.engine.cache import template_digest

    notebook = blank_removed(nbformat.read(str(path), as_version=4))
    with _EXPORTING:
        body, _ = _exporter(template_digest()).from_notebook_node(notebook)
    return body


def notebook_fragment(path: Path, cache: Cache | None = None, renderer: str = "") -> str:
    """The HTML body of one executed notebook; from the build cache when the notebook and `renderer`
    (the build's digest of the templates and code that convert it) are unchanged."""
    if cache is None:
        return _fragment(path)
    from brief.engine.cache import sha256_text

    key = sha256_text(f"{sha256_text(Path(path).read_text(encoding='utf-8'))} {renderer}")[:24]
    return cache.blob("fragments", f"{key}.html", lambda: _fragment(path).encode()).decode()


# ---------------------------------------------------------------------------- numbering


@dataclass(frozen=True)
class Reference:
    number: int
    source_id: str
    html: Markup
    backlinks: Markup = Markup("")


def display_url(url: str) -> str:
    """A web address as a reader types it: no scheme or 'www.', percent-escapes decoded (the link keeps the exact URL)."""
    from urllib.parse import unquote

    shown = re.sub(r"^https?://(www\.)?", "", url).rstrip("/")
    try:
        decoded = unquote(shown, errors="strict")
    except UnicodeDecodeError:  # escapes that are not UTF-8 stay as they are
        return shown
    return decoded if decoded.isprintable() and " " not in decoded else shown


def reference_html(row: dict, usual_accessed: str = "") -> str:
    """One reference in the brief's style: Publisher. “Title.” Date. Address (accessed …, unless the usual date)."""
    parts = []
    if row.get("publisher"):
        parts.append(f"{esc(row['publisher'])}.")
    parts.append(f"“{esc(row['title'].rstrip('.'))}.”")
    if row.get("published"):
        parts.append(f"{fmt_date(row['published'])}.")
    if row.get("url"):
        parts.append(f'<a class="ref-url" href="{esc(row["url"])}">{esc(display_url(row["url"]))}</a>')
        if row.get("address") == "copy":
            parts.append('<span class="ref-copy">(a copy: the publisher’s own page was not found)</span>')
        if row.get("accessed") and row["accessed"] != usual_accessed:
            parts.append(f"(accessed {fmt_date(row['accessed'])}).")
    if row.get("text_file"):
        parts.append(f"Full text held in <code>data/sources/{esc(row['text_file'])}</code>.")
    parts.append(f'<span class="ref-id">[{esc(row["source_id"])}]</span>')
    return " ".join(parts)


CITATION_KEYS = re.compile(r"\[@([A-Za-z0-9._-]+(?:\s*;\s*@[A-Za-z0-9._-]+)*)\]")


def expand_citation_keys(html: str) -> str:
    """Markdown cells cite as [@source-id] or [@a; @b]; turn those into citation markers."""
    # The notebook chose how many to cite ({ids:cite} or {ids:cite-all}); all its keys are kept here.
    return CITATION_KEYS.sub(lambda m: cite(*[k.strip().lstrip("@") for k in m.group(1).split(";")], limit=None), html)


def tags(soup: BeautifulSoup | Tag, name: str, css_class: str) -> list[Tag]:
    """What soup.select(f"{name}.{css_class}") finds, in document order, found without CSS matching: a
    select walked the whole page through soupsieve, 4-7 times slower, and an edition made seven of them."""
    return [tag for tag in soup.find_all(name) if css_class in (tag.get("class") or ())]


def within(node: Tag, outer: str, inner: str) -> list[Tag]:
    """What node.select(f"{outer} {inner}") finds (`inner` tags inside an `outer` one), without CSS
    matching: tables are walked once per row and cell, where soupsieve's matching cost a tenth of a second."""
    found = [tag for container in node.find_all(outer) for tag in container.find_all(inner)]
    return list({id(tag): tag for tag in found}.values())  # (once each, if `outer` tags nest)


def number_citations(soup: BeautifulSoup, sources: dict[str, dict]) -> list[str]:
    """Number citation markers by first appearance; adjacent markers share one bracket. Returns the cited ids in order."""
    numbers: dict[str, int] = {}
    unknown = []
    for marker in tags(soup, "a", "cite"):
        source_id = marker.get("data-source", "")
        if source_id not in sources:
            unknown.append(source_id)
            continue
        numbers.setdefault(source_id, len(numbers) + 1)
        marker.string = str(numbers[source_id])
        marker["href"] = f"#ref-{source_id}"
        marker["aria-label"] = f"Reference {numbers[source_id]}"
        marker["data-preview"] = preview_text(sources[source_id])
        marker["aria-describedby"] = f"ref-{source_id}"  # a screen reader reads the reference itself
    if unknown:
        raise RenderError(f"citations name sources missing from sources.csv: {sorted(set(unknown))}")
    _bracket_runs(soup)
    return list(numbers)


def usual_accessed(rows: list[dict]) -> str:
    """The access date most references share (stated once above the list); '' when none is shared."""
    dates = Counter(row["accessed"] for row in rows if row.get("url") and row.get("accessed"))
    return dates.most_common(1)[0][0] if dates else ""


def number_ranges(numbers: list[int]) -> list[tuple[int, int]]:
    """[9, 3, 4, 5, 4, 11, 12] -> [(3, 5), (9, 9), (11, 11), (12, 12)]: sorted, without repeats, three or
    more consecutive numbers as one range (two stay two: "[11, 12]")."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return [pair for run in runs for pair in ([(run[0], run[-1])] if len(run) >= 3 else [(n, n) for n in run])]


def _bracket_runs(soup: BeautifulSoup) -> None:
    """Turn each run of adjacent citation markers into one <span class="cites" id="cite-k">[3–5, 9]</span>:
    numbers sorted, repeats dropped, consecutive ones as a range whose ends are links."""
    runs, in_a_run = [], set()
    for marker in tags(soup, "a", "cite"):
        if id(marker) in in_a_run or (marker.parent is not None and "cites" in (marker.parent.get("class") or [])):
            continue
        run = [marker]
        sibling = marker.next_sibling
        while sibling is not None and getattr(sibling, "name", None) == "a" and "cite" in (sibling.get("class") or []):
            run.append(sibling)
            sibling = sibling.next_sibling
        in_a_run.update(id(m) for m in run)
        runs.append(run)
    for k, run in enumerate(runs, 1):
        by_number = {int(m.string): m for m in run}
        wrapper = soup.new_tag("span", attrs={"class": "cites", "id": f"cite-{k}", "data-sources": " ".join(m["data-source"] for m in run)})
        run[0].insert_before(wrapper)
        for m in run:
            m.extract()
        wrapper.append("[")
        for i, (first, last) in enumerate(number_ranges(list(by_number))):
            if i:
                wrapper.append(", ")
            wrapper.append(by_number[first])
            if last != first:
                wrapper.append("–")
                wrapper.append(by_number[last])
        wrapper.append("]")


def citing_places(soup: BeautifulSoup) -> dict[str, list[tuple[str, str]]]:
    """For each cited source, every citation run that names it, as (run id, the number of the (sub)section it is in)."""
    places: dict[str, list[tuple[str, str]]] = {}
    where = ""
    for element in soup.find_all(["div", "h3", "span"]):
        classes = element.get("class") or []
        if element.name == "div" and "section-body" in classes:
            where = element.get("data-number", "")
        elif element.name == "h3" and element.find(class_="sec-num") is not None:
            where = element.find(class_="sec-num").get_text()
        elif element.name == "span" and "cites" in classes:
            for source_id in dict.fromkeys(element.get("data-sources", "").split()):
                places.setdefault(source_id, []).append((element["id"], where))
    return places


def backlinks_html(number: int, places: list[tuple[str, str]]) -> str:
    """'Cited in 2.1, 2.1, 5': one link back to each place that cites reference `number`."""
    links = [
        f'<a href="#{esc(run)}" aria-label="Back to citation {i} of reference {number}, in section {esc(where)}">{esc(where)}</a>'
        for i, (run, where) in enumerate(places, 1)
    ]
    return f'<span class="backlinks">Cited in {" ".join(links)}</span>' if links else ""


def preview_text(row: dict) -> str:
    """What a citation shows on hover or focus: publisher, title, date."""
    parts = [row.get("publisher", ""), f"“{row['title']}”" if row.get("title") else "", fmt_date(row["published"]) if row.get("published") else ""]
    return ", ".join(p for p in parts if p)


def number_figures_and_tables(soup: BeautifulSoup) -> dict[str, str]:
    """Number figures and tables in reading order; return each one's id and name ("fig-timeline": "Figure 1")."""
    names = {}
    for kind, figure_class, label_class in (("Figure", "chart", "fig-label"), ("Table", "table", "tab-label")):
        for n, element in enumerate(tags(soup, "figure", figure_class), 1):
            label = element.find(class_=label_class)
            if label is not None:
                label.string = f"{kind} {n}."
            if element.get("id"):
                names[element["id"]] = f"{kind} {n}"
    return names


# A notebook refers to a chart or table by its id, as Quarto does: "@fig-timeline", "@tab-status".
CROSS_REFERENCE = re.compile(r"(?<![\w@/.])@((?:fig|tab)-[a-z0-9][a-z0-9-]*[a-z0-9])")


def resolve_cross_references(soup: BeautifulSoup, names: dict[str, str]) -> None:
    """Replace each @fig-…/@tab-… in the text with a link named by the figure's or table's number.

    One this edition lacks (a chart drawn only when there is data for it, a table kept online only)
    reads "a figure (not in this edition)" rather than stopping the build; the default build is tested
    to have none, which catches a mistyped id.
    """
    for text in soup.find_all(string=CROSS_REFERENCE):
        if text.find_parent(["code", "pre", "script", "style"]):
            continue
        pieces, last = [], 0
        for match in CROSS_REFERENCE.finditer(text):
            target = match.group(1)
            pieces += [text[last : match.start()], (target, names.get(target))]
            last = match.end()
        pieces.append(text[last:])
        for piece in pieces:
            if isinstance(piece, tuple) and piece[1] is None:
                missing = soup.new_tag("span", attrs={"class": "xref-missing", "data-target": piece[0]})
                missing.string = f"a {'figure' if piece[0].startswith('fig-') else 'table'} (not in this edition)"
                text.insert_before(missing)
            elif isinstance(piece, tuple):
                link = soup.new_tag("a", attrs={"class": "xref", "href": f"#{piece[0]}"})
                link.string = piece[1]
                text.insert_before(link)
            elif piece:
                text.insert_before(piece)
        text.extract()


def label_cells(soup: BeautifulSoup) -> None:
    """Give each data cell its column's header (data-label) and mark the table, so that on a phone each row stacks into labelled lines."""
    for table in soup.find_all("table"):
        headers = [" ".join(t.strip() for t in th.find_all(string=True) if not t.find_parent(class_="cites") and t.strip()) for th in within(table, "thead", "th")]
        if not headers:
            continue
        table["class"] = [*(table.get("class") or []), "stack"]
        for row in within(table, "tbody", "tr"):
            for header, cell in zip(headers, row.find_all(["td", "th"], recursive=False)):
                if header:
                    cell["data-label"] = header


def number_subsections(body: Tag, section_number: int, section_id: str, soup: BeautifulSoup) -> list[tuple[str, str, str]]:
    """Give each h2 inside a section body (an element of `soup`) an id and a number 'n.m'; return (id, number, title)."""
    entries = []
    for m, heading in enumerate(body.find_all(["h1", "h2"]), 1):
        heading.name = "h3"
        for anchor in tags(heading, "a", "anchor-link"):
            anchor.decompose()
        title = heading.get_text(" ", strip=True)
        heading_id = f"{section_id}-{m}"
        heading["id"] = heading_id
        number = f"{section_number}.{m}"
        num = soup.new_tag("span", attrs={"class": "sec-num"})
        num.string = number
        heading.insert(0, num)
        heading.insert(1, " ")
        entries.append((heading_id, number, title))
    for heading in body.find_all(["h3", "h4"]):
        for anchor in tags(heading, "a", "anchor-link"):
            anchor.decompose()
    return entries


# ---------------------------------------------------------------------------- page


@dataclass(frozen=True)
class SectionBody:
    id: str
    title: str
    body_html: str


def edition_line(as_of: dt.date, fingerprint: str, version: str) -> str:
    return f"Edition of {fmt_date(as_of)} · inputs fingerprint {fingerprint} · brief {version}"


@functools.lru_cache(maxsize=1)
def _page_template(templates: str):
    """The page template, compiled once per version of the templates (`templates`: their digest)."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=select_autoescape(["html", "j2"]))
    return env.get_template("page.html.j2")


def assemble(
    bodies: list[SectionBody],
    *,
    as_of: dt.date,
    countries: tuple[str, ...],
    sources: dict[str, dict],
    fingerprint: str,
    version: str,
    edition: str = "html",
    cache: Cache | None = None,
) -> str:
    """The whole brief as one HTML document, for the HTML edition or for printing to PDF (`edition`).

    The two differ only where a notebook says so (`text.per_edition`); each is numbered on its own.
    """
    body_html, charts = stash_svgs("".join(f'<div class="section-body" data-section="{esc(b.id)}">{expand_citation_keys(b.body_html)}</div>' for b in bodies))
    soup = BeautifulSoup(body_html, "lxml")
    for dropped in soup.select(EDITION_DROPS[edition]):
        dropped.decompose()
    cited = number_citations(soup, sources)
    accessed = usual_accessed([sources[s] for s in cited])
    resolve_cross_references(soup, number_figures_and_tables(soup))
    if edition == "html":
        label_cells(soup)
    for slot in soup.find_all(class_=FINGERPRINT_SLOT):
        slot.string = fingerprint
    toc, sections = [], []
    for number, (body, element) in enumerate(zip(bodies, tags(soup, "div", "section-body")), 1):
        element["data-number"] = str(number)
        subsections = number_subsections(element, number, body.id, soup)
        toc.append({"id": body.id, "number": number, "title": body.title})
        toc.extend({"id": i, "number": n, "title": t, "sub": True} for i, n, t in subsections)
        sections.append({"id": body.id, "number": number, "title": body.title, "body": Markup(element.decode_contents())})
    places = citing_places(soup) if edition == "html" else {}  # print has no links back
    references = [Reference(n, s, Markup(reference_html(sources[s], accessed)), Markup(backlinks_html(n, places.get(s, [])))) for n, s in enumerate(cited, 1)]
    references_number = len(sections) + 1
    toc.append({"id": "references", "number": references_number, "title": "References"})
    all_five = tuple(countries) == vocab.WITHDRAWING_STATES
    from brief.engine.cache import template_digest

    page = _page_template(template_digest()).render(
        title=TITLE,
        subtitle=SUBTITLE,
        series=SERIES,
        edition=edition,
        author=AUTHOR,
        licence=LICENCE,
        as_of_iso=as_of.isoformat(),
        as_of_text=fmt_date(as_of),
        countries_line="" if all_five else f"Countries covered in this edition: {join_words(vocab.COUNTRY_NAMES[c] for c in countries)}",
        edition_line=edition_line(as_of, fingerprint, version),
        toc=[e for e in toc if not e.get("sub")],
        sections=sections,
        references=references,
        references_number=references_number,
        references_accessed=fmt_date(accessed) if accessed else "",
        css=Markup(CSS_FILE.read_text(encoding="utf-8") + (fonts.html_chart_font_faces(cache) if edition == "html" else "")),
    )
    return re.sub(r"[ \t]+\n", "\n", restore_svgs(page, charts))


# ---------------------------------------------------------------------------- PDF


def write_pdf(html: str, target: Path, *, as_of: dt.date) -> None:
    """Print the assembled print edition to PDF (Typst: brief/engine/typst_pdf.py)."""
    from brief.engine import typst_pdf

    typst_pdf.write_pdf(html, target, as_of=as_of)


def start_pdf(html: str, target: Path, *, as_of: dt.date, cache: Cache | None = None, after: threading.Thread | None = None) -> Future:
    """Write the print edition's Typst markup now and compile it on another thread, whose Future this is
    (its result() raises RenderError as write_pdf would), once the thread `after` has ended (the build's
    Typst warm-up). Typst compiles without holding Python's lock, so the HTML edition can be assembled
    meanwhile. With a `cache`, the markup is kept there for the next build's typst_pdf.warm_up."""
    from brief.engine import typst_pdf

    doc = typst_pdf.document(html, as_of=as_of)

    def compile_and_remember() -> None:
        if after is not None:
            after.join()
        typst_pdf.compile_pdf(doc, Path(target))
        if cache is not None:
            typst_pdf.remember(doc, cache)

    compiler = ThreadPoolExecutor(max_workers=1, thread_name_prefix="typst")
    try:
        return compiler.submit(compile_and_remember)
    finally:
        compiler.shutdown(wait=False)
