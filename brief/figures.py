"""Charts: the one style of the brief, and saving a chart as SVG + PNG with its caption, source, alt text and data."""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: charts are files and inline SVG

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from brief.files import write_atomic  # noqa: E402
from brief.text import esc  # noqa: E402

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
    fig: plt.Figure,
    slug: str,
    *,
    caption: str,
    source: str,
    alt: str,
    data: pd.DataFrame,
    figures_dir: Path,
) -> Figure:
    """Write the chart as figures_dir/<slug>.svg and .png (byte-stable) and return it for display."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        raise ValueError(f"figure slug {slug!r} must be lowercase letters, digits and '-'")
    figures_dir = Path(figures_dir)
    svg, png = io.BytesIO(), io.BytesIO()
    with chart_style():  # savefig.* settings and the SVG hash salt are read when saving
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
        fig.savefig(png, format="png", metadata={"Software": None})
    plt.close(fig)
    # Each file is written once, whole (never read back and rewritten), so two runs saving the same chart cannot mix their bytes.
    svg_text = svg.getvalue().decode("utf-8")
    write_atomic(figures_dir / f"{slug}.svg", _font_stack(svg_text, "file"))
    write_atomic(figures_dir / f"{slug}.png", png.getvalue())
    svg_text = _inline_svg(svg_text, slug, alt)
    return Figure(slug=slug, svg=svg_text, caption=caption, source=source, alt=alt, data=data)


def data_table_html(data: pd.DataFrame) -> str:
    """A plain, escaped HTML table of a chart's data."""
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in data.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{esc('' if pd.isna(v) else v)}</td>" for v in row) + "</tr>"
        for row in data.itertuples(index=False)
    )
    return f'<table class="data-table"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def figure_html(figure: Figure) -> str:
    """The <figure> block; the renderer fills in the figure number in reading order."""
    return (
        f'<figure class="chart" id="fig-{figure.slug}">'
        f'<div class="chart-body">{figure.svg}</div>'
        f'<figcaption><span class="fig-label">Figure</span> {esc(figure.caption)}'
        f'<span class="fig-source">Source: {figure.source}</span></figcaption>'
        f'<details class="fig-data"><summary>Show data</summary>{data_table_html(figure.data)}</details>'
        f"</figure>"
    )
