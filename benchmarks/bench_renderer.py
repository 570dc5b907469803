"""The render path, piece by piece: the PDF through Typst (the build's path), WeasyPrint beside it if installed.

    .venv/bin/python benchmarks/bench_renderer.py [--runs 5] [--output-dir output]

Needs a built brief (`make brief`, or a build into --output-dir): it renders the executed notebooks in
its notebooks/ folder again. Measures, interleaved (A B A B …) and reported as medians of wall and CPU seconds:
  fragments   nbconvert HTML of the eight notebooks (no cache)
  assemble    numbering, contents and References of both editions (BeautifulSoup + Jinja)
  typst       the build's PDF path (brief/engine/typst_pdf.py): the print edition written as Typst
              markup, then compiled to PDF/UA-1 by the `typst` package in a fresh process, as a build
              pays it (the binding memoises within a process)
  weasyprint  the former PDF path, for comparison: layout (HTML.render) and writing (write_pdf) of the
              same print edition with brief.css; measured only when `weasyprint` is installed (it is
              no longer a requirement: pip install weasyprint==70.0 to compare)
It then checks what each PDF keeps: pages, tagged structure, embedded fonts, chart text that can be
selected, and whether two runs give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import pickle
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
from brief.engine import render, typst_pdf  # noqa: E402
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


def print_edition(notebooks: Path):
    sections = load_manifest()
    sources = {row["source_id"]: row for row in load("sources").to_dict("records")}
    bodies = [render.SectionBody(s.id, s.title, render.notebook_fragment(notebooks / s.notebook)) for s in sections]
    page = dict(as_of=dt.date.fromisoformat(AS_OF), countries=("EE", "LV", "LT", "FI", "PL"), sources=sources, fingerprint="benchmark", version="bench")
    return sections, bodies, page


def fragments(sections, notebooks: Path):
    return [render.notebook_fragment(notebooks / s.notebook) for s in sections]


def weasyprint_pdf(html: str, target: Path, results: dict) -> None:
    """The former renderer: brief.css print rules, DejaVu faces from files, nothing else fetched."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    from brief.engine import fonts

    class FontsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith(fonts.font_dir().as_uri()):
                return super().fetch(url, headers)
            raise ValueError(f"blocked fetch of {url[:80]!r}")

    fetcher = FontsOnly(allowed_protocols=("file",), allow_redirects=False)

    faces = "\n".join(
        f"@font-face {{ font-family: '{family}'; src: url('{(fonts.font_dir() / name).as_uri()}'); font-weight: {weight}; font-style: {style}; }}"
        for family, files in fonts.FACES.items()
        for (weight, style), name in files.items()
    ) + "\n:root { --serif: 'Brief Serif'; --sans: 'Brief Sans'; }"
    document = timed(results, "weasyprint layout", lambda: HTML(string=html, url_fetcher=fetcher).render(stylesheets=[CSS(string=faces, url_fetcher=fetcher)]))
    timed(results, "weasyprint write", lambda: document.write_pdf(str(target), pdf_variant="pdf/ua-1", pdf_identifier=b"bench"))


def typst_path(html: str, work: Path, target: Path, results: dict) -> None:
    doc = timed(results, "typst: markup (typst_pdf.document)", typst_pdf.document, html, as_of=dt.date.fromisoformat(AS_OF))
    (work / "doc.pickle").write_bytes(pickle.dumps(doc))
    script = (
        "import pathlib, pickle; from brief.engine import typst_pdf; "
        f"typst_pdf.compile_pdf(pickle.loads(pathlib.Path({str(work / 'doc.pickle')!r}).read_bytes()), pathlib.Path({str(target)!r}))"
    )
    timed(results, "typst: compile (fresh process)", lambda: subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT))


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
    parser.add_argument("--output-dir", type=Path, default=OUTPUT_DIR, help="a built brief's folder (its notebooks/ are rendered)")
    args = parser.parse_args()
    notebooks = args.output_dir / "notebooks"
    if not notebooks.is_dir():
        raise SystemExit(f"build the brief first (make brief): the benchmark renders {notebooks} again")
    try:
        import weasyprint  # noqa: F401

        with_weasyprint = True
    except ImportError:
        with_weasyprint = False
        print("weasyprint skipped (no longer a requirement): pip install weasyprint==70.0 to compare")
    sections, bodies, page = print_edition(notebooks)
    html_pdf_edition = render.assemble(bodies, **page, edition="pdf")
    # words that appear only as chart text (titles of charts), to test that it stays selectable
    chart_words = ["Most-cited reason", "longest border"]
    results: dict[str, list[tuple[float, float]]] = {}
    digests: dict[str, set[str]] = {"weasyprint": set(), "typst": set()}
    engines = ["typst"] + (["weasyprint"] if with_weasyprint else [])
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for run in range(args.runs):
            timed(results, "fragments (nbconvert, 8 notebooks)", fragments, sections, notebooks)
            timed(results, "assemble both editions", lambda: [render.assemble(bodies, **page, edition=e) for e in ("html", "pdf")])
            for engine in engines if run % 2 == 0 else engines[::-1]:
                target = work / f"{engine}.pdf"
                if engine == "typst":
                    typst_path(html_pdf_edition, work, target, results)
                else:
                    weasyprint_pdf(html_pdf_edition, target, results)
                digests[engine].add(hashlib.sha256(target.read_bytes()).hexdigest())
        print(f"\nmedians of {args.runs} interleaved runs on this machine (seconds)\n")
        print(f"{'step':40} {'wall':>8} {'cpu':>8}")
        for name, values in results.items():
            print(f"{name:40} {statistics.median(v[0] for v in values):8.2f} {statistics.median(v[1] for v in values):8.2f}")
        for engine in engines:
            total = sum(statistics.median(v[0] for v in results[k]) for k in results if k.startswith(engine))
            print(f"{engine + ' total':40} {total:8.2f}")
        print("\nwhat each PDF keeps")
        for engine in engines:
            facts = inspect(work / f"{engine}.pdf", chart_words)
            facts["same bytes every run"] = len(digests[engine]) == 1
            print(f"  {engine:11} " + ", ".join(f"{k}: {v}" for k, v in facts.items()))


if __name__ == "__main__":
    main()
