"""The operational database's enumerations, apart from the models so that the command line can
offer them as choices without importing SQLAlchemy (which would slow every `streetlight` call)."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """What a staff member may do; routes name the roles they accept (deny by default)."""

    OFFICER = "officer"
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    # Moderates public reports and reads the perception layer; sees exact report locations.
    ANALYST = "analyst"
    # Offender units (Data Protection Act 2018 Part 3 processing): officers work the people on
    # their caseload, supervisors the whole unit's; the auditor reads the access log (who
    # consulted, altered, disclosed or erased what, and why) but no case content.
    UNIT_OFFICER = "unit_officer"
    UNIT_SUPERVISOR = "unit_supervisor"
    AUDITOR = "auditor"


class OfficerStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Dress(enum.StrEnum):
    """How an officer on duty is dressed: what the public can see."""

    UNIFORM = "uniform"
    PLAIN_CLOTHES = "plain_clothes"


class EngagementReason(enum.StrEnum):
    """Why an officer engages someone: what the public is told the stop is for."""

    STOP = "stop"
    SEARCH = "search"
    ARREST = "arrest"
    WELFARE = "welfare"
    WITNESS = "witness"
    OTHER = "other"


class EngagementStatus(enum.StrEnum):
    """The control room's view of an engagement: new until an operator confirms or flags it."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    FLAGGED = "flagged"


class BackupStatus(enum.StrEnum):
    """A backup request: a uniformed unit is `assigned` (on its way), or nobody was free
    (`unassigned`: the operator must dispatch by radio), then `arrived` or `cancelled`."""

    ASSIGNED = "assigned"
    UNASSIGNED = "unassigned"
    ARRIVED = "arrived"
    CANCELLED = "cancelled"


class VerificationOutcome(enum.StrEnum):
    """What a public verification found. Only `verified` is ever shown as such; every other
    outcome gives the public the same "cannot confirm" answer, and the operator the reason."""

    VERIFIED = "verified"
    UNKNOWN_OFFICER = "unknown_officer"
    OFF_DUTY = "off_duty"
    SUSPENDED = "suspended"
    NO_ENGAGEMENT = "no_engagement"
    WRONG_CODE = "wrong_code"
    EXPIRED_CODE = "expired_code"
    USED_CODE = "used_code"
    LIMITED = "limited"
    ERROR = "error"


# Public reports: what a report can say, as the database stores it (the codes and words built on
# them are `streetlight.reports.categories`, which re-exports these).


class Factor(enum.StrEnum):
    """One thing that made someone feel unsafe; a report names one or more."""

    # The environment
    POOR_LIGHTING = "poor_lighting"
    ISOLATED = "isolated"
    NO_CCTV = "no_cctv"
    HIDDEN_CORNERS = "hidden_corners"
    POOR_LAYOUT = "poor_layout"
    # Behaviour
    VERBAL_HARASSMENT = "verbal_harassment"
    FOLLOWED = "followed"
    INDECENT_EXPOSURE = "indecent_exposure"
    INTIMIDATING_GROUP = "intimidating_group"
    UNWANTED_TOUCHING = "unwanted_touching"
    OTHER = "other"


ENVIRONMENT: tuple[Factor, ...] = (
    Factor.POOR_LIGHTING,
    Factor.ISOLATED,
    Factor.NO_CCTV,
    Factor.HIDDEN_CORNERS,
    Factor.POOR_LAYOUT,
)
BEHAVIOUR: tuple[Factor, ...] = (
    Factor.VERBAL_HARASSMENT,
    Factor.FOLLOWED,
    Factor.INDECENT_EXPOSURE,
    Factor.INTIMIDATING_GROUP,
    Factor.UNWANTED_TOUCHING,
    Factor.OTHER,
)
FACTORS: tuple[Factor, ...] = ENVIRONMENT + BEHAVIOUR


class AuditFactor(enum.StrEnum):
    """The women's safety audit's seven scores, each 1 (very poor) to 5 (very good)."""

    LIGHTING = "lighting"
    OPENNESS = "openness"
    VISIBILITY = "visibility"
    PEOPLE = "people"
    SECURITY = "security"
    WALKWAY = "walkway"
    TRANSPORT = "transport"


AUDIT_FACTORS: tuple[AuditFactor, ...] = tuple(AuditFactor)
SCORE_MIN, SCORE_MAX = 1, 5

# Times are only ever kept as a date and one of eight three-hour bands: finer times add little to
# patrol planning and make a report easier to link to a person.
BAND_HOURS = 3
N_BANDS = 24 // BAND_HOURS
TIME_BANDS: tuple[int, ...] = tuple(range(N_BANDS))


class ReportStatus(enum.StrEnum):
    """Where a report is in moderation. Only `accepted` reports feed the analysis and the public
    counts; `merged` ones point at the report they duplicate; `rejected` ones were spam."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    MERGED = "merged"
    REJECTED = "rejected"


# Offender units (predatory offender casework): the vocabulary the extract, the database and the
# pages share. Values are what the database stores and the extract's mapping produces.


class PersonRole(enum.StrEnum):
    """A person's part in an offence."""

    SUSPECT = "suspect"
    VICTIM = "victim"
    WITNESS = "witness"


class Relationship(enum.StrEnum):
    """The suspect's relationship to the victim, as the crime report records it."""

    PARTNER = "partner"
    EX_PARTNER = "ex_partner"
    FAMILY = "family"
    ACQUAINTANCE = "acquaintance"
    STRANGER = "stranger"
    UNKNOWN = "unknown"


class BailKind(enum.StrEnum):
    """Pre-charge bail (with conditions and an expiry, Police and Criminal Evidence Act 1984
    s47ZA-ZM) or release under investigation (no conditions, no fixed end)."""

    PRE_CHARGE_BAIL = "pre_charge_bail"
    RELEASED_UNDER_INVESTIGATION = "rui"


class BailAuthority(enum.StrEnum):
    """Who authorised the bail period: initial 3 months an inspector, to 6 months a
    superintendent, to 9 months an assistant chief constable or commander, beyond a
    magistrates' court (PACE s47ZB-ZG, as amended by the Police, Crime, Sentencing and Courts
    Act 2022)."""

    INSPECTOR = "inspector"
    SUPERINTENDENT = "superintendent"
    ASSISTANT_CHIEF_CONSTABLE = "acc"
    MAGISTRATES_COURT = "court"


# The longest bail period, in months, each authority may set.
BAIL_MONTHS: dict[BailAuthority, int | None] = {
    BailAuthority.INSPECTOR: 3,
    BailAuthority.SUPERINTENDENT: 6,
    BailAuthority.ASSISTANT_CHIEF_CONSTABLE: 9,
    BailAuthority.MAGISTRATES_COURT: None,
}


class OrderKind(enum.StrEnum):
    """Protective orders a unit tracks."""

    DVPN = "dvpn"  # domestic violence protection notice (up to 48 hours)
    DVPO = "dvpo"  # domestic violence protection order (14 to 28 days)
    NON_MOLESTATION = "non_molestation"
    RESTRAINING = "restraining"
    STALKING_PROTECTION = "stalking_protection"
    SEXUAL_HARM_PREVENTION = "sexual_harm_prevention"


class Sex(enum.StrEnum):
    """Sex as the force records it."""

    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


# The longest a protective order of these kinds may run, in days from its start date: a DVPN
# lasts until the DVPO application is heard, within 48 hours, and a DVPO 14 to 28 days (Crime and
# Security Act 2010, ss24-28). The other orders run as long as the court sets.
ORDER_MAX_DAYS: dict[OrderKind, int] = {OrderKind.DVPN: 2, OrderKind.DVPO: 28}


class SafeguardingStatus(enum.StrEnum):
    """Where a victim's safeguarding stands, on the victim's link to an offence: `unassessed`
    until someone looks, then `action_needed` (a referral or measure is due), `in_place`,
    `declined` (the victim declined support) or `closed`."""

    UNASSESSED = "unassessed"
    ACTION_NEEDED = "action_needed"
    IN_PLACE = "in_place"
    DECLINED = "declined"
    CLOSED = "closed"


class TaskKind(enum.StrEnum):
    """What a unit task asks of the staff member it is assigned to."""

    ARREST = "arrest"
    SAFEGUARD_VICTIM = "safeguard_victim"
    APPLY_FOR_ORDER = "apply_for_order"
    REVIEW_BAIL = "review_bail"
    INTERVIEW = "interview"
    OTHER = "other"


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class ReviewDecision(enum.StrEnum):
    """A recorded decision at a person's review date: keep the record until the next review, or
    erase it (Data Protection Act 2018 s39 and s47: kept no longer than necessary)."""

    RETAIN = "retain"
    ERASE = "erase"


class ListDecision(enum.StrEnum):
    """A supervisor's decision about a person the harm ranking lists: the list is a prompt, and
    nobody is tasked from it until adopted (`streetlight.unit.listing`)."""

    ADOPT = "adopt"  # work them: tasks may now be created from the list
    NOT_NOW = "not_now"  # listed, but no action for now (the reason says why)
    REMOVE = "remove"  # off the list: a later refresh shows this decision beside them


class ConductContext(enum.StrEnum):
    """Where a conduct report is handled (`streetlight.conduct.routing`): reports made by the
    public, by staff, and the oversight context for reports about professional standards itself
    or that nobody else may receive."""

    PUBLIC = "public"
    STAFF = "staff"
    OVERSIGHT = "oversight"


class ConductStatus(enum.StrEnum):
    """A conduct report's handling, as the reporter reads it in words."""

    RECEIVED = "received"  # not yet acknowledged
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    WAITING_FOR_REPORTER = "waiting"  # a question to the reporter is unanswered
    CLOSED = "closed"


class ConductItemKind(enum.StrEnum):
    """What a sealed item of a conduct report is. Notes are the handlers' own, never shown to
    the reporter (and not wrapped for them)."""

    REPORT = "report"
    MESSAGE = "message"
    ATTACHMENT = "attachment"
    NOTE = "note"


class LinkageDecision(enum.StrEnum):
    """A reviewer's decision about an unsolved offence that crime linkage suggests may be a
    known person's (`streetlight.unit.linkage_casework`): a prompt to investigate, never
    evidence in itself."""

    ACCEPT = "accept"  # accepted for investigation
    REJECT = "reject"  # not to be pursued (the reason says why)
