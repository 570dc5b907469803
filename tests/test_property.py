"""Property: any data folder the schema allows either builds an HTML brief or is refused by the
validator with a named file; never a traceback from a notebook or the renderer.

The folders are made from the real data: each leaf table is kept, cut to a random subset of its rows
or emptied to its header, and the references to removed rows are dropped as a researcher would (so
the folder stays valid by construction); a row gets long, odd Unicode text; the states and the as-of
date vary. Each example is a build (about 15 s), so CI
runs a few, fixed examples; set BRIEF_PROPERTY_EXAMPLES for more.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from brief import vocab
from brief.config import DATA_DIR
from brief.data import TABLES
from brief.engine.params import EARLIEST_AS_OF
from brief.errors import DataError

pytestmark = pytest.mark.build

LEAF_TABLES = ("events", "statements", "casualties", "states_parties", "borders", "framing_terms", "claims")
TEXT_COLUMNS = {"events": "description", "statements": "paraphrase", "claims": "claim", "borders": "covers"}
ODD_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=120) | st.sampled_from(
    ["$5 and $6", "$\\frac$", "[@no-such-source]", "abc\u202edef", "Šakalienė – 1 343,6 km", "<b>bold</b> & 'quotes', \"more\"", "x" * 400]
)


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    header, *rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    return header, rows


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    path.write_text(out.getvalue(), encoding="utf-8")


def keep_references(data: Path) -> None:
    """What a researcher removing rows would also do: drop the second codings of removed statements and
    the links to removed claims, so that the folder stays valid by construction."""
    _, statements = read_rows(data / "statements.csv")
    _, claims = read_rows(data / "claims.csv")
    kept, claim_ids = {r[0] for r in statements}, {r[0] for r in claims}
    header, rows = read_rows(data / "coding.csv")
    write_rows(data / "coding.csv", header, [r for r in rows if r[0] in kept])
    header, rows = read_rows(data / "statements.csv")
    column = header.index("claim_id")
    for row in rows:
        row[column] = row[column] if row[column] in claim_ids else ""
    write_rows(data / "statements.csv", header, rows)


def rewrite(path: Path, mode: str, seed: int, odd: str | None, column: str | None) -> None:
    header, rows = read_rows(path)
    if mode == "empty":
        rows = []
    elif mode == "subset":
        draw = random.Random(seed)
        rows = [r for r in rows if draw.random() < 0.5]
    if odd is not None and column in header and rows:
        rows[random.Random(seed).randrange(len(rows))][header.index(column)] = odd
    write_rows(path, header, rows)


folders = st.fixed_dictionaries(
    {
        "modes": st.fixed_dictionaries({t: st.sampled_from(["keep", "keep", "subset", "empty"]) for t in LEAF_TABLES}),
        "seed": st.integers(0, 2**16),
        "odd": st.none() | ODD_TEXT,
        "odd_table": st.sampled_from(sorted(TEXT_COLUMNS)),
        "countries": st.lists(st.sampled_from(vocab.WITHDRAWING_STATES), min_size=1, max_size=5, unique=True),
        "as_of": st.dates(EARLIEST_AS_OF, dt.date(2026, 11, 30)),
    }
)


@settings(max_examples=int(os.environ.get("BRIEF_PROPERTY_EXAMPLES", "3")), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(folder=folders)
def test_valid_data_builds_or_is_refused_with_a_named_file(folder, tmp_path_factory):
    from brief.engine.build import build
    from brief.engine.params import build_params

    root = tmp_path_factory.mktemp("property")
    data = root / "data"
    shutil.copytree(DATA_DIR, data)
    for table, mode in folder["modes"].items():
        odd = folder["odd"] if table == folder["odd_table"] else None
        rewrite(data / f"{table}.csv", mode, folder["seed"], odd, TEXT_COLUMNS.get(table))
    keep_references(data)
    params = build_params(data_dir=data, output_dir=root / "out", formats="html", as_of=folder["as_of"].isoformat(), countries=",".join(folder["countries"]))
    try:
        build(params, log=lambda message: None)
    except DataError as refused:  # the validator's answer (odd text can break a rule): every problem names a file
        event("refused by the validator")
        files = {spec.file for spec in TABLES.values()} | {"sources/"}
        assert refused.problems and all(p.file in files or p.file.startswith("sources/") for p in refused.problems), str(refused)
        return
    event("built")
    html = (root / "out" / "brief.html").read_text(encoding="utf-8")
    assert "Traceback" not in html and 'id="key_findings"' in html
