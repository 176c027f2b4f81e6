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


class OfficerStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Dress(enum.StrEnum):
    """How an officer on duty is dressed: what the public can see."""

    UNIFORM = "uniform"
    PLAIN_CLOTHES = "plain_clothes"
