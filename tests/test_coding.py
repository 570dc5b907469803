"""Agreement between the two codings (Methods), on worked examples and small fixtures."""

from __future__ import annotations

import pandas as pd
import pytest

from brief.sections import methods


def test_kappa_matches_the_textbook_example():
    # 50 items: both yes 20, first yes / second no 5, first no / second yes 10, both no 15 -> po 0.7, pe 0.5, kappa 0.4
    first = ["yes"] * 25 + ["no"] * 25
    second = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert methods.cohen_kappa(first, second) == pytest.approx(0.4)


def test_kappa_is_one_for_full_agreement_zero_for_chance_and_undefined_without_variation():
    assert methods.cohen_kappa(["a", "b", "a"], ["a", "b", "a"]) == pytest.approx(1.0)
    assert methods.cohen_kappa(["a", "a", "b", "b"], ["a", "b", "a", "b"]) == pytest.approx(0.0)
    assert methods.cohen_kappa(["a", "a"], ["a", "a"]) is None
    assert methods.cohen_kappa([], []) is None


THEMES = pd.DataFrame({"theme": ["t1", "t2", "c1"], "family": ["rationale", "rationale", "criticism"], "label": ["T1", "T2", "C1"], "definition": ["", "", ""]})


def test_coding_facts_count_decisions_per_family_and_how_differences_were_settled():
    coding = pd.DataFrame(
        [
            ["s1", "supports", "t1", "supports", "t1", ""],
            ["s2", "supports", "t1;t2", "neutral", "t2", "kept second"],
            ["s3", "opposes", "c1", "opposes", "", "kept first"],
            ["s4", "opposes", "c1", "opposes", "c1", ""],
            ["gone", "opposes", "c1", "supports", "t1", ""],  # not known on the as-of date: left out
        ],
        columns=["statement_id", "stance_1", "themes_1", "stance_2", "themes_2", "settlement"],
    )
    settled = pd.DataFrame({"statement_id": ["s1", "s2", "s3", "s4"], "stance": ["supports", "neutral", "opposes", "opposes"], "themes": ["t1", "t2", "c1", "c1"]})
    facts = methods.coding_facts(coding, settled, THEMES)
    by = {a.measure: a for a in facts.agreements}
    assert facts.statements == 4
    assert (by["stance"].items, by["stance"].agreed) == (4, 3)
    assert (by["rationale"].items, by["rationale"].agreed) == (8, 7)  # 4 statements x 2 themes; s2 differs on t1
    assert (by["criticism"].items, by["criticism"].agreed) == (4, 3)
    assert (facts.disagreements, facts.kept_first, facts.kept_second, facts.other) == (2, 1, 1, 0)
