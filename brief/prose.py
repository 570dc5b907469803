"""Sentences with computed values, written in the notebooks: `say("… {n:word} states …", n=3)`.

A notebook cell whose source reads like the sentence it prints (the idea of Quarto's inline
expressions and MyST's `glue`). The template is Markdown written by the researcher; every value put
into it is data and is escaped, so text from a CSV can never become markup, a citation or maths.
Format specs say how a value is written:

    {n:n}       6,279                       {d:date}   27 June 2025 (a date or YYYY[-MM[-DD]])
    {n:word}    five (up to ten, else 11)   {n:Word}   Five
    {n:s}       '' when n == 1, else 's'    {x:pct}    42%
    {xs:and}    a, b and c                  {xs:or}    a, b or c
    {ids:cite}  [@id-1; @id-2]: keys the renderer numbers, the first two sources ({ids:cite-all}: every one)
    {t:lower}   first letter lower         {m:md}     Markdown made by `fill` (not escaped again)

`say` prints at once, wherever it is called (inside an `if` too), as Markdown in JupyterLab, and
the renderer places it in the brief; `style`
names a class for the block (lead, callout, key-findings, outlook…) and `edition` keeps it in one
edition only ("html" or "pdf").
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Iterable

from brief.data import split_list
from brief.text import CITE_LIMIT, EDITION_CLASSES, fmt_date, fmt_int, join_words, lower_first, number_word, sentence_case

# Characters that mean something to Markdown, HTML, the citation syntax or MathJax, written as
# character references so they print as themselves.
_ESCAPES = {c: f"&#{ord(c)};" for c in "\\`*_[]<>#|@$~"}
_ESCAPES["&"] = "&amp;"
# Markdown converters decode character references, so a '[@key]' in data would read as a citation
# again after conversion: an invisible word joiner after '[' keeps it from ever matching one.
_ESCAPES["["] = "&#91;\u2060"
_ESCAPES["\n"] = " "


class Md(str):
    """Markdown that is already safe (made by `fill` or `cite_keys`): not escaped again."""


def escape(text: object) -> str:
    """Data as Markdown text: shown literally, never interpreted. Unicode direction controls are
    removed so a value cannot reorder the sentence around it."""
    value = "".join(_ESCAPES.get(c, c) for c in str(text))
    value = re.sub(r"^([-+]|\d+(?=[.)]))", lambda m: "".join(f"&#{ord(c)};" for c in m.group(1)), value)  # no list item
    return "".join(c for c in value if c not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def cite_keys(ids: str | Iterable[str], limit: int | None = CITE_LIMIT) -> Md:
    """'[@a; @b]' for the first `limit` distinct source ids (a ';'-separated cell or a list; data rows
    list their strongest source first); '' when there are none."""
    items = split_list(ids) if isinstance(ids, str) else [s for cell in ids for s in split_list(cell)]
    items = list(dict.fromkeys(items))[:limit]
    return Md(f"[{'; '.join('@' + s for s in items)}]" if items else "")


def _date(value) -> str:
    return fmt_date(value) if isinstance(value, (dt.date, str)) else escape(value)


class _Formatter(string.Formatter):
    def format_field(self, value, spec: str) -> str:
        if spec == "md" or isinstance(value, Md) and not spec:
            return str(value)
        if spec == "cite":
            return cite_keys(value)
        if spec == "cite-all":
            return cite_keys(value, limit=None)
        if spec == "date":
            return escape(_date(value))
        if spec == "n":
            return fmt_int(value)
        if spec in ("word", "Word"):
            word = number_word(int(value))
            return sentence_case(word) if spec == "Word" else word
        if spec == "s":
            return "" if int(value) == 1 else "s"
        if spec == "pct":
            return f"{float(value):.0f}%"
        if spec in ("and", "or"):
            return join_words([v if isinstance(v, Md) else escape(v) for v in value], spec)
        if spec == "lower":  # first letter only: 'Lawful use within IHL' -> 'lawful use within IHL'
            text = str(value)
            return escape(lower_first(text))
        return escape(format(value, spec))


_FORMATTER = _Formatter()


def fill(template: str, /, **values) -> Md:
    """The template with its fields filled in (see the module's table of format specs)."""
    return Md(_FORMATTER.format(template, **values))


class Prose:
    """A block of Markdown the brief prints; JupyterLab shows it as it will read."""

    def __init__(self, markdown: str, style: str = "", edition: str | None = None):
        if edition not in (None, *EDITION_CLASSES):
            raise ValueError(f"edition must be 'html' or 'pdf', not {edition!r}")
        self.markdown = markdown
        self.classes = " ".join(c for c in (style, EDITION_CLASSES.get(edition or "", "")) if c)

    def _repr_markdown_(self):
        return self.markdown, {"class": self.classes} if self.classes else {}

    def __str__(self) -> str:
        return self.markdown


def show(block: Prose) -> None:
    from IPython.display import display

    display(block)


def say(template: str, /, *, style: str = "", edition: str | None = None, **values) -> None:
    """Print one paragraph here, in the notebook and in the brief: `say("In {year} …", year=2024)`."""
    show(Prose(fill(template, **values), style, edition))


def bullets(items: Iterable[str], *, style: str = "", edition: str | None = None) -> None:
    """Print a bulleted list of sentences made with `fill` (empty items are left out)."""
    show(Prose("\n".join(f"- {item}" for item in items if item), style, edition))
