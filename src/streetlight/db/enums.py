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
