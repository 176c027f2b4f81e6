"""The append-only, hash-chained audit log.

Each row stores `hash = sha256(prev_hash + canonical JSON of the row)`, and `prev_hash` is the hash
of the row before it (64 zeros for the first). Editing or deleting any row breaks the chain at that
point (`streetlight.db.audit.verify_chain`). Database triggers also refuse UPDATE and DELETE, so
only someone who bypasses the application and drops them can tamper, and the chain shows it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from streetlight.db.models.base import Base
from streetlight.db.types import UTCDateTime

GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    """Who did what to what, when. `details` is canonical JSON text (sorted keys, no spaces)."""

    __tablename__ = "audit_log"

    # Ids are assigned by `append` (last id + 1) under a lock, so the hash can cover the id.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[str] = mapped_column(Text, default="{}")
    # Unique: two writers that raced for the same predecessor cannot both land (a fork).
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)
