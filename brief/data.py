"""Load the CSV tables of data/ and validate them against the data contract.

Column-level rules (types, vocabularies, uniqueness) are pandera schemas built from one table of
column specifications; rules that span columns or tables (date precision, references between
tables, quotes found in their source text, the order of withdrawal stages) are checked here too.
Every problem names the file, the line and the column, so a person can fix it in an editor.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from brief import vocab
from brief.config import DATA_DIR
from brief.dates import DATE_PATTERN, calendar_problem, parse_partial_date, precision_of
from brief.errors import DataError, Problem
from brief.files import read_csv, split_list

if TYPE_CHECKING:
    import pandera.pandas as pa

SLUG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


# ---------------------------------------------------------------------------- column specs


@dataclass(frozen=True)
class Col:
    """One column of the data contract: its kind decides the checks applied to it."""

    kind: str  # id | text | required_text | vocab | vocab_list | date | partial_date | int | share | number | refs | ref | url | filename
    required: bool = True  # must the column exist in the file?
    vocab: tuple[str, ...] = ()
    ref: str = ""  # for ref/refs: the table whose id the value names
    optional_value: bool = False  # may a cell be empty?
    doc: str = ""  # what the column means, for the data dictionary (data/README.md)


def definitions(terms: dict[str, str]) -> str:
    """A vocabulary's terms and what each means, for a column's entry in the data dictionary."""
    return "; ".join(f"`{term}`: {meaning}" for term, meaning in terms.items())


@dataclass(frozen=True)
class Table:
    name: str
    key: str
    columns: dict[str, Col]
    doc: str = ""
    # The column whose date a row cannot be known before (brief.asof); None: only its sources date it.
    dated_by: str | None = None

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


TABLES: dict[str, Table] = {
    t.name: t
    for t in [
        Table(
            "sources",
            "source_id",
            {
                "source_id": Col("id", doc="short slug"),
                "kind": Col("vocab", vocab=vocab.SOURCE_KINDS),
                "title": Col("required_text"),
                "publisher": Col("text", doc="as known; corpus articles whose publisher could not be identified say so"),
                "published": Col("partial_date", optional_value=True, doc="empty when unknown; the brief uses a source only from this date on"),
                "url": Col("url", optional_value=True, doc="the publisher's own page; empty only when no address is known"),
                "address": Col("vocab", vocab=("publisher", "copy"), required=False, optional_value=True, doc="copy: the url is a copy, mirror or proxy because the publisher's own page was not found (`publisher` names the original publisher, notes the copy); empty means publisher"),
                "accessed": Col("date", optional_value=True, doc="when the URL was consulted"),
                "text_file": Col("filename", optional_value=True, doc="the full text held in sources/; empty when none is held"),
                "notes": Col("text", required=False, doc="provenance remarks (mirrors, reposts, dates read from a URL)"),
            },
            doc="one source",
        ),
        Table(
            "events",
            "event_id",
            {
                "event_id": Col("id", doc="`CC-nn` by country in date order"),
                "date": Col("partial_date"),
                "date_precision": Col("vocab", vocab=vocab.DATE_PRECISIONS, doc="must match the form of the date"),
                "country": Col("vocab", vocab=tuple(vocab.COUNTRY_NAMES), doc="XX for treaty milestones"),
                "stage": Col("vocab", vocab=vocab.ALL_STAGES, doc="withdrawal steps in the order they happen, then treaty milestones; " + definitions(vocab.STAGE_DEFINITIONS)),
                "description": Col("required_text", doc="one factual, paraphrased sentence; vote counts when known"),
                "source_ids": Col("refs", ref="sources"),
                "notes": Col("text", required=False, doc="conflicts between sources, what is unconfirmed; required when a date of effect is not the deposit + 6 months"),
            },
            doc="one dated step",
            dated_by="date",
        ),
        Table(
            "themes",
            "theme",
            {
                "theme": Col("id"),
                "family": Col("vocab", vocab=vocab.THEME_FAMILIES),
                "label": Col("required_text", doc="as printed, in sentence case"),
                "definition": Col("required_text", doc="what a statement must say to carry the theme; ids starting `commitment_` are commitments"),
            },
            doc="one theme of the coding scheme",
        ),
        Table(
            "statements",
            "statement_id",
            {
                "statement_id": Col("id", doc="`ST-nnn` (corpus), `SO-nnn` (outside sources)"),
                "date": Col("partial_date", optional_value=True, doc="when the statement was made; empty when unknown"),
                "date_precision": Col("vocab", vocab=vocab.DATE_PRECISIONS, required=False, optional_value=True),
                "speaker": Col("required_text", doc="name correctly spelled (misspellings in the source go to notes)"),
                "role": Col("text"),
                "speaker_type": Col("vocab", vocab=vocab.SPEAKER_TYPES, required=False),
                "country": Col("vocab_list", vocab=tuple(vocab.COUNTRY_NAMES), doc="the speaker's country; ';' for a joint statement (counted once for each signatory in by-country charts), or for a generic or composite row that speaks for several"),
                "attribution": Col("vocab", vocab=tuple(vocab.ATTRIBUTIONS), doc=definitions(vocab.ATTRIBUTIONS)),
                "verified": Col("vocab", vocab=vocab.YES_NO, doc="yes: the utterance was found in a source other than the article that reports it"),
                "stance": Col("vocab", vocab=vocab.STANCES, doc="towards the withdrawals (the settled coding; both coders' readings are in coding.csv)"),
                "themes": Col("refs", ref="themes", optional_value=True, doc="up to three; empty when no theme fits"),
                "quote": Col("text", doc="verbatim from the held text of source_id (checked after normalising white space and quote marks)"),
                "extra_quotes": Col("text", required=False, doc="further verbatim passages, separated by ' | '"),
                "paraphrase": Col("text", required=False, doc="own-words summary; required when there is no quote"),
                "source_id": Col("refs", ref="sources", doc="the source of a quote (exactly one), or ';'-separated sources of a paraphrase"),
                "claim_id": Col("ref", ref="claims", required=False, optional_value=True, doc="the ledger's claim about this utterance, if any; a statement whose claim is unverifiable or false never counts as evidence"),
                "date_basis": Col("text", required=False, doc="where the date comes from"),
                "notes": Col("text", required=False, doc="doubts"),
            },
            doc="one attributed statement",
            dated_by="date",
        ),
        Table(
            "coding",
            "statement_id",
            {
                "statement_id": Col("ref", ref="statements"),
                "stance_1": Col("vocab", vocab=vocab.STANCES, doc="first coder"),
                "themes_1": Col("refs", ref="themes", optional_value=True, doc="first coder"),
                "stance_2": Col("vocab", vocab=vocab.STANCES, doc="second coder, blind to the first, from the words and themes.csv only"),
                "themes_2": Col("refs", ref="themes", optional_value=True, doc="second coder"),
                "settlement": Col("text", doc="for a disagreement: which reading was kept and why (the settled coding is in statements.csv)"),
            },
            doc="two independent codings of one statement",
        ),
        Table(
            "casualties",
            "year",
            {
                "year": Col("int"),
                "casualties": Col("int", doc="killed + injured + unknown status, mines and explosive remnants of war"),
                "killed": Col("int", optional_value=True),
                "injured": Col("int", optional_value=True),
                "unknown_status": Col("int", required=False, optional_value=True, doc="empty when not reported"),
                "civilian_share_pct": Col("share", required=False, optional_value=True),
                "child_share_pct": Col("share", required=False, optional_value=True, doc="share of civilian casualties, as the Monitor reports it"),
                "monitor_edition": Col("text", required=False, doc="the edition that first reported the year"),
                "source_id": Col("refs", ref="sources", doc="one or more sources, ';'-separated"),
                "notes": Col("text", required=False, doc="later revisions"),
            },
            doc="one year of global casualties",
        ),
        Table(
            "claims",
            "claim_id",
            {
                "claim_id": Col("id"),
                "source_id": Col("ref", ref="sources", doc="the corpus article making the claim"),
                "claim": Col("required_text"),
                "verdict": Col("vocab", vocab=vocab.VERDICTS),
                "correction": Col("text", doc="required for false and misleading"),
                "evidence_source_ids": Col("refs", ref="sources", optional_value=True, doc="required unless the verdict is 'unverifiable'"),
                "evidence_note": Col("text", required=False),
            },
            doc="one checked claim",
        ),
        Table(
            "states_parties",
            "date",
            {
                "date": Col("partial_date"),
                "states_parties": Col("int"),
                "event": Col("required_text"),
                "derived": Col("vocab", vocab=("yes", "no"), doc="yes: computed from the previous count and the event, not stated by a source"),
                "source_id": Col("refs", ref="sources"),
                "notes": Col("text", required=False),
            },
            doc="the number of States Parties after one dated change",
            dated_by="date",
        ),
        Table(
            "membership",
            "country",
            {
                "country": Col("vocab", vocab=tuple(vocab.COUNTRY_NAMES)),
                "signature_date": Col("partial_date", optional_value=True, doc="empty if it never signed"),
                "consent_date": Col("partial_date"),
                "consent_type": Col("vocab", vocab=("ratification", "accession")),
                "entry_into_force": Col("partial_date"),
                "source_ids": Col("refs", ref="sources"),
                "notes": Col("text", required=False),
            },
            doc="how one state joined the Convention",
        ),
        Table(
            "framing_terms",
            "term",
            {
                "term": Col("required_text", doc="lowercase; matches words that start with it"),
                "family": Col("vocab", vocab=vocab.THEME_FAMILIES, doc="rationale = security framing, criticism = humanitarian framing"),
                "note": Col("text", required=False),
            },
            doc="one term of the framing dictionary",
        ),
        Table(
            "countries",
            "country",
            {
                "country": Col("vocab", vocab=tuple(vocab.COUNTRY_NAMES)),
                "name": Col("required_text"),
                "nato_accession": Col("date"),
                "eu_accession": Col("date"),
                "source_ids": Col("refs", ref="sources"),
                "notes": Col("text", required=False),
            },
            doc="one withdrawing state: NATO and EU membership",
        ),
        Table(
            "borders",
            "border_id",
            {
                "border_id": Col("id", doc="`CC-NN-measure`"),
                "country": Col("vocab", vocab=tuple(vocab.COUNTRY_NAMES)),
                "neighbour": Col("vocab", vocab=tuple(vocab.NEIGHBOURS), doc=definitions(vocab.NEIGHBOURS)),
                "measure": Col("vocab", vocab=tuple(vocab.BORDER_MEASURES), doc=definitions(vocab.BORDER_MEASURES)),
                "km": Col("number"),
                "covers": Col("required_text", doc="what the figure includes (land, rivers, lakes, sea), as its source says; 'not stated' when it does not"),
                "source_ids": Col("refs", ref="sources"),
                "notes": Col("text", required=False),
            },
            doc="one border length by one measure: sources differ over rivers, lakes and sea sections, so each figure says what it covers",
        ),
    ]
}


# ---------------------------------------------------------------------------- values


def _is_partial_date(text: str) -> bool:
    try:
        parse_partial_date(text)
    except ValueError:
        return False
    return True


def _is_day(text: str) -> bool:
    return len(text) == 10 and _is_partial_date(text)


# ASCII digits only: Python's \d, int() and float() also take full-width and other scripts' digits.
NUMBER_PATTERN = re.compile(r"[0-9]+(\.[0-9]+)?")


def _is_int(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9]+", text))


def _is_share(text: str) -> bool:
    return bool(NUMBER_PATTERN.fullmatch(text)) and float(text) <= 100


def _is_url(text: str) -> bool:
    return bool(re.fullmatch(r"https?://[^\s<>\"']+", text))


CHECKS = {
    # kind: (element test, message)
    "id": (lambda v: bool(re.fullmatch(SLUG_PATTERN, v)), "must be a non-empty id of letters, digits, '.', '_' or '-'"),
    "required_text": (lambda v: bool(v.strip()), "must not be empty"),
    "date": (_is_day, "must be a date YYYY-MM-DD"),
    "partial_date": (_is_partial_date, "must be a date YYYY-MM-DD, YYYY-MM or YYYY"),
    "int": (_is_int, "must be a whole number ≥ 0"),
    "share": (_is_share, "must be a percentage between 0 and 100"),
    "number": (lambda v: bool(NUMBER_PATTERN.fullmatch(v)), "must be a number ≥ 0"),
    "url": (_is_url, "must be an http(s) URL"),
    "filename": (lambda v: bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.txt", v)), "must be a .txt file name inside data/sources/"),
    "ref": (lambda v: bool(v.strip()), "must name an id"),
    "refs": (lambda v: bool(split_list(v)), "must name at least one id"),
}


def _column_checks(name: str, col: Col) -> list[pa.Check]:
    import pandera.pandas as pa

    checks = []
    if col.kind == "vocab":
        allowed = col.vocab
        test = lambda v, allowed=allowed: v in allowed
        message = f"must be one of: {', '.join(allowed)}"
    elif col.kind == "vocab_list":
        allowed = col.vocab
        test = lambda v, allowed=allowed: bool(split_list(v)) and all(item in allowed for item in split_list(v))
        message = f"must be one or more (';'-separated) of: {', '.join(allowed)}"
    elif col.kind in CHECKS:
        test, message = CHECKS[col.kind]
    else:
        return checks
    if col.optional_value:
        test = lambda v, inner=test: v == "" or inner(v)
    checks.append(pa.Check(test, element_wise=True, error=message, name=message))
    return checks


def schema_for(table: Table) -> pa.DataFrameSchema:
    """The pandera schema of one table, built from its column specs."""
    import pandera.pandas as pa  # here, not at the top: the notebooks load data without it (0.3 s less per kernel)

    columns = {
        name: pa.Column(
            str,
            checks=_column_checks(name, col),
            required=col.required,
            unique=(name == table.key),
            nullable=False,
        )
        for name, col in table.columns.items()
    }
    return pa.DataFrameSchema(columns, strict=False, name=table.file)


# ---------------------------------------------------------------------------- reading


def read_lines(path: Path, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """One CSV as strings, exactly as typed, indexed by the line of the file each row starts on (see
    brief.files.read_csv: rows with another number of fields than the header are problems, and left out)."""
    table = read_csv(path, file)
    return pd.DataFrame(table.rows, columns=table.header, index=pd.Index(table.lines, dtype="int64"), dtype=str), table.problems


def read_raw(table: str | Table, data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """Read one CSV as strings, exactly as typed (no NaN, no type guessing), rows numbered from 0; DataError if it cannot be read."""
    spec = TABLES[table] if isinstance(table, str) else table
    path = Path(data_dir) / spec.file
    if not path.is_file():
        raise DataError([Problem(spec.file, None, None, f"file is missing from {data_dir}")])
    return read_lines(path, spec.file)[0].reset_index(drop=True)


def _read_problems(spec: Table, data_dir: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The table for validation, indexed by file line (so every problem below names `index` as its line), and what made rows unreadable."""
    path = Path(data_dir) / spec.file
    if not path.exists():
        return None, [Problem(spec.file, None, None, f"file is missing from {data_dir}")]
    try:
        return read_lines(path, spec.file)
    except DataError as exc:
        return None, exc.problems


def _schema_problems(spec: Table, frame: pd.DataFrame) -> list[Problem]:
    from pandera.errors import SchemaErrors

    try:
        schema_for(spec).validate(frame, lazy=True)
    except SchemaErrors as exc:
        problems = []
        for case in exc.failure_cases.to_dict("records"):
            column = case.get("column")
            index = case.get("index")
            check = str(case.get("check"))
            value = case.get("failure_case")
            if check == "column_in_dataframe":
                problems.append(Problem(spec.file, 1, str(value), "required column is missing from the header"))
            elif check == "field_uniqueness":
                problems.append(Problem(spec.file, int(index), column, f"duplicate id {value!r}"))
            elif index is None or pd.isna(index):
                problems.append(Problem(spec.file, None, column, check))
            else:
                reason = calendar_problem(value) if spec.columns[column].kind in ("date", "partial_date") and DATE_PATTERN.fullmatch(str(value)) else None
                problems.append(Problem(spec.file, int(index), column, f"{value!r} {check}" + (f": {reason}" if reason else "")))
        return problems
    return []


def normalise_text(text: str) -> str:
    """For matching quotes: unify quote marks, dashes and white space, and Unicode composition."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\u2018\u2019\u201a\u201b\u2032`´]", "'", text)
    text = re.sub(r"[\u201c\u201d\u201e\u201f\u2033«»]", '"', text)
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def source_text(source_row: pd.Series | dict, data_dir: Path = DATA_DIR) -> str:
    """The full text held for a source ('' when none is held)."""
    name = source_row["text_file"]
    if not name:
        return ""
    return (Path(data_dir) / "sources" / name).read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- cross checks


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic; the day is clamped to the end of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))


# Art. 20(3): a withdrawal takes effect six months after the Depositary receives the instrument
# (and, for a state engaged in an armed conflict then, not before the conflict ends).
WITHDRAWAL_NOTICE_MONTHS = 6


def effective_date(deposit_date: dt.date) -> dt.date:
    return add_months(deposit_date, WITHDRAWAL_NOTICE_MONTHS)


def _reference_problems(frames: dict[str, pd.DataFrame]) -> list[Problem]:
    problems = []
    ids = {name: set(frame[TABLES[name].key]) for name, frame in frames.items() if TABLES[name].key in frame}
    for name, frame in frames.items():
        spec = TABLES[name]
        for column, col in spec.columns.items():
            if col.kind not in ("ref", "refs") or column not in frame or col.ref not in ids:
                continue
            for index, cell in frame[column].items():
                values = split_list(cell) if col.kind == "refs" else ([cell] if cell else [])
                for value in values:
                    if value not in ids[col.ref]:
                        problems.append(
                            Problem(spec.file, int(index), column, f"{value!r} is not a {TABLES[col.ref].key} in {TABLES[col.ref].file}")
                        )
    return problems


def _date_precision_problems(name: str, frame: pd.DataFrame) -> list[Problem]:
    problems = []
    if not {"date", "date_precision"} <= set(frame.columns):
        return problems
    for index, row in frame.iterrows():
        date, precision = row["date"], row["date_precision"]
        if date and _is_partial_date(date) and precision in vocab.DATE_PRECISIONS and precision_of(date) != precision:
            problems.append(
                Problem(TABLES[name].file, int(index), "date_precision", f"{precision!r} does not match the date {date!r} (which has {precision_of(date)} precision)")
            )
        if date and not precision and "date_precision" in frame:
            problems.append(Problem(TABLES[name].file, int(index), "date_precision", "must be given when a date is"))
    return problems


def _source_file_problems(sources: pd.DataFrame, data_dir: Path) -> list[Problem]:
    problems = []
    for index, row in sources.iterrows():
        name = row.get("text_file", "")
        if not name or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.txt", name):
            continue
        path = Path(data_dir) / "sources" / name
        if not path.is_file():
            problems.append(Problem("sources.csv", int(index), "text_file", f"{name!r} is not a file in {path.parent}"))
            continue
        try:
            path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            problems.append(Problem("sources.csv", int(index), "text_file", f"{name!r} is not UTF-8 text (byte {exc.start})"))
    return problems


def _quote_problems(statements: pd.DataFrame, sources: pd.DataFrame, data_dir: Path) -> list[Problem]:
    problems = []
    by_id = {row["source_id"]: row for _, row in sources.iterrows()}
    texts: dict[str, str] = {}
    for index, row in statements.iterrows():
        quote, paraphrase = row.get("quote", ""), row.get("paraphrase", "")
        if not quote.strip() and not str(paraphrase).strip():
            problems.append(Problem("statements.csv", int(index), "quote", "a statement needs a quote or a paraphrase"))
        if not quote.strip():
            continue
        if len(split_list(row["source_id"])) != 1:
            problems.append(Problem("statements.csv", int(index), "source_id", "a quote must name exactly one source, the one whose text holds it"))
            continue
        source = by_id.get(row["source_id"])
        if source is None:
            continue  # reported as a bad reference already
        if not source.get("text_file"):
            problems.append(Problem("statements.csv", int(index), "quote", f"source {row['source_id']!r} holds no full text, so this must be a paraphrase"))
            continue
        if row["source_id"] not in texts:
            try:
                texts[row["source_id"]] = normalise_text(source_text(source, data_dir))
            except (OSError, UnicodeDecodeError):
                continue  # reported by the source file check
        passages = [("quote", quote)] + [("extra_quotes", q) for q in str(row.get("extra_quotes", "")).split(" | ") if q.strip()]
        for column, passage in passages:
            if normalise_text(passage) not in texts[row["source_id"]]:
                problems.append(Problem("statements.csv", int(index), column, f"not found verbatim in the text of {row['source_id']!r}: {passage[:60]!r}"))
    return problems


def period_end(text: str) -> dt.date:
    """The last day a partial date can mean: '2025-05' -> 2025-05-31."""
    start = parse_partial_date(text)
    precision = precision_of(text)
    if precision == "year":
        return dt.date(start.year, 12, 31)
    if precision == "month":
        return add_months(start, 1) - dt.timedelta(days=1)
    return start


def _claim_problems(claims: pd.DataFrame) -> list[Problem]:
    problems = []
    for index, row in claims.iterrows():
        if row.get("verdict") in ("false", "misleading", "disputed", "correct") and not split_list(row.get("evidence_source_ids", "")):
            problems.append(Problem("claims.csv", int(index), "evidence_source_ids", f"a claim judged {row['verdict']!r} needs evidence"))
        if row.get("verdict") in ("false", "misleading") and not str(row.get("correction", "")).strip():
            problems.append(Problem("claims.csv", int(index), "correction", f"a claim judged {row['verdict']!r} needs a correction"))
    return problems


def _event_problems(events: pd.DataFrame) -> list[Problem]:
    """Stages per country in a possible order, and effective dates that follow Art. 20(3)."""
    problems = []
    rank = {stage: i for i, stage in enumerate(vocab.STAGES)}
    known = events["date"].map(_is_partial_date).astype(bool) & events["stage"].isin(vocab.STAGES)
    dated = events.loc[known]  # (an empty object-typed mask would select columns, not rows)
    for country, group in dated.groupby("country"):
        # Compare the first step of each stage: a later stage cannot begin before an earlier one has.
        firsts = group.assign(start=group["date"].map(parse_partial_date)).sort_values("start").drop_duplicates("stage")
        rows = sorted(firsts.iterrows(), key=lambda item: rank[item[1]["stage"]])
        for (i_a, a), (i_b, b) in zip(rows, rows[1:]):
            if rank[b["stage"]] > rank[a["stage"]] and period_end(b["date"]) < parse_partial_date(a["date"]):
                problems.append(
                    Problem("events.csv", int(i_b), "date", f"{country} {b['stage']} ({b['date']}) is dated before its {a['stage']} ({a['date']}) on line {int(i_a)}")
                )
        deposits = [r for _, r in group.iterrows() if r["stage"] == "un_deposit" and r["date_precision"] == "day"]
        for index, row in group.iterrows():
            if row["stage"] != "withdrawal_effective" or not deposits or row["date_precision"] != "day":
                continue
            expected = effective_date(parse_partial_date(deposits[0]["date"]))
            if parse_partial_date(row["date"]) != expected and not str(row.get("notes", "")).strip():
                problems.append(
                    Problem("events.csv", int(index), "date", f"{country} effective date {row['date']} is not deposit + 6 months ({expected}); explain the difference in 'notes'")
                )
    return problems


def _casualty_problems(casualties: pd.DataFrame) -> list[Problem]:
    problems = []
    for index, row in casualties.iterrows():
        parts = [row.get(c, "") for c in ("killed", "injured", "unknown_status")]
        if not all(_is_int(p) for p in parts if p) or not _is_int(row.get("casualties", "")):
            continue
        total = sum(int(p) for p in parts if p)
        complete = all(parts)
        if (complete and total != int(row["casualties"])) or total > int(row["casualties"]):
            relation = "≠" if complete else "<"
            problems.append(
                Problem("casualties.csv", int(index), "casualties", f"{row['casualties']} {relation} killed + injured + unknown ({total})")
            )
    return problems


def _border_problems(borders: pd.DataFrame) -> list[Problem]:
    """One length per border and measure: a second one would leave the chart two bars for one figure."""
    problems = []
    first: dict[tuple, int] = {}
    for index, row in borders.iterrows():
        pair = (row["country"], row["neighbour"], row["measure"])
        if pair in first:
            problems.append(Problem("borders.csv", int(index), "measure", f"{pair[0]}–{pair[1]} has a {pair[2]!r} length already, on line {first[pair]}: one length per border and measure"))
        first.setdefault(pair, int(index))
    return problems


def validation_problems(data_dir: Path = DATA_DIR) -> list[Problem]:
    """Every problem in data_dir, from all tables; an empty list means the data keeps the contract."""
    data_dir = Path(data_dir)
    problems: list[Problem] = []
    frames: dict[str, pd.DataFrame] = {}
    for name, spec in TABLES.items():
        frame, read_problems = _read_problems(spec, data_dir)
        problems += read_problems
        if frame is None:
            continue
        problems += _schema_problems(spec, frame)
        frames[name] = frame
    problems += _reference_problems(frames)
    for name, frame in frames.items():
        problems += _date_precision_problems(name, frame)
    if "sources" in frames:
        problems += _source_file_problems(frames["sources"], data_dir)
    if "statements" in frames and "sources" in frames and "quote" in frames["statements"]:
        problems += _quote_problems(frames["statements"], frames["sources"], data_dir)
    if "events" in frames and {"stage", "date", "country", "date_precision"} <= set(frames["events"].columns):
        problems += _event_problems(frames["events"])
    if "casualties" in frames:
        problems += _casualty_problems(frames["casualties"])
    if "claims" in frames and "verdict" in frames["claims"]:
        problems += _claim_problems(frames["claims"])
    if "borders" in frames and {"country", "neighbour", "measure"} <= set(frames["borders"].columns):
        problems += _border_problems(frames["borders"])
    return sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.column or "", p.message))


def validate(data_dir: Path = DATA_DIR) -> None:
    """Raise DataError naming every problem; return quietly when the data is valid."""
    problems = validation_problems(data_dir)
    if problems:
        raise DataError(problems)


# ---------------------------------------------------------------------------- typed loading


def load(table: str, data_dir: Path = DATA_DIR) -> pd.DataFrame:
    """One table with typed columns: dates as datetime.date in `<col>_value`, numbers as numbers."""
    spec = TABLES[table]
    frame = read_raw(spec, data_dir)
    for column, col in spec.columns.items():
        if column not in frame:
            frame[column] = ""
        if col.kind in ("date", "partial_date"):
            frame[f"{column}_value"] = frame[column].map(lambda v: parse_partial_date(v) if v else None)
        elif col.kind == "int":
            frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64")
        elif col.kind in ("share", "number"):
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    return frame


# ---------------------------------------------------------------------------- data dictionary

KIND_WORDS = {
    "id": ("id", "unique; letters, digits, `.`, `_`, `-`"),
    "text": ("text", ""),
    "required_text": ("text", "required"),
    "vocab": ("vocabulary", "one of {vocab}"),
    "vocab_list": ("vocabulary list", "one or more of {vocab}, `;`-separated"),
    "date": ("date", "`YYYY-MM-DD`"),
    "partial_date": ("date", "`YYYY-MM-DD`, `YYYY-MM` or `YYYY`"),
    "int": ("whole number", "≥ 0"),
    "share": ("percentage", "0–100"),
    "number": ("number", "≥ 0"),
    "url": ("URL", "`http(s)://…`"),
    "filename": ("file name", "a `.txt` in `sources/`"),
    "ref": ("id", "a `{key}` of `{file}`"),
    "refs": ("ids", "`;`-separated `{key}`s of `{file}`"),
}


def column_table(table: Table) -> str:
    """The Markdown table of one file's columns, written from its specs (data/README.md shows it)."""
    lines = ["| column | type | rule |", "|---|---|---|"]
    for name, col in table.columns.items():
        kind, rule = KIND_WORDS[col.kind]
        target = TABLES.get(col.ref)
        rule = rule.format(vocab=", ".join(f"`{v}`" for v in col.vocab), key=target.key if target else "", file=target.file if target else "")
        if name == table.key and col.kind != "id":
            rule = "; ".join(filter(None, [rule, "unique"]))
        extras = [rule, "may be empty" if col.optional_value else "", "optional column" if not col.required else "", col.doc]
        cell = "; ".join(e for e in extras if e).replace("|", "\\|")
        lines.append(f"| `{name}` | {kind} | {cell} |")
    return "\n".join(lines)


DICTIONARY_BLOCK = re.compile(r"(<!-- columns: (\w+) -->\n)(.*?)(<!-- /columns -->)", re.S)


def data_dictionary(readme: str) -> str:
    """data/README.md with every `<!-- columns: NAME -->` block rewritten from the specs."""
    return DICTIONARY_BLOCK.sub(lambda m: m.group(1) + column_table(TABLES[m.group(2)]) + "\n" + m.group(4), readme)
