"""The render path, piece by piece, and a Typst PDF path beside WeasyPrint (not a test: it prints figures).

    .venv/bin/python benchmarks/bench_renderer.py [--runs 5]

Needs a built brief (`make brief`): it renders the executed notebooks in output/notebooks again.
Measures, interleaved (A B A B …) and reported as medians of wall and CPU seconds:
  fragments   nbconvert HTML of the eight notebooks (no cache)
  assemble    numbering, contents and References of both editions (BeautifulSoup + Jinja)
  weasyprint  the print edition to PDF: layout (HTML.render) and writing (write_pdf)
  typst       the same print edition converted to Typst markup by pandoc, then compiled by the
              `typst` package (PyPI), with PDF/UA-1 asked for; inline SVG charts become image files
It then checks what each PDF keeps: pages, tagged structure, embedded fonts, chart text that can be
selected, and whether two runs give the same bytes. The Typst path is optional: without the
`typst` and `pypandoc_binary` packages it says so and measures WeasyPrint only.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from brief.config import OUTPUT_DIR  # noqa: E402
from brief.data import load  # noqa: E402
from brief.engine import render  # noqa: E402
from brief.engine.manifest import load_manifest  # noqa: E402

AS_OF = "2026-11-22"


def clock():
    """Wall seconds and CPU seconds of this process and its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter(), own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(results: dict, name: str, function, *args, **kwargs):
    wall, cpu = clock()
    value = function(*args, **kwargs)
    wall2, cpu2 = clock()
    results.setdefault(name, []).append((wall2 - wall, cpu2 - cpu))
    return value


def print_edition():
    import datetime as dt

    sections = load_manifest()
    sources = {row["source_id"]: row for row in load("sources").to_dict("records")}
    bodies = [render.SectionBody(s.id, s.title, render.notebook_fragment(OUTPUT_DIR / "notebooks" / s.notebook)) for s in sections]
    page = dict(as_of=dt.date.fromisoformat(AS_OF), countries=("EE", "LV", "LT", "FI", "PL"), sources=sources, fingerprint="benchmark", version="bench")
    return sections, bodies, page


def fragments(sections):
    return [render.notebook_fragment(OUTPUT_DIR / "notebooks" / s.notebook) for s in sections]


def weasyprint_pdf(html: str, target: Path, results: dict) -> None:
    from weasyprint import CSS, HTML

    from brief.engine import fonts

    fetcher = render.allowed_fetcher([fonts.font_dir()])
    document = timed(results, "weasyprint layout", lambda: HTML(string=html, url_fetcher=fetcher).render(stylesheets=[CSS(string=fonts.pdf_font_faces(), url_fetcher=fetcher)]))
    timed(results, "weasyprint write", lambda: document.write_pdf(str(target), pdf_variant="pdf/ua-1", pdf_identifier=b"bench"))


SVG = re.compile(r"<svg\b.*?</svg>", re.S)
# A rough print style, near the WeasyPrint edition's: A4, serif body, sans headings, page numbers, a title in the metadata.
PREAMBLE = """#set document(title: "Leaving the Mine Ban Treaty", author: "Ottawa Convention withdrawals brief project", date: datetime(year: 2026, month: 11, day: 22))
#set page(paper: "a4", margin: (x: 2cm, y: 2.2cm), numbering: "1 / 1", header: context [#set text(8pt); Leaving the Mine Ban Treaty #h(1fr) Policy brief])
#set text(font: ("DejaVu Serif", "DejaVu Sans"), size: 9.5pt, lang: "en")
#show heading: set text(font: "DejaVu Sans")
#set par(justify: false, leading: 0.6em)
"""


def typst_pdf(html: str, work: Path, target: Path, results: dict) -> None:
    import pypandoc

    def to_typst():
        figures = []

        def extract(match):
            path = work / f"chart-{len(figures)}.svg"
            path.write_text(match.group(0), encoding="utf-8")
            figures.append(path)
            return f'<img src="{path.name}" alt="chart">'

        html_files = SVG.sub(extract, html)
        body = pypandoc.convert_text(html_files, "typst", format="html", extra_args=["--shift-heading-level-by=-1"])
        # PDF/UA needs alt text on every image; the prototype names the chart (the real path would carry each chart's alt)
        body = re.sub(r'image\("(chart-\d+\.svg)"([^)]*)\)', lambda m: f'image("{m.group(1)}", alt: "{m.group(1)}"{m.group(2)})', body)
        return PREAMBLE + body

    markup = timed(results, "typst: pandoc html->typst", to_typst)
    (work / "brief.typ").write_text(markup, encoding="utf-8")
    from brief.engine import fonts

    # in a fresh process, as a build would run it: the binding memoises within a process, so a second
    # compile in the same process is not what a build pays
    script = (f"import typst; typst.compile({str(work / 'brief.typ')!r}, output={str(target)!r}, root={str(work)!r}, "
              f"font_paths=[{str(fonts.font_dir())!r}], pdf_standards=['ua-1'])")
    timed(results, "typst: compile (fresh process)", lambda: subprocess.run([sys.executable, "-c", script], check=True))


def inspect(pdf: Path, chart_words: list[str]) -> dict:
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    fonts, embedded = set(), True
    for page in reader.pages:
        for font in (page.get("/Resources", {}).get("/Font", {}) or {}).values():
            font = font.get_object()
            fonts.add(str(font.get("/BaseFont")))
            descriptor = font.get("/FontDescriptor") or (font.get("/DescendantFonts", [{}])[0].get_object().get("/FontDescriptor") if font.get("/DescendantFonts") else None)
            if descriptor is not None and not any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                embedded = False
    root = reader.trailer["/Root"]
    return {
        "pages": len(reader.pages),
        "tagged": "/StructTreeRoot" in root,
        "fonts embedded": embedded,
        "chart text selectable": all(w in text for w in chart_words),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not (OUTPUT_DIR / "notebooks").is_dir():
        raise SystemExit("build the brief first (make brief): the benchmark renders output/notebooks again")
    try:
        import pypandoc  # noqa: F401
        import typst  # noqa: F401

        with_typst = True
    except ImportError:
        with_typst = False
        print("typst path skipped: pip install typst==0.15.2 pypandoc_binary==1.17 to measure it")
    sections, bodies, page = print_edition()
    html_pdf_edition = render.assemble(bodies, **page, edition="pdf")
    # words that appear only as chart text (titles of charts), to test that it stays selectable
    chart_words = ["Most-cited reason", "longest border"]
    results: dict[str, list[tuple[float, float]]] = {}
    digests: dict[str, set[str]] = {"weasyprint": set(), "typst": set()}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for run in range(args.runs):
            timed(results, "fragments (nbconvert, 8 notebooks)", fragments, sections)
            timed(results, "assemble both editions", lambda: [render.assemble(bodies, **page, edition=e) for e in ("html", "pdf")])
            order = ["weasyprint", "typst"] if run % 2 == 0 else ["typst", "weasyprint"]
            for engine in order:
                if engine == "weasyprint":
                    weasyprint_pdf(html_pdf_edition, work / "weasy.pdf", results)
                    digests["weasyprint"].add(hashlib.sha256((work / "weasy.pdf").read_bytes()).hexdigest())
                elif with_typst:
                    typst_pdf(html_pdf_edition, work, work / "typst.pdf", results)
                    digests["typst"].add(hashlib.sha256((work / "typst.pdf").read_bytes()).hexdigest())
        print(f"\nmedians of {args.runs} interleaved runs on this machine (seconds)\n")
        print(f"{'step':40} {'wall':>8} {'cpu':>8}")
        for name, values in results.items():
            print(f"{name:40} {statistics.median(v[0] for v in values):8.2f} {statistics.median(v[1] for v in values):8.2f}")
        weasy = sum(statistics.median(v[0] for v in results[k]) for k in results if k.startswith("weasyprint"))
        print(f"{'weasyprint total':40} {weasy:8.2f}")
        if with_typst:
            typ = sum(statistics.median(v[0] for v in results[k]) for k in results if k.startswith("typst"))
            print(f"{'typst total (pandoc + compile)':40} {typ:8.2f}")
        print("\nwhat each PDF keeps")
        engines = ["weasyprint"] + (["typst"] if with_typst else [])
        for engine in engines:
            pdf = work / ("weasy.pdf" if engine == "weasyprint" else "typst.pdf")
            facts = inspect(pdf, chart_words)
            facts["same bytes every run"] = len(digests[engine]) == 1
            print(f"  {engine:11} " + ", ".join(f"{k}: {v}" for k, v in facts.items()))


if __name__ == "__main__":
    main()
