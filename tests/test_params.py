"""Parameters are checked before anything runs."""

from __future__ import annotations

import datetime as dt

import pytest

from brief.engine import params
from brief.engine.params import ParameterError


@pytest.mark.parametrize("text", ["2025-13-01", "2025-02-30", "yesterday", "2025-9-1", "", "2026-W47-7", "2026-326", "20261122", "\uff12\uff10\uff12\uff16-01-05"])
def test_bad_as_of_dates(text):
    with pytest.raises(ParameterError, match="--as-of"):
        params.parse_as_of(text)


def test_an_impossible_as_of_day_says_why():
    with pytest.raises(ParameterError, match=r"--as-of '2026-02-30' is not a date: February 2026 has no 30th day"):
        params.parse_as_of("2026-02-30")


def test_as_of_before_the_first_announcements_is_refused():
    with pytest.raises(ParameterError, match="before the first announcements"):
        params.parse_as_of("2024-12-31")


def test_countries_parse_in_brief_order_and_reject_unknowns():
    assert params.parse_countries("pl, fi") == ("FI", "PL")
    assert params.parse_countries(["EE"]) == ("EE",)
    assert params.parse_countries("") == ("EE", "LV", "LT", "FI", "PL")
    with pytest.raises(ParameterError, match="unknown country XX"):
        params.parse_countries("EE,XX")


def test_formats():
    assert params.parse_formats("pdf,html") == ("html", "pdf")
    assert params.parse_formats("DOCX, html") == ("html", "docx")
    with pytest.raises(ParameterError, match="html, pdf, docx"):
        params.parse_formats("epub")


def test_output_dir_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ParameterError, match="cannot be written"):
        params.check_writable(blocker / "out")


def test_build_params_resolves_and_validates(tmp_path):
    built = params.build_params(as_of="2025-09-01", countries="FI", output_dir=tmp_path / "o")
    assert built.as_of == dt.date(2025, 9, 1) and built.countries == ("FI",)
    assert built.figures_dir == (tmp_path / "o").resolve() / "figures"
    with pytest.raises(ParameterError, match="--data-dir"):
        params.build_params(data_dir=tmp_path / "missing")
