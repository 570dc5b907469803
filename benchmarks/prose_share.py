"""Share of the brief's running prose whose wording is written in notebook cells, not in package code.

Running prose: the paragraphs and list items of the sections (not tables, captions, chart data or the
References). Its wording is in a notebook when it comes from a Markdown cell or from a sentence a
notebook prints with brief.prose (`say`, `bullets`): the renderer places both in `div.prose`; what a
package function returns as HTML is placed as it is. Citation numbers are not counted as words.

    .venv/bin/python benchmarks/prose_share.py [output/brief.html]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bs4 import BeautifulSoup

from brief.config import OUTPUT_DIR


def prose_words(html: str) -> dict[str, dict[str, int]]:
    """Words of running prose per section, split into notebook-written and package-written."""
    soup = BeautifulSoup(html, "html.parser")
    for cites in soup.select(".cites"):
        cites.decompose()
    counts: dict[str, dict[str, int]] = {}
    for section in soup.select("section.brief-section:not(.references)"):
        tally = counts.setdefault(section["id"], {"notebook": 0, "package": 0})
        for block in section.select("p, li"):
            if block.find_parent(["figure", "table", "details", "figcaption", "nav"]) or block.find(["p", "li"]):
                continue
            words = len(re.findall(r"[^\W\d_]+", block.get_text(" ")))
            tally["notebook" if block.find_parent("div", class_="prose") else "package"] += words
    return counts


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else OUTPUT_DIR / "brief.html"
    counts = prose_words(path.read_text(encoding="utf-8"))
    print(f"{'section':<16}{'notebook words':>16}{'package words':>16}")
    for section, tally in counts.items():
        print(f"{section:<16}{tally['notebook']:>16}{tally['package']:>16}")
    notebook = sum(t["notebook"] for t in counts.values())
    total = notebook + sum(t["package"] for t in counts.values())
    print(f"prose written in notebooks: {notebook} of {total} words = {100 * notebook / total:.0f}% (target >= 80%)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
