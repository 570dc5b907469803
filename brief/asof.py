"""What was known on the as-of date: the one rule every section applies to every table.

A row is known on a date D when
- its own date (the table's `dated_by` column, at the last day a partial date can mean) is on or
  before D, and
- it rests on a source published by D: in every column that names sources, the sources not yet
  published are dropped, and a row left with none is not known. So a casualty year is known once the
  Landmine Monitor edition reporting it is out, an event reported only later is known from its
  report, and the brief never cites a source from after D.

A source with no publication date is taken as known (the corpus holds one undated article; its
notes say from when it can date). Tables without dates or sources (the coding scheme, the framing
dictionary) are method, not fact, and are known whole.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from brief.data import TABLES, load, period_end, split_list


def published_by(published: str, as_of: dt.date) -> bool:
    """A source counts from the last day its (possibly partial) publication date can mean."""
    return not published or period_end(published) <= as_of


def known_sources(sources: pd.DataFrame, as_of: dt.date) -> set[str]:
    return {row.source_id for row in sources.itertuples() if published_by(row.published, as_of)}


def source_columns(table: str) -> list[str]:
    """The columns of `table` that name rows of sources.csv."""
    return [name for name, col in TABLES[table].columns.items() if col.kind in ("ref", "refs") and col.ref == "sources"]


def cut(table: str, frame: pd.DataFrame, as_of: dt.date, known: set[str]) -> pd.DataFrame:
    """The rows of `frame` (one table of data/) known on `as_of`, their source lists trimmed to what was published."""
    spec = TABLES[table]
    if table == "sources":
        return frame[frame["source_id"].isin(known)].reset_index(drop=True)
    keep = pd.Series(True, index=frame.index)
    if spec.dated_by:
        keep &= frame[spec.dated_by].map(lambda text: not text or period_end(text) <= as_of)
    frame = frame.copy()
    for column in source_columns(table):
        cited = frame[column].map(split_list)
        trimmed = cited.map(lambda ids: [s for s in ids if s in known])
        keep &= pd.Series([bool(t) or not c for c, t in zip(cited, trimmed)], index=frame.index, dtype=bool)
        frame[column] = trimmed.map(";".join)
    return frame[keep].reset_index(drop=True)


def load_known(table: str, data_dir: Path, as_of: dt.date) -> pd.DataFrame:
    """One table of data/, typed (brief.data.load), holding only what was known on `as_of`."""
    sources = load("sources", data_dir)
    return cut(table, sources if table == "sources" else load(table, data_dir), as_of, known_sources(sources, as_of))
