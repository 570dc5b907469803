"""Charts: the one style of the brief, and saving a chart as SVG + PNG with its caption, source, alt text and data."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import pickle
import re
import shutil
import tempfile
import textwrap
import warnings
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: charts are files and inline SVG

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from brief.config import CHART_MEMO_ENV, DRAFT_ENV  # noqa: E402
from brief.files import read_json_object, write_atomic, write_json_object  # noqa: E402
from brief.text import esc, fmt_date, fmt_number, sentence_case  # noqa: E402

STYLE_FILE = Path(__file__).with_name("brief.mplstyle")

# Okabe-Ito colour-blind-safe palette: one fixed colour per country throughout the brief.
COUNTRY_COLORS = {
    "EE": "#0072B2",  # blue
    "LV": "#D55E00",  # vermilion
    "LT": "#009E73",  # bluish green
    "FI": "#CC79A7",  # reddish purple
    "PL": "#E69F00",  # orange
    "UA": "#56B4E9",  # sky blue
    "XX": "#666666",
}
VERDICT_COLORS = {"false": "#b2182b", "misleading": "#ef8a62", "disputed": "#fddbc7", "unverifiable": "#bababa", "correct": "#4d9221"}
CASUALTY_COLORS = {"killed": "#b2182b", "injured": "#ef8a62", "unknown": "#bdbdbd", "total_only": "#9e9e9e"}
BORDER_COLORS = {"russia": "#4d4d4d", "kaliningrad": "#8c8c8c", "belarus": "#c7c7c7"}
FRAMING_COLORS = {"rationale": "#2c5d8a", "criticism": "#d9a441"}
INK, DERIVED = "#333333", "#b2182b"
# Marks for what a state did next (brief.vocab.FOLLOW_UP_STAGES, and anti-tank steps), shared by the timeline and the next-steps chart.
FOLLOW_UP_MARKERS = {"production_decision": "^", "procurement": "X", "deployment_plan": "h", "anti_tank_mines": "o"}
SVG_HASH_SALT = "ottawa-brief"
# Chart text stays text in the SVG (svg.fonttype: none): light to draw, selectable, readable by
# software. 'Brief Sans' is DejaVu Sans, the style's font, which the brief embeds in the HTML and
# the PDF (brief.engine.render); a standalone SVG falls back to an installed DejaVu Sans or Verdana.
CHART_FONTS = {"inline": "'Brief Sans', 'DejaVu Sans', Verdana, sans-serif", "file": "'DejaVu Sans', Verdana, sans-serif"}


def _font_stack(svg_text: str, use: str) -> str:
    return svg_text.replace("font-family: 'DejaVu Sans'", f"font-family: {CHART_FONTS[use]}")


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a colour such as '#0072B2'."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_on(colour: str) -> str:
    """White or near-black, whichever contrasts more with `colour` (for labels inside marks)."""
    lum = _luminance(colour)
    return "#ffffff" if (1.05 / (lum + 0.05)) >= ((lum + 0.05) / 0.05) else "#1d1d1f"


@contextlib.contextmanager
def chart_style():
    """Apply the brief's style for one chart only; nothing leaks into the next."""
    # matplotlib style files may not set svg.hashsalt, which keeps SVG ids (and so the bytes) stable.
    with plt.style.context(["default", str(STYLE_FILE)]), plt.rc_context({"svg.hashsalt": SVG_HASH_SALT}):
        yield


@dataclass(frozen=True)
class Figure:
    """A saved chart, shown in a notebook (and so in the brief) as a numbered <figure>."""

    slug: str
    svg: str
    caption: str
    source: str  # HTML: plain text plus citation markers from brief.text.cite
    alt: str
    data: pd.DataFrame
    svg_narrow: str = ""  # the same chart laid out for a phone (HTML only)

    def _repr_html_(self) -> str:
        return figure_html(self)


def _inline_svg(svg_text: str, slug: str, alt: str) -> str:
    """Make matplotlib's SVG document fit inline in HTML: no prolog, ids unique per chart, a title for screen readers."""
    svg_text = _font_stack(re.sub(r"^.*?(?=<svg)", "", svg_text, flags=re.S), "inline")
    svg_text = re.sub(r'id="([^"]+)"', lambda m: f'id="{slug}-{m.group(1)}"', svg_text)
    svg_text = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{slug}-{m.group(1)})", svg_text)
    svg_text = re.sub(r'xlink:href="#([^"]+)"', lambda m: f'xlink:href="#{slug}-{m.group(1)}"', svg_text)
    svg_text = re.sub(r"<metadata>.*?</metadata>", "", svg_text, flags=re.S)
    svg_text = svg_text.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{slug}-title" class="chart-svg" ',
        1,
    )
    return re.sub(r"(<svg[^>]*>)", rf'\1<title id="{slug}-title">{esc(alt)}</title>', svg_text, count=1)


def save(
    fig: plt.Figure | Drawn,
    slug: str,
    *,
    caption: str,
    source: str,
    alt: str,
    data: pd.DataFrame,
    figures_dir: Path,
) -> Figure:
    """Write the chart as figures_dir/<slug>.svg and .png (byte-stable) and return it for display, with
    its phone layout; when DRAFT_ENV is "1", only the SVG, and no phone layout. `fig` may be a chart
    drawn before (`Drawn`, from a memoized chart function): its files are written as they were drawn."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise ValueError(f"figure slug {slug!r} must be lowercase letters, digits and '-'")
    figures_dir = Path(figures_dir)
    draft = os.environ.get(DRAFT_ENV) == "1"
    if isinstance(fig, Drawn):
        drawing = fig.drawing
    else:
        drawing = _draw(fig, draft)
        memo = getattr(fig, MEMO_ATTRIBUTE, None)
        if memo is not None:
            _memo_store(*memo, drawing)
    # Each file is written once, whole (never read back and rewritten), so two runs saving the same chart cannot mix their bytes.
    write_atomic(figures_dir / f"{slug}.svg", _font_stack(drawing.svg, "file"))
    if not draft:
        write_atomic(figures_dir / f"{slug}.png", drawing.png)
    svg_text = _inline_svg(drawing.svg, slug, alt)
    narrow = _inline_svg(drawing.narrow, f"{slug}-narrow", alt) if drawing.narrow else ""
    return Figure(slug=slug, svg=svg_text, caption=caption, source=source, alt=alt, data=data, svg_narrow=narrow)


@dataclass(frozen=True)
class Drawing:
    """A chart as matplotlib saved it: the SVG document, the PNG (b"" in a draft) and the phone layout's SVG ("" in a draft)."""

    svg: str
    png: bytes
    narrow: str


def _draw(fig: plt.Figure, draft: bool) -> Drawing:
    svg, png = io.BytesIO(), io.BytesIO()
    with chart_style():  # savefig.* settings and the SVG hash salt are read when saving
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        if not draft:
            fig.savefig(png, format="png", metadata={"Software": None})
        narrow = "" if draft else _narrow_svg(fig)
    plt.close(fig)
    return Drawing(svg.getvalue().decode("utf-8"), png.getvalue(), narrow)


# ---------------------------------------------------------------------------- charts drawn before
#
# Drawing is most of a notebook's time (a chart takes 0.1–0.5 s, three times over: SVG, PNG and the
# phone layout). A chart function decorated with @memoized returns, for arguments it has drawn
# before in the folder that brief.config.CHART_MEMO_ENV names, a `Drawn` in place of the figure;
# save() then writes that chart's files. So a notebook re-run because one of its data files changed
# draws again only the charts whose arguments changed. The folder belongs to one version of the
# package's code (the build names it so), and the key holds the function, its arguments and the
# draft setting. An entry is written whole or not at all, and one whose files fail their checksums
# is drawn again.

MEMO_ATTRIBUTE = "_brief_memo"  # set on a figure drawn by a memoized function: where save() keeps it
MEMO_FILES = {"svg": "chart.svg", "png": "chart.png", "narrow": "narrow.svg", "result": "result.pickle"}


@dataclass(frozen=True)
class Drawn:
    """A chart drawn before, found in the memo folder: save() accepts it in place of a figure."""

    drawing: Drawing


def _canonical(value):
    """`value` with its sets sorted, so that equal arguments pickle to equal bytes."""
    if isinstance(value, (set, frozenset)):
        return ("set", sorted((_canonical(v) for v in value), key=repr))
    if isinstance(value, (list, tuple)):
        return type(value)(_canonical(v) for v in value)
    if isinstance(value, dict):
        return {k: _canonical(v) for k, v in value.items()}
    return value


def memo_key(function, args: tuple, kwargs: dict, draft: bool) -> str:
    """What identifies a drawing in its folder: the function, its arguments (pickled), the draft setting."""
    named = f"{function.__module__}.{function.__qualname__}|draft={draft}|".encode()
    return hashlib.sha256(named + pickle.dumps(_canonical((args, sorted(kwargs.items()))), protocol=5)).hexdigest()[:32]


def memoized(chart):
    """Decorate a chart function that returns (figure, data, title): see the section comment above.
    What the notebook does with the figure must be to save() it (a `Drawn` has no axes to change)."""

    @functools.wraps(chart)
    def drawn_once(*args, **kwargs):
        folder = os.environ.get(CHART_MEMO_ENV, "")
        if not folder:
            return chart(*args, **kwargs)
        draft = os.environ.get(DRAFT_ENV) == "1"
        entry = Path(folder) / memo_key(chart, args, kwargs, draft)
        found = _memo_read(entry, draft)
        if found is not None:
            drawing, data, title = found
            return Drawn(drawing), data, title
        fig, data, title = chart(*args, **kwargs)
        setattr(fig, MEMO_ATTRIBUTE, (entry, pickle.dumps((data, title), protocol=5)))  # as returned, whatever the notebook does with them next
        return fig, data, title

    return drawn_once


def _memo_read(entry: Path, draft: bool) -> tuple[Drawing, pd.DataFrame, str] | None:
    """The drawing kept in `entry`, its data and title; None (and the entry removed) if absent or damaged."""
    sums = read_json_object(entry / "sha256.json")
    if not sums:
        return None
    try:
        blobs = {name: (entry / MEMO_FILES[name]).read_bytes() for name in sums}
        if any(hashlib.sha256(blob).hexdigest() != sums[name] for name, blob in blobs.items()) or (not draft and "png" not in blobs):
            raise ValueError("damaged")
        data, title = pickle.loads(blobs["result"])
        drawing = Drawing(blobs["svg"].decode("utf-8"), blobs.get("png", b""), blobs.get("narrow", b"").decode("utf-8"))
    except (OSError, KeyError, ValueError, TypeError, pickle.UnpicklingError, EOFError):
        shutil.rmtree(entry, ignore_errors=True)
        return None
    os.utime(entry)  # (the build keeps the entries used last)
    return drawing, data, title


def _memo_store(entry: Path, result: bytes, drawing: Drawing) -> None:
    """Keep a drawing and the function's pickled (data, title) in `entry`: written to a temporary folder
    and renamed, so an entry is whole or absent."""
    blobs = {"svg": drawing.svg.encode("utf-8"), "result": result}
    if drawing.png:
        blobs["png"] = drawing.png
    if drawing.narrow:
        blobs["narrow"] = drawing.narrow.encode("utf-8")
    with contextlib.suppress(OSError):  # a memo that cannot be written is only a memo: the chart is drawn anyway
        entry.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(dir=entry.parent, prefix=f".{entry.name}.", suffix=".tmp"))
        try:
            for name, blob in blobs.items():
                (temporary / MEMO_FILES[name]).write_bytes(blob)
            write_json_object(temporary / "sha256.json", {name: hashlib.sha256(blob).hexdigest() for name, blob in blobs.items()})
            shutil.rmtree(entry, ignore_errors=True)
            temporary.rename(entry)
        finally:
            shutil.rmtree(temporary, ignore_errors=True)


# Phones: each chart is drawn a second time, narrow, with no text under NARROW_MIN_PT, so that at
# 390 CSS px (a 355 px column) its smallest text renders at 11 px or more (8.5 pt = 11.3 px at 1:1).
NARROW_WIDTH_IN = 3.5
NARROW_MIN_PT = 8.5
NARROW_LABEL_CHARS = 22  # category labels longer than this wrap in the narrow chart
NARROW_TITLE_CHARS = 38


def _relegend(legend, columns: int, place: dict | None = None) -> None:
    """Draw `legend` again in at most `columns` columns, at the same place or at `place` (loc and anchor);
    matplotlib lays a legend out once, when made."""
    if legend._ncols <= columns and place is None:
        return
    parent = legend.parent
    labels = [t.get_text() for t in legend.texts]
    anchor = legend._bbox_to_anchor  # the anchor as given (a box in the parent's coordinates), or None
    placed = dict(bbox_to_anchor=anchor._bbox.bounds, bbox_transform=anchor._transform) if anchor is not None else {}
    if place is None:
        place = dict(loc=legend._loc, **placed)
    options = dict(**place, ncols=min(columns, legend._ncols), fontsize=max(NARROW_MIN_PT, legend.texts[0].get_fontsize()) if labels else NARROW_MIN_PT,
                   frameon=legend.get_frame_on(), handletextpad=legend.handletextpad, columnspacing=legend.columnspacing)
    legend.remove()
    parent.legend(legend.legend_handles, labels, **options)


def _crowded_x_labels(fig: plt.Figure, ax) -> list:
    """The visible x tick labels of `ax` within the plot, in order, if any two of them overlap; else []."""
    renderer = fig.canvas.get_renderer()
    span = ax.get_window_extent(renderer)
    shown = []
    for tick in ax.xaxis.get_major_ticks():
        for label in (tick.label1, tick.label2):
            if label.get_visible() and label.get_text().strip():
                box = label.get_window_extent(renderer)
                if span.x0 - 2 <= (box.x0 + box.x1) / 2 <= span.x1 + 2:  # (a label on the edge counts)
                    shown.append((box, label))
    shown.sort(key=lambda item: item[0].x0)
    overlap = any(left.x1 > right.x0 for (left, _), (right, _) in zip(shown, shown[1:]))
    return [label for _, label in shown] if overlap else []


def _lay_out(fig: plt.Figure) -> None:
    with warnings.catch_warnings(), contextlib.suppress(ValueError, RuntimeError):  # a layout it cannot improve is kept as it is
        warnings.simplefilter("ignore")
        fig.tight_layout()


def _width_in(fig: plt.Figure) -> float:
    """The width the saved chart will have (savefig's tight bounding box), in inches."""
    return fig.get_tightbbox(fig.canvas.get_renderer()).width


def _narrow_svg(fig: plt.Figure) -> str:
    """The chart re-laid out for a phone: narrower, taller, its small text enlarged. The figure is changed in place."""
    import matplotlib.legend
    import matplotlib.text
    import matplotlib.ticker

    width, height = fig.get_size_inches()
    if width > NARROW_WIDTH_IN:
        fig.set_size_inches(NARROW_WIDTH_IN, height * min(2.0, 0.55 + 0.45 * width / NARROW_WIDTH_IN))
    for ax in fig.axes:
        ax.tick_params(axis="both", labelsize=NARROW_MIN_PT)
    for legend in fig.findobj(matplotlib.legend.Legend):
        _relegend(legend, 2)  # a legend row as wide as the page would shrink the whole chart
    for text in fig.findobj(matplotlib.text.Text):
        if text.get_text() and text.get_fontsize() < NARROW_MIN_PT:
            text.set_fontsize(NARROW_MIN_PT)
    _lay_out(fig)
    for ax in fig.axes:  # a legend inside the plot covers marks once its text is larger: put it under the axis
        legend = ax.get_legend()
        if legend is not None and legend._bbox_to_anchor is None:
            renderer = fig.canvas.get_renderer()
            bottom = ax.transAxes.inverted().transform((0, ax.xaxis.get_tightbbox(renderer).y0))[1]
            _relegend(legend, 2, dict(loc="upper center", bbox_to_anchor=(0.5, bottom - 0.02), bbox_transform=ax.transAxes))
            _lay_out(fig)
    if _width_in(fig) > NARROW_WIDTH_IN * 1.05:  # still too wide: wrap long category labels, legend in one column
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                labels = [t.get_text() for t in axis.get_ticklabels()]
                if any(len(label) > NARROW_LABEL_CHARS for label in labels):
                    axis.set_ticks(axis.get_ticklocs(), [textwrap.fill(label, NARROW_LABEL_CHARS) for label in labels])
            for title in (ax.title, ax._left_title, ax._right_title):  # the style puts titles on the left
                # as many characters as fit over the plot (a title starts where the axes start)
                room = ax.get_position().width * NARROW_WIDTH_IN * 72 / (title.get_fontsize() * 0.62)
                chars = max(16, min(NARROW_TITLE_CHARS, int(room)))
                if len(title.get_text().replace("\n", " ")) > chars:
                    title.set_text(textwrap.fill(title.get_text().replace("\n", " "), chars))
        if fig._suptitle is not None and len(fig._suptitle.get_text()) > NARROW_TITLE_CHARS:
            fig._suptitle.set_text(textwrap.fill(fig._suptitle.get_text(), NARROW_TITLE_CHARS))
        wrapped = max((t.get_text().count("\n") + 1 for ax in fig.axes for t in ax.get_yticklabels()), default=1)
        if wrapped > 1:  # rows of wrapped labels need the room of their lines
            fig.set_size_inches(NARROW_WIDTH_IN, fig.get_size_inches()[1] * (1 + 0.2 * (wrapped - 1)))
        for legend in fig.findobj(matplotlib.legend.Legend):
            _relegend(legend, 1)
        _lay_out(fig)
    for ax in fig.axes:  # x labels that run into each other: names stand up, numbers and years show every other one
        labels = _crowded_x_labels(fig, ax)
        if labels and any(re.search(r"[A-Za-z]{3}", label.get_text()) for label in labels):
            for label in labels:
                label.set_rotation(90)
            _lay_out(fig)
        for _ in range(3):
            labels = _crowded_x_labels(fig, ax)
            if not labels:
                break
            if isinstance(ax.xaxis.get_major_locator(), matplotlib.ticker.FixedLocator):  # categories: keep every other one
                ax.set_xticks(ax.get_xticks()[::2], [t.get_text() for t in ax.get_xticklabels()][::2])
            else:  # a scale: fewer, rounder steps
                ax.locator_params(axis="x", nbins=max(2, len(labels) // 2))
            _lay_out(fig)
    out = io.BytesIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
    return out.getvalue().decode("utf-8")


def column_label(name: str) -> str:
    """A data column's header: 'total_km' -> 'Total (km)', 'civilian_share_pct' -> 'Civilian share (%)', or vocab.COLUMN_LABELS."""
    from brief.vocab import COLUMN_LABELS

    if name in COLUMN_LABELS:
        return COLUMN_LABELS[name]
    unit = next((f" ({label})" for suffix, label in (("_pct", "%"), ("_km", "km")) if name.endswith(suffix)), "")
    words = name.removesuffix("_pct").removesuffix("_km").replace("_", " ") if unit else name.replace("_", " ")
    return sentence_case(words) + unit


def _cell(column: str, value) -> tuple[str, bool]:
    """A value as the brief prints it, and whether it is a number (right-aligned)."""
    import datetime as dt

    if value is None or (not isinstance(value, (list, tuple)) and pd.isna(value)):
        return "", False
    if isinstance(value, (pd.Timestamp, dt.date)):
        return fmt_date(value.date() if isinstance(value, pd.Timestamp) else value), False
    if column == "date" and isinstance(value, str) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        return fmt_date(value), False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, (int, float)) or pd.api.types.is_number(value):
        if column == "year":
            return str(int(value)), True
        return fmt_number(value), True
    return str(value), False


def data_csv(data: pd.DataFrame) -> str:
    """The chart's data as CSV, with the headers the brief shows and the values as recorded (ISO dates, no separators)."""
    return data.rename(columns=column_label).to_csv(index=False, lineterminator="\n")


def data_table_html(data: pd.DataFrame, slug: str = "") -> str:
    """The chart's data as an escaped HTML table with readable headers and values, and a link that downloads it as CSV."""
    numeric = {c: pd.api.types.is_numeric_dtype(data[c]) and not pd.api.types.is_bool_dtype(data[c]) for c in data.columns}
    num = ' class="num"'
    head = "".join(f'<th scope="col"{num if numeric[c] else ""}>{esc(column_label(c))}</th>' for c in data.columns)
    rows = []
    for row in data.itertuples(index=False):
        cells = [_cell(c, v) for c, v in zip(data.columns, row)]
        rows.append("<tr>" + "".join(f'<td{num if number else ""}>{esc(text)}</td>' for text, number in cells) + "</tr>")
    table = f'<table class="data-table"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    if not slug:
        return table
    from urllib.parse import quote

    href = "data:text/csv;charset=utf-8," + quote(data_csv(data), safe="")
    link = f'<p class="data-download"><a download="{esc(slug)}.csv" href="{href}">Download the data (CSV)</a></p>'
    return table + link


def figure_html(figure: Figure) -> str:
    """The <figure> block; the renderer fills in the figure number in reading order."""
    return (
        f'<figure class="chart" id="fig-{figure.slug}">'
        f'<div class="chart-body chart-wide{" has-narrow" if figure.svg_narrow else ""}">{figure.svg}</div>'
        + (f'<div class="chart-body chart-narrow online-only">{figure.svg_narrow}</div>' if figure.svg_narrow else "")
        + f'<figcaption><span class="fig-label">Figure</span> {esc(figure.caption)}'
        f'<span class="fig-source">Source: {figure.source}</span></figcaption>'
        f'<details class="fig-data"><summary>Show data</summary>{data_table_html(figure.data, figure.slug)}</details>'
        f"</figure>"
    )
