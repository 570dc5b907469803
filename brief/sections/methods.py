"""Methods: the corpus, the coding scheme, the data files and their rows, the vintages of the data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from brief.data import TABLES, read_raw
from brief.facts import MethodsFacts, RowCount
from brief.text import FINGERPRINT_SLOT, esc, table_block


def row_counts(data_dir: Path) -> list[RowCount]:
    counts = [RowCount(file=spec.file, rows=len(read_raw(spec, data_dir))) for spec in TABLES.values() if (Path(data_dir) / spec.file).exists()]
    counts.append(RowCount(file="sources/*.txt", rows=len(list((Path(data_dir) / "sources").glob("*.txt")))))
    return counts


def facts(data_dir: Path, sources: pd.DataFrame, themes: pd.DataFrame, casualties: pd.DataFrame) -> MethodsFacts:
    editions = casualties.sort_values("year")["monitor_edition"]
    return MethodsFacts(
        corpus_articles=int((sources["kind"] == "corpus_article").sum()),
        row_counts=tuple(row_counts(data_dir)),
        theme_families={family: int(n) for family, n in themes["family"].value_counts().sort_index().items()},
        first_edition=editions.iloc[0] if len(editions) else "",
        last_edition=editions.iloc[-1] if len(editions) else "",
    )


def row_counts_table_html(counts: list[RowCount], caption: str, source: str) -> str:
    return table_block("data-files", caption, ["File", "Rows"], [[esc(c.file), str(c.rows)] for c in counts], source=source, numeric=(1,))


def parameters_table_html(as_of, countries, version: str, caption: str, source: str) -> str:
    rows = [["as_of", esc(as_of.isoformat())], ["countries", esc(", ".join(countries))],
            ["inputs fingerprint", f'<span class="{FINGERPRINT_SLOT}">(filled in by the build)</span>'], ["brief package", esc(version)]]
    return table_block("parameters", caption, ["Parameter", "Value"], rows, source=source)
