"""The data contract: the real data keeps it, and each kind of bad input is named by file, line and column."""

from __future__ import annotations

import datetime as dt

import pytest

from brief import data
from brief.data import DataError, effective_date, validation_problems
from tests.conftest import edit_csv


def test_real_data_keeps_the_contract():
    assert validation_problems() == []


def problems_in(data_dir):
    return [str(p) for p in validation_problems(data_dir)]


def test_malformed_csv_is_reported_with_its_line(data_copy):
    with (data_copy / "events.csv").open("a", encoding="utf-8") as f:
        f.write('EE-99,2025-01-01,day,EE,announcement,"unterminated\n')
    problems = problems_in(data_copy)
    assert any(p.startswith("events.csv") and "does not parse as CSV" in p for p in problems), problems


def test_missing_required_column(data_copy):
    edit_csv(data_copy / "events.csv", "event_id,date,date_precision", "id,date,date_precision")
    assert "events.csv, line 1, column 'event_id': required column is missing from the header" in problems_in(data_copy)


def test_bad_date_names_file_line_and_column(data_copy):
    edit_csv(data_copy / "events.csv", "EE-03,2025-06-04", "EE-03,2025-13-04")
    problems = problems_in(data_copy)
    assert any(p.startswith("events.csv, line ") and "column 'date'" in p and "2025-13-04" in p for p in problems), problems


def test_date_precision_must_match_the_date(data_copy):
    edit_csv(data_copy / "events.csv", "EE-03,2025-06-04,day", "EE-03,2025-06-04,month")
    assert any("column 'date_precision'" in p and "does not match" in p for p in problems_in(data_copy))


@pytest.mark.parametrize(
    "old,new,column",
    [
        ("EE-03,2025-06-04,day,EE,", "EE-03,2025-06-04,day,ZZ,", "country"),
        ("EE-03,2025-06-04,day,EE,parliament_vote", "EE-03,2025-06-04,day,EE,referendum", "stage"),
    ],
)
def test_unknown_vocabulary_values(data_copy, old, new, column):
    edit_csv(data_copy / "events.csv", old, new)
    assert any(f"column '{column}'" in p and "must be one of" in p for p in problems_in(data_copy))


def test_unknown_stance_and_theme(data_copy):
    statements = data_copy / "statements.csv"
    text = statements.read_text(encoding="utf-8")
    text = text.replace(",supports,", ",enthusiastic,", 1).replace("threat_environment", "no_such_theme", 1)
    statements.write_text(text, encoding="utf-8")
    problems = problems_in(data_copy)
    assert any("statements.csv" in p and "column 'stance'" in p for p in problems)
    assert any("statements.csv" in p and "'no_such_theme' is not a theme in themes.csv" in p for p in problems)


def test_duplicate_id(data_copy):
    edit_csv(data_copy / "events.csv", "EE-04,", "EE-03,")
    assert any("duplicate id 'EE-03'" in p and "column 'event_id'" in p for p in problems_in(data_copy))


def test_a_second_length_for_the_same_border_and_measure_is_refused(data_copy):
    borders = data_copy / "borders.csv"
    borders.write_text(borders.read_text(encoding="utf-8") + "EE-RU-factbook-2,EE,russia,factbook,1.0,not stated,cia-factbook-json,\n", encoding="utf-8")
    assert any("borders.csv, line 17, column 'measure'" in p and "EE–russia has a 'factbook' length already, on line 2" in p for p in problems_in(data_copy))


def test_reference_to_a_missing_source(data_copy):
    edit_csv(data_copy / "casualties.csv", "lm-2014-casualties", "lm-1914-casualties")
    assert any("casualties.csv" in p and "'lm-1914-casualties' is not a source_id in sources.csv" in p for p in problems_in(data_copy))


def test_missing_and_non_utf8_source_text(data_copy):
    (data_copy / "sources" / "000_6bef87ad689eb73d.txt").unlink()
    (data_copy / "sources" / "001_b757d6da4ac8543b.txt").write_bytes(b"caf\xe9 au lait")
    problems = problems_in(data_copy)
    assert any("column 'text_file'" in p and "000_6bef87ad689eb73d.txt" in p and "is not a file" in p for p in problems)
    assert any("column 'text_file'" in p and "not UTF-8" in p for p in problems)


def test_quote_must_be_verbatim(data_copy):
    edit_csv(data_copy / "statements.csv", "Mines are no substitute", "Mines are a fine substitute")
    assert any("statements.csv" in p and "not found verbatim" in p for p in problems_in(data_copy))


def test_quote_matching_ignores_quote_marks_and_spacing():
    assert data.normalise_text("it’s  “fine”\n now") == data.normalise_text("it's \"fine\" now")


def test_validate_raises_with_every_problem(data_copy):
    edit_csv(data_copy / "events.csv", "EE-03,2025-06-04", "EE-03,2025-06-40")
    edit_csv(data_copy / "events.csv", "EE-04,", "EE-03,")
    with pytest.raises(DataError) as info:
        data.validate(data_copy)
    assert len(info.value.problems) >= 2
    assert "events.csv, line" in str(info.value)


# ---------------------------------------------------------------- integrity of the real data


def test_every_withdrawal_takes_effect_six_months_after_deposit_unless_explained():
    events = data.load("events")
    for country, group in events.groupby("country"):
        deposits = group[group["stage"] == "un_deposit"]
        effects = group[group["stage"] == "withdrawal_effective"]
        for _, effect in effects.iterrows():
            derived = effective_date(deposits["date_value"].iloc[0])
            assert effect["date_value"] == derived or effect["notes"].strip(), country


def test_each_withdrawing_state_has_the_full_sequence_of_stages():
    events = data.load("events")
    for country in ("EE", "LV", "LT", "FI", "PL"):
        stages = set(events.loc[events["country"] == country, "stage"])
        assert {"announcement", "parliament_vote", "head_of_state_signature", "un_deposit", "withdrawal_effective"} <= stages, country


def test_every_fact_row_names_a_source():
    for table, column in [("events", "source_ids"), ("statements", "source_id"), ("casualties", "source_id"), ("claims", "source_id")]:
        frame = data.load(table)
        assert (frame[column].str.strip() != "").all(), table


def test_effective_date_arithmetic():
    assert effective_date(dt.date(2025, 6, 27)) == dt.date(2025, 12, 27)
    assert effective_date(dt.date(2025, 8, 20)) == dt.date(2026, 2, 20)
    assert effective_date(dt.date(2025, 8, 31)) == dt.date(2026, 2, 28)
    assert effective_date(dt.date(2023, 8, 31)) == dt.date(2024, 2, 29)
    assert data.add_months(dt.date(2025, 12, 15), 1) == dt.date(2026, 1, 15)


def test_stages_out_of_order_are_refused(data_copy):
    edit_csv(data_copy / "events.csv", "EE-05,2025-06-27", "EE-05,2025-05-27")
    assert any("EE un_deposit (2025-05-27) is dated before its head_of_state_signature" in p for p in problems_in(data_copy))


def test_effective_date_that_breaks_article_20_needs_a_note(data_copy):
    text = (data_copy / "events.csv").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith("FI-06,")]
    fixed = lines[0].replace("2026-01-10", "2026-01-11")
    fixed = fixed[: fixed.rfind(",")] + ","  # drop the notes
    (data_copy / "events.csv").write_text(text.replace(lines[0], fixed), encoding="utf-8")
    assert any("FI effective date 2026-01-11 is not deposit + 6 months (2026-01-10)" in p for p in problems_in(data_copy))


def test_the_data_dictionary_shows_every_table_as_the_schema_defines_it():
    """data/README.md's column tables are written from the specs (`python -m brief data-dictionary`)."""
    from brief.config import DATA_README

    readme = DATA_README.read_text(encoding="utf-8")
    assert data.data_dictionary(readme) == readme, "data/README.md is out of date: run python -m brief data-dictionary"
    for name, table in data.TABLES.items():
        assert f"<!-- columns: {name} -->" in readme
        assert all(f"| `{column}` |" in readme for column in table.columns)
    rewritten = data.data_dictionary("<!-- columns: claims -->\nstale\n<!-- /columns -->")
    assert "stale" not in rewritten and "| `verdict` | vocabulary | one of `correct`, `false`" in rewritten


# ---------------------------------------------------------------- messages name the real line


def line_starting(path, prefix: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if line.startswith(prefix))


def test_lines_are_the_files_own_after_blank_lines_and_multi_line_fields(data_copy):
    events = data_copy / "events.csv"
    text = events.read_text(encoding="utf-8")
    text = text.replace("\n", "\n\n", 1)  # a blank line after the header
    text = text.replace('"The Convention was opened for signature in Ottawa,', '"The Convention was opened\nfor signature in Ottawa,')  # a field over two lines
    events.write_text(text.replace("EE-03,2025-06-04,day,EE", "EE-03,2025-06-04,day,QQ"), encoding="utf-8")
    line = line_starting(events, "EE-03,")
    assert line == 10
    assert any(p.startswith(f"events.csv, line {line}, column 'country': 'QQ'") for p in problems_in(data_copy)), problems_in(data_copy)


def test_trailing_commas_on_data_rows_are_harmless(data_copy):
    casualties = data_copy / "casualties.csv"
    lines = casualties.read_text(encoding="utf-8").splitlines()
    casualties.write_text("\n".join([lines[0], *(line + ",," for line in lines[1:])]) + "\n", encoding="utf-8")
    assert problems_in(data_copy) == []
    assert list(data.load("casualties", data_copy).columns[:2]) == ["year", "casualties"]


def test_a_non_utf8_file_is_reported_at_its_line(data_copy):
    events = data_copy / "events.csv"
    text = events.read_text(encoding="utf-8").replace("The Riigikogu passed", "The Riigikogu passed (caf\u00e9)")
    events.write_bytes(text.encode("cp1252", errors="replace"))
    line = next(n for n, x in enumerate(text.splitlines(), 1) if x.startswith("EE-03,"))
    problem = next(p for p in problems_in(data_copy) if p.startswith("events.csv"))
    assert problem.startswith(f"events.csv, line {line}: is not UTF-8 text: byte 0xe9 at character ") and "save the file as UTF-8" in problem


def test_a_row_with_too_many_fields_is_named_with_its_count_and_a_hint(data_copy):
    events = data_copy / "events.csv"
    line = line_starting(events, "EE-03,")
    edit_csv(events, "The Riigikogu passed the withdrawal law 81-1", "The Riigikogu, in Tallinn, passed the withdrawal law 81-1")
    expected = f"events.csv, line {line}: has 10 fields but the header has 8: put text that holds commas in double quotes"
    assert any(p.startswith(expected) for p in problems_in(data_copy)), problems_in(data_copy)


def test_a_row_with_too_few_fields_is_named(data_copy):
    events = data_copy / "events.csv"
    with events.open("a", encoding="utf-8") as f:
        f.write("EE-99,2026-01-01,day,EE\n")
    line = len(events.read_text(encoding="utf-8").splitlines())
    assert f"events.csv, line {line}: has 4 fields but the header has 8: write an empty field (,,) for each value not given" in problems_in(data_copy)


def test_an_impossible_day_says_why(data_copy):
    line = line_starting(data_copy / "events.csv", "EE-03,")
    edit_csv(data_copy / "events.csv", "EE-03,2025-06-04", "EE-03,2026-02-30")
    assert f"events.csv, line {line}, column 'date': '2026-02-30' must be a date YYYY-MM-DD, YYYY-MM or YYYY: February 2026 has no 30th day" in problems_in(data_copy)


@pytest.mark.parametrize("value", ["\uff16\uff10\uff10\uff10", "\u0666\u0660\u0660\u0660"])  # full-width and Arabic-Indic 6000
def test_digits_other_than_ascii_are_not_numbers(data_copy, value):
    line = line_starting(data_copy / "casualties.csv", "2008,")
    edit_csv(data_copy / "casualties.csv", "2008,5197,", f"2008,{value},")
    assert f"casualties.csv, line {line}, column 'casualties': '{value}' must be a whole number ≥ 0" in problems_in(data_copy)


def test_dates_in_other_digits_are_not_dates():
    with pytest.raises(ValueError, match="is not a date"):
        data.parse_partial_date("\uff12\uff10\uff12\uff15-01-01")


@pytest.mark.parametrize("table", sorted(data.TABLES))
def test_a_table_with_a_header_only_is_validated_without_a_crash(data_copy, table):
    path = data_copy / data.TABLES[table].file
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    problems = validation_problems(data_copy)  # whatever the references that now point nowhere, no exception
    assert all(p.file != path.name for p in problems)
