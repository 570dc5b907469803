"""Methods: the corpus, the coding scheme, the data files and their rows, the vintages of the data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from brief.data import TABLES, read_raw, split_list
from brief.facts import Agreement, CodingFacts, MethodsFacts, RowCount
from brief.text import esc, fingerprint_slot, table_block


def row_counts(data_dir: Path) -> list[RowCount]:
    counts = [RowCount(file=spec.file, rows=len(read_raw(spec, data_dir))) for spec in TABLES.values() if (Path(data_dir) / spec.file).exists()]
    counts.append(RowCount(file="sources/*.txt", rows=len(list((Path(data_dir) / "sources").glob("*.txt")))))
    return counts


def cohen_kappa(first: list, second: list) -> float | None:
    """Cohen's kappa of two coders' labels for the same items: (observed - chance) / (1 - chance)."""
    n = len(first)
    if n == 0:
        return None
    observed = sum(a == b for a, b in zip(first, second)) / n
    labels = set(first) | set(second)
    chance = sum((first.count(label) / n) * (second.count(label) / n) for label in labels)
    return None if chance == 1 else (observed - chance) / (1 - chance)


def agreement(measure: str, first: list, second: list) -> Agreement:
    return Agreement(measure=measure, items=len(first), agreed=sum(a == b for a, b in zip(first, second)), kappa=cohen_kappa(first, second))


def coding_facts(coding: pd.DataFrame, statements: pd.DataFrame, themes: pd.DataFrame) -> CodingFacts:
    """Agreement between the two codings of the statements known on the as-of date, and how differences were settled."""
    rows = coding[coding["statement_id"].isin(statements["statement_id"])]
    settled = statements.set_index("statement_id")
    results = [agreement("stance", list(rows["stance_1"]), list(rows["stance_2"]))]
    for family in sorted(set(themes["family"])):
        family_themes = list(themes.loc[themes["family"] == family, "theme"])
        pairs = [(theme in split_list(r["themes_1"]), theme in split_list(r["themes_2"])) for _, r in rows.iterrows() for theme in family_themes]
        results.append(agreement(family, [a for a, _ in pairs], [b for _, b in pairs]))

    def reading(stance, theme_cell):
        return stance, frozenset(split_list(theme_cell))

    differ = rows[[reading(r["stance_1"], r["themes_1"]) != reading(r["stance_2"], r["themes_2"]) for _, r in rows.iterrows()]]
    final = [reading(settled.loc[r["statement_id"], "stance"], settled.loc[r["statement_id"], "themes"]) for _, r in differ.iterrows()]
    firsts = [reading(r["stance_1"], r["themes_1"]) for _, r in differ.iterrows()]
    seconds = [reading(r["stance_2"], r["themes_2"]) for _, r in differ.iterrows()]
    kept_first = sum(f == a for f, a in zip(final, firsts))
    kept_second = sum(f == b and f != a for f, a, b in zip(final, firsts, seconds))
    return CodingFacts(statements=len(rows), agreements=tuple(results), disagreements=len(differ),
                       kept_first=kept_first, kept_second=kept_second, other=len(differ) - kept_first - kept_second)


def facts(data_dir: Path, sources: pd.DataFrame, themes: pd.DataFrame, casualties: pd.DataFrame, coding: CodingFacts) -> MethodsFacts:
    editions = casualties.sort_values("year")["monitor_edition"]
    return MethodsFacts(
        corpus_articles=int((sources["kind"] == "corpus_article").sum()),
        sources=len(sources),
        copy_addresses=int((sources.get("address", pd.Series(dtype=str)) == "copy").sum()),
        coding=coding,
        row_counts=tuple(row_counts(data_dir)),
        theme_families={family: int(n) for family, n in themes["family"].value_counts().sort_index().items()},
        first_edition=editions.iloc[0] if len(editions) else "",
        last_edition=editions.iloc[-1] if len(editions) else "",
    )


def row_counts_table_html(counts: list[RowCount], caption: str, source: str) -> str:
    return table_block("data-files", caption, ["File", "Rows"], [[esc(c.file), str(c.rows)] for c in counts], source=source, numeric=(1,))


def parameters_table_html(as_of, countries, version: str, caption: str, source: str) -> str:
    rows = [["as_of", esc(as_of.isoformat())], ["countries", esc(", ".join(countries))],
            ["inputs fingerprint", fingerprint_slot()], ["brief package", esc(version)]]
    return table_block("parameters", caption, ["Parameter", "Value"], rows, source=source)
