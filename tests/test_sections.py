"""The package functions behind the rationales and humanitarian sections, on the real data and on small cases."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from brief import humanitarian, rationales
from brief.data import load


def real():
    return load("statements"), load("themes")


def test_explode_themes_counts_joint_statements_for_each_signatory():
    statements, themes = real()
    long = rationales.explode_themes(statements, themes)
    joint = statements[statements["country"].str.contains(";")].iloc[0]
    signatories = joint["country"].split(";")
    rows = long[long["statement_id"] == joint["statement_id"]]
    assert set(rows["speaker_country"]) == set(signatories)
    assert len(rows) == len(signatories) * len(joint["themes"].split(";"))


def test_theme_matrix_only_rationale_themes_of_chosen_countries():
    statements, themes = real()
    long = rationales.explode_themes(statements, themes)
    matrix = rationales.theme_matrix(long, ("FI", "PL"))
    assert list(matrix.columns) == ["FI", "PL"]
    rationale_labels = set(themes.loc[themes["family"] == "rationale", "label"])
    assert set(matrix.index) <= rationale_labels
    expected = long[(long["family"] == "rationale") & (long["speaker_country"] == "FI") & (long["label"] == matrix.index[0])]["statement_id"].nunique()
    assert matrix.iloc[0]["FI"] == expected
    assert list(matrix.sum(axis=1)) == sorted(matrix.sum(axis=1), reverse=True)


def test_representative_quote_is_verbatim_named_and_not_doubtful():
    statements, themes = real()
    long = rationales.explode_themes(statements, themes)
    chosen = rationales.representative(long, "threat_environment")
    assert len(chosen["quote"]) >= rationales.MIN_QUOTE_CHARS
    assert not rationales.is_doubtful(chosen)
    assert "unnamed" not in chosen["speaker"].lower()


def test_statements_after_the_as_of_date_are_left_out():
    statements, _ = real()
    early = rationales.known_by(statements, dt.date(2025, 3, 31))
    assert all(d is None or d <= dt.date(2025, 3, 31) for d in early["date_value"])
    assert len(early) < len(statements)


def test_paraphrase_is_marked_and_text_escaped():
    s = pd.Series({"quote": "", "paraphrase": "<b>bold</b> claim", "speaker": "A", "role": "", "date": ""})
    html = rationales.statement_text(s)
    assert "Paraphrase:" in html and "&lt;b&gt;" in html


def test_latest_change_of_casualties():
    casualties = load("casualties")
    change = humanitarian.latest_change(casualties)
    last = casualties.sort_values("year").iloc[-1]
    prev = casualties.sort_values("year").iloc[-2]
    assert change["year"] == last["year"] and change["casualties"] == last["casualties"]
    assert change["change_pct"] == round(100 * (last["casualties"] - prev["casualties"]) / prev["casualties"], 1)
    earlier_higher = casualties[(casualties["year"] < last["year"]) & (casualties["casualties"] > last["casualties"])]
    assert change["highest_since"] == earlier_higher["year"].max()


def test_casualty_claims_reported_as_deaths_are_corrected():
    html = humanitarian.casualties_html(load("casualties"), load("claims"))
    assert "of the 4,710 casualties of 2022, 1,661 were killed" in html


def test_states_parties_text_reports_the_first_contraction():
    parties = load("states_parties")
    text = humanitarian.states_parties_html(parties)
    assert "166 States Parties" in text and "first contraction" in text and "to 161" in text
    before = humanitarian.states_parties_html(parties[parties["date_value"] <= dt.date(2025, 9, 1)])
    assert "contraction" not in before


def test_framing_counts_follow_the_dictionary(tmp_path):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a.txt").write_text("Security threats and NATO deterrence. Civilians were injured.", encoding="utf-8")
    sources = pd.DataFrame([{"source_id": "a", "title": "A", "text_file": "a.txt"}])
    terms = pd.DataFrame({"term": ["security", "threat", "nato", "deterr", "civilian", "injur"], "family": ["rationale"] * 4 + ["criticism"] * 2})
    counts = humanitarian.framing_counts(sources, terms, tmp_path).iloc[0]
    assert (counts["security_terms"], counts["humanitarian_terms"]) == (4, 2)
    assert counts["security_share_pct"] == 66.7


def test_critics_are_opposed_and_carry_a_criticism_theme():
    statements, themes = real()
    critics = humanitarian.critics(statements, themes)
    criticism = set(themes.loc[themes["family"] == "criticism", "theme"])
    assert len(critics) > 5
    assert (critics["stance"] == "opposes").all()
    assert all(set(t.split(";")) & criticism for t in critics["themes"])
