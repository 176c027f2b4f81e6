"""Typed SQLAlchemy 2 models of the operational database, one module per domain.

Importing this package registers every table on `Base.metadata` (Alembic's target).
"""

from streetlight.db.enums import Dress, OfficerStatus, Role
from streetlight.db.models.audit import GENESIS_HASH, AuditEntry
from streetlight.db.models.base import Base
from streetlight.db.models.limits import RateLimitHit, RateLimitSalt
from streetlight.db.models.officers import Duty, Officer
from streetlight.db.models.staff import StaffSession, StaffUser

__all__ = [
    "GENESIS_HASH",
    "AuditEntry",
    "Base",
    "Dress",
    "Duty",
    "Officer",
    "OfficerStatus",
    "RateLimitHit",
    "RateLimitSalt",
    "Role",
    "StaffSession",
    "StaffUser",
]
