"""Sentences written in the notebooks: values are formatted and escaped, data never becomes markup or a citation."""

from __future__ import annotations

import datetime as dt

import pytest

from brief.engine import results
from brief.engine.render import expand_citation_keys
from brief.facts import FACTS_BY_SECTION, CasualtyChange, ChronologyFacts, CountryStatus
from brief.prose import Prose, cite_keys, fill


def test_format_specs_write_numbers_dates_lists_and_citations():
    text = fill(
        "{n:Word} state{n:s} ({total:n} rows) on {day:date}, from {month:date}: {names:and}{ids:cite}.",
        n=3, total=6279, day=dt.date(2025, 6, 27), month="2025-12", names=["Estonia", "Latvia", "Lithuania"], ids="a;b;c",
    )
    assert text == "Three states (6,279 rows) on 27 June 2025, from December 2025: Estonia, Latvia and Lithuania[@a; @b]."
    assert fill("{n:word} statement{n:s}", n=1) == "one statement"
    assert fill("{ids:cite-all}", ids=["a;b", "c"]) == "[@a; @b; @c]"
    assert fill("{t:lower}", t="Lawful use within IHL") == "lawful use within IHL"


@pytest.mark.parametrize(
    "value",
    ["[@no-such-source]", "$5 and $6", r"$\frac$", "<script>alert(1)</script>", "*bold* _it_", "- not a list", "1. not a list", "a | b"],
)
def test_data_is_text_never_markup_maths_or_a_citation(value):
    import mistune

    html = mistune.html(fill("Said: {v}", v=value))
    assert "<script" not in html and "<em>" not in html and "<li>" not in html and "<strong>" not in html
    assert expand_citation_keys(html) == html  # no citation marker is made from data
    from bs4 import BeautifulSoup

    assert BeautifulSoup(html, "html.parser").get_text().strip().replace("\u2060", "") == f"Said: {value}"


def test_direction_controls_from_data_are_removed():
    assert fill("{v}", v="abc\u202edef\u2066x") == "abcdefx"


def test_citation_keys_written_by_the_template_become_markers():
    html = expand_citation_keys(f"<p>Text{cite_keys('a;b')}</p>")
    assert html.count('class="cite"') == 2 and 'data-source="a"' in html


def test_cite_all_keeps_every_source_through_the_renderer():
    markdown = fill("Claim.{ids:cite-all}", ids=["a", "b", "c", "d"])
    assert markdown.endswith("[@a; @b; @c; @d]")
    assert expand_citation_keys(str(markdown)).count('class="cite"') == 4
    assert expand_citation_keys(str(fill("Claim.{ids:cite}", ids="a;b;c"))).count('class="cite"') == 2


def test_a_block_carries_its_style_and_edition():
    markdown, metadata = Prose("x", style="lead", edition="pdf")._repr_markdown_()
    assert markdown == "x" and metadata == {"class": "lead print-only"}
    with pytest.raises(ValueError):
        Prose("x", edition="word")


EXAMPLES = {
    "chronology": ChronologyFacts(
        as_of=dt.date(2025, 9, 1),
        countries=("EE",),
        statuses=(CountryStatus(country="EE", status="deposited", deposit_date=dt.date(2025, 6, 27), effective_date=dt.date(2025, 12, 27), source_ids=("s1",)),),
    ),
}


def test_facts_round_trip_through_the_recorded_json_with_their_types(tmp_path):
    facts = EXAMPLES["chronology"]
    results.record(tmp_path, "chronology", facts)
    back = results.read(tmp_path, "chronology")
    assert back == facts and isinstance(back.statuses[0].deposit_date, dt.date) and back.statuses[0].name == "Estonia"
    change = CasualtyChange(year=2024, casualties=6279, killed=1945, previous_year=2023, previous=5757, change_pct=9.1, highest_since=2020,
                            civilian_share_pct=90.0, child_share_pct=46.0, source_id="lm", edition="LM 2025")
    assert CasualtyChange.model_validate_json(change.model_dump_json()) == change
    with pytest.raises(TypeError):
        results.record(tmp_path, "claims", facts)  # each section records its own type
    with pytest.raises(FileNotFoundError, match="make brief"):
        results.read(tmp_path, "rationales")
    assert set(FACTS_BY_SECTION) >= {"chronology", "rationales", "humanitarian", "claims"}
