"""The package functions behind the rationales and humanitarian sections, on the real data and on small cases."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from brief import statements as st
from brief.data import load
from brief.sections import humanitarian, rationales


def real():
    return st.mark_evidence(load("statements"), load("claims")), load("themes")


def statement(sid, attribution="named", verified="yes", claim_id="", country="EE", themes="threat_environment", stance="supports"):
    return {"statement_id": sid, "attribution": attribution, "verified": verified, "claim_id": claim_id, "country": country,
            "themes": themes, "stance": stance, "speaker_type": "government", "speaker": sid, "source_id": "s", "quote": "", "paraphrase": "p", "role": "", "date": ""}


CLAIMS = pd.DataFrame({"claim_id": ["C1", "C2", "C3"], "verdict": ["unverifiable", "correct", "false"]})


def test_only_named_verified_statements_not_discounted_by_the_ledger_count():
    frame = pd.DataFrame([statement("a"), statement("b", attribution="anonymous"), statement("c", attribution="generic"),
                          statement("d", verified="no"), statement("e", claim_id="C1"), statement("f", claim_id="C2"),
                          statement("g", claim_id="C3"), statement("h", attribution="composite")])
    marked = st.mark_evidence(frame, CLAIMS)
    assert list(marked.loc[marked["counted"], "statement_id"]) == ["a", "f"]
    labels = dict(zip(marked["statement_id"], marked.apply(st.standing, axis=1)))
    assert labels["a"] == "" and labels["f"] == ""
    assert labels["b"].startswith("anonymous attribution") and labels["h"].startswith("composite attribution")
    assert "outside the reporting article" in labels["d"]
    assert "ledger" in labels["e"] and "ledger" in labels["g"]


def test_a_joint_statement_counts_once_in_the_facts_and_for_each_signatory_in_the_chart():
    themes = pd.DataFrame({"theme": ["threat_environment"], "family": ["rationale"], "label": ["Threat"], "definition": ["d"]})
    frame = st.mark_evidence(pd.DataFrame([statement("joint", country="EE;LV"), statement("solo", country="EE"), statement("anon", attribution="anonymous")]), CLAIMS)
    facts = rationales.facts(frame, themes, ("EE", "LV"))
    assert facts.statements == 2 and facts.not_counted == 1
    assert facts.top_themes[0].count == 2
    long = st.explode_themes(frame, themes)
    matrix = rationales.theme_matrix(long, ("EE", "LV"))
    assert matrix.loc["Threat"].to_dict() == {"EE": 2, "LV": 1}
    assert rationales.joint_cells(long) == {("Threat", "EE"), ("Threat", "LV")}


def test_explode_themes_counts_joint_statements_for_each_signatory():
    statements, themes = real()
    long = st.explode_themes(statements, themes)
    joint = statements[statements["country"].str.contains(";")].iloc[0]
    signatories = joint["country"].split(";")
    rows = long[long["statement_id"] == joint["statement_id"]]
    assert set(rows["speaker_country"]) == set(signatories)
    assert len(rows) == len(signatories) * len(joint["themes"].split(";"))


def test_theme_matrix_only_rationale_themes_of_chosen_countries():
    statements, themes = real()
    long = st.explode_themes(statements, themes)
    matrix = rationales.theme_matrix(long, ("FI", "PL"))
    assert list(matrix.columns) == ["FI", "PL"]
    rationale_labels = set(themes.loc[themes["family"] == "rationale", "label"])
    assert set(matrix.index) <= rationale_labels
    expected = long[(long["family"] == "rationale") & (long["speaker_country"] == "FI") & (long["label"] == matrix.index[0]) & long["counted"]]["statement_id"].nunique()
    assert matrix.iloc[0]["FI"] == expected
    assert list(matrix.sum(axis=1)) == sorted(matrix.sum(axis=1), reverse=True)


def test_representative_quote_is_verbatim_and_counts_as_evidence():
    statements, themes = real()
    long = st.explode_themes(statements, themes)
    chosen = rationales.representative(long, "threat_environment")
    assert len(chosen["quote"]) >= st.MIN_QUOTE_CHARS
    assert chosen["counted"] and chosen["attribution"] == "named"


def test_no_representative_when_only_uncounted_statements_carry_the_theme():
    themes = pd.DataFrame({"theme": ["threat_environment"], "family": ["rationale"], "label": ["Threat"], "definition": ["d"]})
    frame = st.mark_evidence(pd.DataFrame([statement("anon", attribution="anonymous")]), CLAIMS)
    assert rationales.representative(st.explode_themes(frame, themes), "threat_environment") is None


def test_paraphrase_is_marked_and_text_escaped():
    s = pd.Series({"quote": "", "paraphrase": "<b>bold</b> claim", "speaker": "A", "role": "", "date": ""})
    html = st.statement_text(s)
    assert "Paraphrase:" in html and "&lt;b&gt;" in html


def casualty_rows(*rows):
    frame = pd.DataFrame(rows, columns=["year", "casualties", "killed", "civilian_share_pct", "child_share_pct", "source_id", "monitor_edition"])
    frame["killed"] = frame["killed"].astype("Int64")
    return frame


def test_latest_change_of_casualties():
    change = humanitarian.latest_change(casualty_rows(
        (2021, 5544, 2182, 81.0, None, "lm21", "LM 2022"),
        (2022, 4710, 1661, 85.0, None, "lm22;copy", "LM 2023"),
        (2023, 5757, 1983, 84.0, 37.0, "lm23", "LM 2024"),
    ))
    assert (change.year, change.casualties, change.previous_year, change.previous) == (2023, 5757, 2022, 4710)
    assert change.change_pct == 22.2 and change.highest_since is None  # no earlier year was higher
    assert change.source_id == "lm23" and change.edition == "LM 2024"


def test_latest_change_needs_two_years():
    assert humanitarian.latest_change(casualty_rows((2023, 5757, 1983, 84.0, 37.0, "lm23", "LM 2024"))) is None


def test_casualty_claims_reported_as_deaths_are_found():
    claims = pd.DataFrame([
        {"claim": "4,710 deaths were recorded in 2022", "verdict": "false", "source_id": "corpus-x"},
        {"claim": "4,710 casualties in 2022", "verdict": "correct", "source_id": "corpus-y"},
    ])
    found = humanitarian.totals_reported_as_deaths(casualty_rows((2022, 4710, 1661, 85.0, None, "lm22", "LM 2023")), claims)
    assert found == [{"year": 2022, "total": 4710, "killed": 1661, "source_id": "lm22", "claim_source": "corpus-x"}]


def test_states_parties_facts_report_the_first_contraction():
    def parties(*rows):
        frame = pd.DataFrame(rows, columns=["date", "states_parties", "derived", "source_id"])
        frame["date_value"] = frame["date"].map(dt.date.fromisoformat)
        return frame

    grown = parties(("2024-01-01", 164, "no", "a"), ("2025-06-25", 166, "no", "b;c"))
    peak, last, contraction = humanitarian.parties_facts(grown)
    assert (peak.count, last.count, contraction) == (166, 166, None) and peak.source_id == "b"
    shrunk = parties(("2024-01-01", 164, "no", "a"), ("2025-06-25", 166, "no", "b"), ("2025-12-27", 163, "yes", "d"), ("2026-02-20", 161, "yes", "e"))
    peak, last, contraction = humanitarian.parties_facts(shrunk)
    assert (peak.count, last.count, last.derived, contraction) == (166, 161, True, dt.date(2025, 12, 27))
    assert humanitarian.parties_facts(shrunk.iloc[0:0]) == (None, None, None)


def test_framing_counts_follow_the_dictionary(tmp_path):
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "a.txt").write_text("Security threats and NATO deterrence. Civilians were injured.", encoding="utf-8")
    sources = pd.DataFrame([{"source_id": "a", "publisher": "ERR", "published": "2025-03-18", "title": "A", "text_file": "a.txt"}])
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


BORDERS = pd.DataFrame(
    [
        ("A-RU-f", "EE", "russia", "factbook", 324.0, "not stated", "f", ""),
        ("A-RU-n", "EE", "russia", "national", 338.6, "land, river and lake", "n1;n2", ""),
        ("B-KA-f", "PL", "kaliningrad", "factbook", 209.0, "not stated", "f", ""),
        ("B-BY-f", "PL", "belarus", "factbook", 375.0, "not stated", "f", "no national figure found"),
        ("B-BY-n", "PL", "belarus", "national", 418.0, "land and river", "n3", ""),
    ],
    columns=["border_id", "country", "neighbour", "measure", "km", "covers", "source_ids", "notes"],
)


def test_the_border_chart_uses_one_measure_for_every_state():
    lengths = rationales.border_lengths(BORDERS, ("EE", "PL"))
    assert lengths.loc["EE"].to_dict() == {"russia": 324.0, "kaliningrad": 0.0, "belarus": 0.0}
    assert lengths.loc["PL"].sum() == 209.0 + 375.0  # the national 418 is not mixed in
    _, data, title = rationales.border_chart(BORDERS, ("EE", "PL"))
    assert title == "Poland has the longest border with Russia and Belarus: 584 km"
    assert list(data["total_km"]) == [324.0, 584.0]


def test_the_borders_table_gives_both_measures_and_what_the_national_one_covers():
    html = rationales.borders_table_html(BORDERS, ("EE", "PL"), caption="c", source="s")
    rows = [r for r in html.split("<tr>")[2:]]
    assert "324" in rows[0] and "338.6" in rows[0] and "land, river and lake" in rows[0] and rows[0].count('class="cite"') == 3
    assert "209" in rows[1] and "not found" in rows[1]
    assert "418" in rows[2]


def test_the_theme_chart_of_a_state_with_no_statements_says_so():
    fig, data, title = rationales.theme_matrix_chart(pd.DataFrame(columns=["EE"]))
    assert title == "No rationale statements recorded" and data.empty


def test_no_statements_known_yet_keeps_the_columns_a_section_needs():
    empty = st.mark_evidence(pd.DataFrame([statement("x")]).iloc[0:0], CLAIMS)
    own = st.from_countries(empty, ("EE",))
    assert "counted" in own.columns and own.empty
    themes = pd.DataFrame({"theme": ["threat_environment"], "family": ["rationale"], "label": ["Threat"], "definition": ["d"]})
    assert rationales.facts(empty, themes, ("EE",)).statements == 0


def test_a_state_without_statements_still_gets_a_long_frame_that_selects_rows():
    themes = pd.DataFrame({"theme": ["threat_environment"], "family": ["rationale"], "label": ["Threat"], "definition": ["d"]})
    empty = st.mark_evidence(pd.DataFrame([statement("x")]).iloc[0:0], CLAIMS)
    long = st.explode_themes(empty, themes)
    assert long[long["counted"]].empty and "statement_id" in long[long["counted"]].columns
