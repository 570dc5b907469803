"""The brief's fonts: DejaVu, shipped inside matplotlib, covers every Baltic and Polish letter.

The PDF gets the DejaVu font files and Typst embeds what it uses (no system fonts). The HTML edition embeds DejaVu Sans
cut down to the letters charts use (as 'Brief Sans', the first font of every chart's text), so its
charts look the same on any machine, offline; the build caches the cut, the same for every build.
"""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from brief.engine.cache import Cache

FACES = {
    "Brief Serif": {("normal", "normal"): "DejaVuSerif.ttf", ("bold", "normal"): "DejaVuSerif-Bold.ttf", ("normal", "italic"): "DejaVuSerif-Italic.ttf", ("bold", "italic"): "DejaVuSerif-BoldItalic.ttf"},
    "Brief Sans": {("normal", "normal"): "DejaVuSans.ttf", ("bold", "normal"): "DejaVuSans-Bold.ttf", ("normal", "italic"): "DejaVuSans-Oblique.ttf", ("bold", "italic"): "DejaVuSans-BoldOblique.ttf"},
}
CHART_FAMILY = "Brief Sans"
CHART_WEIGHTS = (("normal", "normal"), ("bold", "normal"))
# Letters chart text may use: Latin with Latin-1 and Latin Extended-A (Baltic, Polish), dashes,
# quotes and the ellipsis, per mille and primes, arrows, the minus sign, less/greater-or-equal.
CHART_CODEPOINTS = tuple(
    [*range(0x20, 0x7F), *range(0xA0, 0x180), *range(0x2010, 0x2028), 0x2030, 0x2032, 0x2033, *range(0x2190, 0x2194), 0x2212, 0x2264, 0x2265]
)


def font_dir() -> Path:
    """matplotlib's DejaVu folder, found as matplotlib.get_data_path() does (beside its __init__), without
    importing matplotlib: a build that only renders would spend 0.3 s on that import."""
    import importlib.util

    return Path(importlib.util.find_spec("matplotlib").origin).with_name("mpl-data") / "fonts" / "ttf"


def pdf_font_files() -> list[Path]:
    """The font files the PDF may use (Typst embeds the glyphs it sets): DejaVu only, never a system font."""
    return sorted(font_dir().glob("DejaVu*.ttf"))


def _chart_font(name: str) -> bytes:
    """DejaVu Sans `name` cut to CHART_CODEPOINTS, as WOFF2."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(font_dir() / name), recalcTimestamp=False)  # no timestamp: same bytes every time
    options = subset.Options(hinting=False, notdef_outline=True, layout_features=["kern", "liga"], name_IDs=[1, 2])
    options.drop_tables += ["FFTM", "MATH"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=CHART_CODEPOINTS)
    subsetter.subset(font)
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def chart_font(name: str, cache: Cache | None = None) -> bytes:
    """The cut of one chart font, from the build cache when the font file and the letters are unchanged."""
    if cache is None:
        return _chart_font(name)
    key = hashlib.sha256((font_dir() / name).read_bytes() + repr(CHART_CODEPOINTS).encode()).hexdigest()[:24]
    return cache.blob("fonts", f"{key}.woff2", lambda: _chart_font(name))


def html_chart_font_faces(cache: Cache | None = None) -> str:
    """@font-face rules embedding the chart font in the HTML (data: URLs, about 25 KB)."""
    return "\n".join(
        f"@font-face {{ font-family: '{CHART_FAMILY}'; src: url(data:font/woff2;base64,{base64.b64encode(chart_font(FACES[CHART_FAMILY][face], cache)).decode()}) format('woff2'); "
        f"font-weight: {face[0]}; font-style: {face[1]}; }}"
        for face in CHART_WEIGHTS
    )
