"""Dates read automatically from the corpus texts (the claims section's cross-check)."""

from __future__ import annotations

from brief.sections import claims


def test_a_dated_withdrawal_step_is_read_from_a_clause():
    found = claims.extract_dates("Estonia deposited its instrument with the UN on June 27, 2025.")
    assert [(f["country"], f["stage"], f["date"], f["precision"]) for f in found] == [("EE", "un_deposit", "2025-06-27", "day")]


def test_an_impossible_date_in_an_article_is_skipped_not_a_crash():
    assert claims.extract_dates("Estonia deposited its instrument with the UN on June 31, 2025.") == []
    assert claims.extract_dates("Estonia deposited its instrument with the UN on 30 February 2025.") == []
