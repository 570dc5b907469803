"""The facts each section computes: frozen, typed, and recorded as JSON for the key findings and the outlook.

A section module computes its facts object; its notebook prints sentences from it and records it
last; the summary notebooks read it back with the same type (brief.engine.results). The types live
here, below the sections, because the section that writes them and the sections that read them
must not import each other.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from brief import vocab


class Facts(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------------------- chronology


class CountryStatus(Facts):
    """Where one state's withdrawal stood on the as-of date."""

    country: str
    status: str  # one of vocab.STATUSES
    last_stage: str | None = None
    last_date: dt.date | None = None
    deposit_date: dt.date | None = None
    effective_date: dt.date | None = None  # recorded if known by then, else derived from the deposit
    effective_recorded: bool = False
    source_ids: tuple[str, ...] = ()
    contested: bool = False  # Art. 20(3): no effect during an armed conflict

    @property
    def name(self) -> str:
        return vocab.COUNTRY_NAMES[self.country]


class Pace(Facts):
    """Days from a state's first announcement to its deposit with the UN."""

    country: str
    announced: dt.date
    deposited: dt.date
    days: int
    source_ids: tuple[str, ...]

    @property
    def name(self) -> str:
        return vocab.COUNTRY_NAMES[self.country]


class ChronologyFacts(Facts):
    as_of: dt.date
    countries: tuple[str, ...]
    statuses: tuple[CountryStatus, ...]
    pace: tuple[Pace, ...] = ()
    first_announcement: dt.date | None = None
    first_announcement_sources: tuple[str, ...] = ()
    steps_recorded: int = 0

    def with_status(self, *statuses: str) -> list[CountryStatus]:
        return [s for s in self.statuses if s.status in statuses]


# ---------------------------------------------------------------------------- after the withdrawals


class StageCount(Facts):
    stage: str
    label: str
    count: int


class AfterFacts(Facts):
    as_of: dt.date
    countries: tuple[str, ...]
    in_effect: tuple[str, ...]  # states whose withdrawal had taken effect
    steps: tuple[StageCount, ...]  # production, procurement and deployment steps
    states_with_steps: tuple[str, ...]
    anti_tank_steps: int
    latest_step: dt.date | None
    source_ids: tuple[str, ...]  # the first source of each state's latest step
    responses: int  # treaty-community events from June 2025 on


# ---------------------------------------------------------------------------- rationales


class ThemeCount(Facts):
    theme: str
    label: str
    count: int


class Speaker(Facts):
    speaker: str
    country: str
    source_id: str
    counted: bool = True  # False: shown but not counted as evidence (brief.statements.mark_evidence)


class RationaleFacts(Facts):
    countries: tuple[str, ...]
    statements: int  # counted: named and verified statements by speakers of these states
    not_counted: int  # shown but not counted: anonymous, generic or unverified
    stances: dict[str, int]
    speaker_types: dict[str, int]
    top_themes: tuple[ThemeCount, ...]
    skeptics: tuple[Speaker, ...]


# ---------------------------------------------------------------------------- humanitarian


class CasualtyChange(Facts):
    year: int
    casualties: int
    killed: int | None
    previous_year: int
    previous: int
    change_pct: float
    highest_since: int | None
    civilian_share_pct: float | None
    child_share_pct: float | None
    source_id: str
    edition: str


class PartiesCount(Facts):
    count: int
    date: dt.date
    source_id: str
    derived: bool


class CriticsFacts(Facts):
    count: int
    top_themes: tuple[ThemeCount, ...]
    kinds: dict[str, int]
    notable: tuple[str, ...]
    source_ids: tuple[str, ...]


class HumanitarianFacts(Facts):
    casualties: CasualtyChange | None
    parties_peak: PartiesCount | None
    parties_last: PartiesCount | None
    contraction_from: dt.date | None  # first date below the peak, if membership fell
    critics: CriticsFacts
    framed_articles: int
    security_led_articles: int


# ---------------------------------------------------------------------------- claims


class ClaimsFacts(Facts):
    claims: int
    articles: int
    verdicts: dict[str, int]
    dated_statements: int
    agreeing: int
    date_conflicts: int
    party_counts_found: int
    distinct_party_counts: int
    example_sources: tuple[str, ...]


# ---------------------------------------------------------------------------- methods


class RowCount(Facts):
    file: str
    rows: int


class Agreement(Facts):
    measure: str  # "stance" or a theme family
    items: int  # decisions compared: statements (stance) or statement x theme pairs (a family)
    agreed: int
    kappa: float | None  # Cohen's kappa; None when chance agreement is total


class CodingFacts(Facts):
    statements: int  # coded twice
    agreements: tuple[Agreement, ...]
    disagreements: int  # statements whose two codings differ in stance or themes
    kept_first: int  # settled as the first coder read them
    kept_second: int  # settled as the second coder read them
    other: int  # settled otherwise


class MethodsFacts(Facts):
    corpus_articles: int
    sources: int
    copy_addresses: int  # sources whose address is a copy, mirror or proxy
    coding: CodingFacts
    row_counts: tuple[RowCount, ...]
    theme_families: dict[str, int]
    first_edition: str
    last_edition: str


FACTS_BY_SECTION: dict[str, type[Facts]] = {
    "chronology": ChronologyFacts,
    "after": AfterFacts,
    "rationales": RationaleFacts,
    "humanitarian": HumanitarianFacts,
    "claims": ClaimsFacts,
    "methods": MethodsFacts,
}
