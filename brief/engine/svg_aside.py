"""Charts set aside while a page is parsed: their inline SVG is most of the brief's markup (about four
tags in five) and nothing that numbers, links or converts the page looks inside one."""

from __future__ import annotations

import re

SVG_ELEMENT = re.compile(r"<svg\b.*?</svg>", re.S)
SVG_SLOT = re.compile(r"<!--chart-svg (\d+)-->")


def stash_svgs(html: str) -> tuple[str, list[str]]:
    """`html` with every <svg> element replaced by a numbered placeholder comment, and the elements."""
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"<!--chart-svg {len(kept) - 1}-->"

    return SVG_ELEMENT.sub(keep, html), kept


def restore_svgs(html: str, kept: list[str]) -> str:
    """Put back the elements stash_svgs set aside (a placeholder whose part of the page was dropped is simply gone)."""
    return SVG_SLOT.sub(lambda match: kept[int(match.group(1))], html)
