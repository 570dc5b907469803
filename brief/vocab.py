"""Controlled vocabularies of the data contract (colours live with the chart style, in brief.figures)."""

# ISO 3166-1 alpha-2 codes used in the data; XX is multilateral / treaty-wide.
COUNTRY_NAMES = {
    "EE": "Estonia",
    "LV": "Latvia",
    "LT": "Lithuania",
    "FI": "Finland",
    "PL": "Poland",
    "UA": "Ukraine",
    "RU": "Russia",
    "BY": "Belarus",
    "NO": "Norway",
    "NZ": "New Zealand",
    "GB": "United Kingdom",
    "US": "United States",
    "XX": "Multilateral",
}

# The five withdrawing states, in the order the brief lists them (north to south, then Finland last-announced).
WITHDRAWING_STATES = ("EE", "LV", "LT", "FI", "PL")

# Stages of a withdrawal, in the order they can happen.
STAGES = (
    "announcement",
    "government_decision",
    "parliament_vote",
    "senate_vote",
    "head_of_state_signature",
    "un_deposit",
    "withdrawal_effective",
)
# Treaty-wide milestones (country XX), kept apart from the withdrawal stages.
TREATY_STAGES = (
    "treaty_adoption",
    "treaty_signature_opening",
    "treaty_entry_into_force",
    "meeting_of_states_parties",
)
# What a withdrawing state did once it had decided to leave: drawn as their own marks in the timeline.
FOLLOW_UP_STAGES = (
    "production_decision",
    "procurement",
    "deployment_plan",
)
# Context a reader needs, kept apart from the steps of the withdrawal (not drawn in the timeline).
CONTEXT_STAGES = (
    "military_statement",
    "domestic_review",
    "anti_tank_mines",
    "cluster_munitions_withdrawal",
)
# How the treaty community answered (country XX).
RESPONSE_STAGES = (
    "objection",
    "monitor_report",
    "civil_society_statement",
)
ALL_STAGES = STAGES + TREATY_STAGES + FOLLOW_UP_STAGES + CONTEXT_STAGES + RESPONSE_STAGES

STAGE_LABELS = {
    "announcement": "Announcement",
    "government_decision": "Government decision",
    "parliament_vote": "Parliament vote",
    "senate_vote": "Senate vote",
    "head_of_state_signature": "Head of state signs",
    "un_deposit": "Deposit with UN",
    "withdrawal_effective": "Withdrawal in effect",
    "production_decision": "Production plan",
    "procurement": "Procurement step",
    "deployment_plan": "Deployment plan",
    "military_statement": "Military leader's view",
    "domestic_review": "Domestic review",
    "anti_tank_mines": "Anti-tank mines (not banned)",
    "cluster_munitions_withdrawal": "Cluster munitions convention",
    "treaty_adoption": "Treaty adopted",
    "treaty_signature_opening": "Opened for signature",
    "treaty_entry_into_force": "Treaty in force",
    "meeting_of_states_parties": "Meeting of the States Parties",
    "objection": "Objection",
    "monitor_report": "Landmine Monitor",
    "civil_society_statement": "Civil-society statement",
}
STAGE_DEFINITIONS = {
    "production_decision": "a decision, plan or talks to produce anti-personnel mines, or money given to a producer for them",
    "procurement": "a step towards acquiring anti-personnel mines: an announced acquisition, market consultation, order or training with them",
    "deployment_plan": "a stated plan for where, when or how fast anti-personnel mines would be laid",
    "military_statement": "a serving or former military leader's public view of leaving the Convention or of the mines' value",
    "domestic_review": "a review inside the state: a legal opinion, a cabinet or parliamentary change to the reasoning",
    "anti_tank_mines": "a step concerning anti-tank mines, which the Convention does not ban; kept apart so it is not read as an anti-personnel step",
    "cluster_munitions_withdrawal": "a step of Lithuania's withdrawal from the Convention on Cluster Munitions",
    "objection": "a State Party's formal objection, or a report of objections, to Ukraine's 'suspension'",
    "monitor_report": "a finding of the annual Landmine Monitor report",
    "civil_society_statement": "a public statement by campaign coalitions or non-governmental organisations",
}

# Status of a state's withdrawal on a given date, from the last stage reached.
STATUS_BY_STAGE = {
    "announcement": "announced",
    "government_decision": "announced",
    "parliament_vote": "approved",
    "senate_vote": "approved",
    "head_of_state_signature": "approved",
    "un_deposit": "deposited",
    "withdrawal_effective": "in effect",
}
STATUSES = ("not started", "announced", "approved", "deposited", "in effect")

DATE_PRECISIONS = ("day", "month", "year")
STANCES = ("supports", "skeptical", "opposes", "neutral")
SPEAKER_TYPES = (
    "government",
    "military",
    "parliament",
    "analyst",
    "campaigner",
    "international_org",
    "media",
)
THEME_FAMILIES = ("rationale", "criticism")
# Who a statement is attributed to. Only named statements found outside the reporting article count as evidence.
ATTRIBUTIONS = {
    "named": "a named person, or a named institution speaking officially",
    "anonymous": "an unnamed individual or spokesperson",
    "generic": "a collective or vague source ('officials', 'analysts'), or the article's own summary",
    "composite": "an article's merger of several speakers' statements (its parts are recorded separately)",
}
YES_NO = ("yes", "no")
# Land borders of the withdrawing states (borders.csv).
NEIGHBOURS = {"russia": "mainland Russia", "kaliningrad": "Russia's Kaliningrad region", "belarus": "Belarus"}
# Column headers of the data shown under each chart ("Show data") and in its CSV, where a column's
# name does not read as a header once its underscores are spaces (brief.figures.column_label).
COLUMN_LABELS = {
    "source_id": "Source",
    "states_parties": "States Parties",
    "unknown_status": "Status unknown",
    "monitor_edition": "Landmine Monitor edition",
    "derived": "Derived from the withdrawals",
    **{key: label[:1].upper() + label[1:] for key, label in NEIGHBOURS.items()},
}
BORDER_MEASURES = {
    "factbook": "the CIA World Factbook's final edition: one source for every state, the measure the chart uses",
    "national": "the state's own figure (ministry, border guard, land survey)",
}
VERDICTS = ("correct", "false", "misleading", "disputed", "unverifiable")
SOURCE_KINDS = (
    "corpus_article",
    "news",
    "official",
    "un_depositary",
    "monitor_report",
    "ngo",
    "treaty_text",
    "reference",
)

# Separator for lists inside one CSV cell.
LIST_SEP = ";"
