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
