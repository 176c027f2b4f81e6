"""The words the unit's pages use for the casework's codes: roles, statuses, kinds, the board's
actions and the audit log's actions (English ids, French in the catalogue)."""

from __future__ import annotations

from streetlight.db.enums import (
    BailAuthority,
    BailKind,
    LinkageDecision,
    ListDecision,
    OrderKind,
    PersonRole,
    Relationship,
    ReviewDecision,
    SafeguardingStatus,
    Sex,
    TaskKind,
    TaskStatus,
)
from streetlight.unit import audit
from streetlight.unit.access import REFUSED, VIEW
from streetlight.unit.casework import BoardAction, BoardState, EventKind
from streetlight.unit.listing import Standing
from streetlight.web.core.i18n import N_

PERSON_ROLES: dict[str, str] = {
    PersonRole.SUSPECT: N_("suspect"),
    PersonRole.VICTIM: N_("victim"),
    PersonRole.WITNESS: N_("witness"),
}
SAFEGUARDING: dict[str, str] = {
    SafeguardingStatus.UNASSESSED: N_("not yet assessed"),
    SafeguardingStatus.ACTION_NEEDED: N_("action needed"),
    SafeguardingStatus.IN_PLACE: N_("in place"),
    SafeguardingStatus.DECLINED: N_("support declined"),
    SafeguardingStatus.CLOSED: N_("closed"),
}
RELATIONSHIPS: dict[str, str] = {
    Relationship.PARTNER: N_("partner"),
    Relationship.EX_PARTNER: N_("ex-partner"),
    Relationship.FAMILY: N_("family"),
    Relationship.ACQUAINTANCE: N_("acquaintance"),
    Relationship.STRANGER: N_("stranger"),
    Relationship.UNKNOWN: N_("relationship not known"),
}
SEXES: dict[str, str] = {
    Sex.FEMALE: N_("female"),
    Sex.MALE: N_("male"),
    Sex.UNKNOWN: N_("not recorded"),
}
TASK_KINDS: dict[str, str] = {
    TaskKind.ARREST: N_("Arrest"),
    TaskKind.SAFEGUARD_VICTIM: N_("Safeguard the victim"),
    TaskKind.APPLY_FOR_ORDER: N_("Apply for an order"),
    TaskKind.REVIEW_BAIL: N_("Review bail"),
    TaskKind.INTERVIEW: N_("Interview"),
    TaskKind.OTHER: N_("Other task"),
}
TASK_STATUSES: dict[str, str] = {
    TaskStatus.OPEN: N_("open"),
    TaskStatus.IN_PROGRESS: N_("in progress"),
    TaskStatus.DONE: N_("done"),
    TaskStatus.CANCELLED: N_("cancelled"),
}
BAIL_KINDS: dict[str, str] = {
    BailKind.PRE_CHARGE_BAIL: N_("Pre-charge bail"),
    BailKind.RELEASED_UNDER_INVESTIGATION: N_("Released under investigation"),
}
AUTHORITIES: dict[str, str] = {
    BailAuthority.INSPECTOR: N_("an inspector"),
    BailAuthority.SUPERINTENDENT: N_("a superintendent"),
    BailAuthority.ASSISTANT_CHIEF_CONSTABLE: N_("an assistant chief constable or commander"),
    BailAuthority.MAGISTRATES_COURT: N_("a magistrates' court"),
}
ORDER_KINDS: dict[str, str] = {
    OrderKind.DVPN: N_("Domestic violence protection notice"),
    OrderKind.DVPO: N_("Domestic violence protection order"),
    OrderKind.NON_MOLESTATION: N_("Non-molestation order"),
    OrderKind.RESTRAINING: N_("Restraining order"),
    OrderKind.STALKING_PROTECTION: N_("Stalking protection order"),
    OrderKind.SEXUAL_HARM_PREVENTION: N_("Sexual harm prevention order"),
}
REVIEW_DECISIONS: dict[str, str] = {
    ReviewDecision.RETAIN: N_("retain"),
    ReviewDecision.ERASE: N_("erase"),
}
EVENTS: dict[str, str] = {
    EventKind.OFFENCE: N_("Offence"),
    EventKind.ARREST: N_("Arrest"),
    EventKind.CHARGE: N_("Charged"),
    EventKind.OUTCOME: N_("Outcome"),
    EventKind.BAIL: N_("Bail"),
    EventKind.ORDER: N_("Order"),
    EventKind.BREACH: N_("Order breached"),
    EventKind.REVIEW: N_("Review"),
}
BOARD_STATES: dict[str, str] = {
    BoardState.BREACHED: N_("Breached"),
    BoardState.LAPSED: N_("Lapsed without a decision"),
    BoardState.EXPIRING: N_("Ending within 14 days"),
}
# What each item on the board needs, with the law it comes from. `{date}` is the day it ends or
# ended, `{authority}` who may authorise further bail.
BOARD_ACTIONS: dict[str, str] = {
    BoardAction.DECIDE_BAIL: N_(
        "Bail ends on {date}: charge, or ask {authority} to extend it before then (PACE "
        "s47ZD-ZG); otherwise record release under investigation or no further action."
    ),
    BoardAction.BAIL_LAPSED: N_(
        "Bail ended on {date} with no decision recorded: record the charge, further bail or "
        "release under investigation, and tell the victim."
    ),
    BoardAction.APPLY_FOR_DVPO: N_(
        "The notice ends on {date}: a DVPO application must be heard before then (Crime and "
        "Security Act 2010 s27)."
    ),
    BoardAction.AFTER_DVPO: N_(
        "The DVPO ends on {date}: with the victim, consider a non-molestation order or other "
        "longer protection."
    ),
    BoardAction.RENEW_ORDER: N_(
        "The order ends on {date}: ask the protected person whether to apply to renew or vary it."
    ),
    BoardAction.DVPN_LAPSED: N_(
        "The notice ended on {date} with no DVPO after it: record why, and check the victim's "
        "safety."
    ),
    BoardAction.ORDER_LAPSED: N_(
        "The order ended on {date} with no order after it: check the protected person's "
        "safety and record whether a new order is needed."
    ),
    BoardAction.BREACH_DVPO: N_(
        "Breached on {date}: arrest; the person must be brought before a magistrates' court "
        "within 24 hours (Crime and Security Act 2010 s26 and s29)."
    ),
    BoardAction.BREACH_OFFENCE: N_(
        "Breached on {date}: breaching this order is a criminal offence; record it, arrest "
        "and tell the protected person."
    ),
}
VICTIM_VIEWS = N_("The victim's views on bail conditions have not been recorded: seek them.")
AUDIT_ACTIONS: dict[str, str] = {
    audit.IMPORT: N_("import"),
    audit.CONSULT: N_("consultation"),
    audit.ALTER: N_("alteration"),
    audit.DISCLOSE: N_("disclosure"),
    audit.REVIEW: N_("review"),
    audit.ERASE: N_("erasure"),
    audit.REFRESH: N_("list refreshed"),
    VIEW: N_("list viewed"),
    REFUSED: N_("refused"),
}
LIST_DECISIONS: dict[str, str] = {
    ListDecision.ADOPT: N_("adopt"),
    ListDecision.NOT_NOW: N_("not now"),
    ListDecision.REMOVE: N_("remove"),
}
STANDINGS: dict[str, str] = {
    Standing.NEEDS_DECISION: N_("needs a decision"),
    Standing.ADOPT: N_("adopted"),
    Standing.NOT_NOW: N_("not now"),
    Standing.REMOVE: N_("removed"),
}
METHODS: dict[str, str] = {
    "v100": N_("V100: summed harm (CCHI days) of VAWG allegations, 365 days"),
    "rfgv": N_("RFGV: recency, frequency, gravity and victims of domestic abuse, 3 years"),
    "count": N_("Count of VAWG allegations, 365 days (for comparison)"),
    "recent": N_("Most recent VAWG allegation, 365 days (for comparison)"),
}
LINKAGE_DECISIONS: dict[str, str] = {
    LinkageDecision.ACCEPT: N_("accepted for investigation"),
    LinkageDecision.REJECT: N_("rejected"),
}
# `streetlight.linkage.explain.strength_words`: the strength of a log Bayes factor.
STRENGTHS: dict[str, str] = {
    "against a link": N_("against a link"),
    "weak": N_("weak"),
    "positive": N_("positive"),
    "strong": N_("strong"),
    "very strong": N_("very strong"),
}
