"""Typed SQLAlchemy 2 models of the operational database, one module per domain.

Importing this package registers every table on `Base.metadata` (Alembic's target).
"""

from streetlight.db.enums import (
    BackupStatus,
    Dress,
    EngagementReason,
    EngagementStatus,
    OfficerStatus,
    Role,
    VerificationOutcome,
)
from streetlight.db.models.audit import GENESIS_HASH, AuditEntry
from streetlight.db.models.base import Base
from streetlight.db.models.conduct import (
    ConductItem,
    ConductKey,
    ConductLink,
    ConductRecipient,
    ConductReminder,
    ConductReport,
    ConductRouting,
    OfficerLineManager,
)
from streetlight.db.models.limits import RateLimitHit, RateLimitSalt
from streetlight.db.models.officers import Duty, Officer
from streetlight.db.models.reports import PublicReport
from streetlight.db.models.staff import StaffSession, StaffUser
from streetlight.db.models.unit import (
    UnitArrest,
    UnitBail,
    UnitCaseload,
    UnitImport,
    UnitLink,
    UnitOffence,
    UnitOrder,
    UnitPerson,
    UnitQuarantine,
    UnitReview,
    UnitTask,
)
from streetlight.db.models.unit_linkage import UnitLinkageDecision
from streetlight.db.models.unit_list import UnitListDecision, UnitListEntry, UnitListRefresh
from streetlight.db.models.verify import (
    BackupRequest,
    Chat,
    ChatMessage,
    CheckTally,
    ConsoleEvent,
    Engagement,
    Verification,
    VerificationCode,
)
from streetlight.db.models.webauthn import (
    ChallengePurpose,
    StaffCredential,
    WebAuthnChallenge,
)

__all__ = [
    "GENESIS_HASH",
    "AuditEntry",
    "BackupRequest",
    "BackupStatus",
    "Base",
    "ChallengePurpose",
    "Chat",
    "ChatMessage",
    "CheckTally",
    "ConductItem",
    "ConductKey",
    "ConductLink",
    "ConductRecipient",
    "ConductReminder",
    "ConductReport",
    "ConductRouting",
    "ConsoleEvent",
    "Dress",
    "Duty",
    "Engagement",
    "EngagementReason",
    "EngagementStatus",
    "Officer",
    "OfficerLineManager",
    "OfficerStatus",
    "PublicReport",
    "RateLimitHit",
    "RateLimitSalt",
    "Role",
    "StaffCredential",
    "StaffSession",
    "StaffUser",
    "UnitArrest",
    "UnitBail",
    "UnitCaseload",
    "UnitImport",
    "UnitLink",
    "UnitLinkageDecision",
    "UnitListDecision",
    "UnitListEntry",
    "UnitListRefresh",
    "UnitOffence",
    "UnitOrder",
    "UnitPerson",
    "UnitQuarantine",
    "UnitReview",
    "UnitTask",
    "Verification",
    "VerificationCode",
    "VerificationOutcome",
    "WebAuthnChallenge",
]
