"""Text for the brief: escaping, number and date formats, and citation markers.

Every value that comes from data/ passes through `esc` before it reaches HTML, so text in a
CSV or an article is shown as text and never interpreted.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable

from brief.dates import parse_partial_date
from brief.files import split_list


class Html(str):
    """HTML made by the package (tables, disclosures): a notebook cell that ends with one shows it."""

    def _repr_html_(self) -> str:
        return str(self)


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def fmt_int(value: int | float) -> str:
    return f"{int(round(value)):,}"


def fmt_number(value: int | float) -> str:
    """1,309 / 1,343.6: whole numbers without decimals, others to one decimal."""
    return fmt_int(value) if float(value).is_integer() else f"{value:,.1f}"


def fmt_date(value: dt.date | str, precision: str = "day") -> str:
    """27 June 2025 / June 2025 / 2025."""
    if isinstance(value, str):
        precision = {4: "year", 7: "month"}.get(len(value), precision)
        value = parse_partial_date(value)
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return value.strftime("%B %Y")
    return f"{value.day} {value.strftime('%B %Y')}"


def join_words(items: Iterable[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


NUMBER_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number_word(count: int) -> str:
    """Counts up to ten in words, as house style has it in running text."""
    return NUMBER_WORDS[count] if 0 <= count < len(NUMBER_WORDS) else fmt_int(count)


def sentence_case(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """'Lawful use within IHL' -> 'lawful use within IHL' (only the first letter)."""
    return text[:1].lower() + text[1:]


# How many sources a table row or sentence cites at most: data rows list their strongest source first.
CITE_LIMIT = 2


def cite(*source_ids: str, limit: int | None = CITE_LIMIT) -> str:
    """Citation markers for the first `limit` distinct sources (None: all); the renderer numbers them."""
    ids = [s for cell in source_ids for s in split_list(cell)]
    ids = list(dict.fromkeys(ids))[:limit]
    return "".join(f'<a class="cite" href="#ref-{esc(s)}" data-source="{esc(s)}">{esc(s)}</a>' for s in ids)


def first_sources(cells) -> list[str]:
    """The first (strongest) source of each ';'-separated cell, for citing one source per data row."""
    return list(dict.fromkeys(split_list(cell)[0] for cell in cells if split_list(cell)))


# Which blocks each edition drops: the PDF leaves out what is online only, and the HTML what is print only.
# The Word edition is a print edition: it keeps the PDF's blocks, and drops the charts' "Show data"
# tables, which the PDF hides with print CSS.
EDITION_DROPS = {"html": ".print-only", "pdf": ".online-only", "docx": ".online-only, details.fig-data"}
EDITION_CLASSES = {"html": "online-only", "pdf": "print-only"}


def only_in(edition: str, html: str) -> Html:
    """A block kept in one edition only ("html" or "pdf"); the renderer drops it from the other."""
    return Html(f'<div class="{EDITION_CLASSES[edition]}">{html}</div>')


def per_edition(online: str, printed: str) -> str:
    """Different content for the HTML edition and the PDF (a long table online, a short one in print).

    The renderer keeps one of the two in each edition, before it numbers tables and citations.
    """
    return Html(only_in("html", online) + only_in("pdf", printed))


def disclosure(summary: str, content: str) -> str:
    """A block the HTML reader opens on demand."""
    return Html(f'<details class="annex"><summary>{summary}</summary>{content}</details>')


# The renderer writes the build's inputs fingerprint into elements of this class, so the methods
# notebook does not depend on every input of the build (and stays cached when one of them changes).
FINGERPRINT_SLOT = "fill-fingerprint"


def fingerprint_slot() -> Html:
    """Where the build's inputs fingerprint goes in a sentence or table."""
    return Html(f'<span class="{FINGERPRINT_SLOT}">(filled in by the build)</span>')


# Tables up to this many rows are kept whole on one printed page (with their caption).
SHORT_TABLE_ROWS = 6


def table_block(slug: str, caption: str, columns: list[str], rows: list[list[str]], *, source: str = "", numeric: tuple[int, ...] = ()) -> str:
    """A numbered table of the brief. Cells are HTML already (escape data with `esc`); the renderer numbers it."""
    num = ' class="num"'
    head = "".join(f'<th scope="col"{num if i in numeric else ""}>{esc(c)}</th>' for i, c in enumerate(columns))
    body = "".join(
        "<tr>" + "".join(f"<td{num if i in numeric else ''}>{cell}</td>" for i, cell in enumerate(row)) + "</tr>"
        for row in rows
    )
    source_line = f'<span class="tab-source">Source: {source}</span>' if source else ""
    return Html(
        f'<figure class="table{" short" if len(rows) <= SHORT_TABLE_ROWS else ""}" id="tab-{esc(slug)}"><figcaption><span class="tab-label">Table</span> {esc(caption)}{source_line}</figcaption>'
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></figure>'
    )
