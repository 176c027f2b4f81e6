"""Conduct reports about officers: what the database holds, and what it cannot read.

Everything a reporter or a handler writes (the report, messages, notes, attachments) is a sealed
item (`streetlight.conduct.crypto`): its own key, wrapped once per reader in `conduct_keys` (a
recipient, or the reporter through their receipt code). What stays in clear is what routing,
joining up and the legal deadlines need, and nothing more (docs/conduct.md lists it): the
context, the officer the report concerns when the reporter named one, the status and its dates,
who handles it, the routing decisions with their reasons, handlers' links between reports, and
which reminders went out. No address, device or account of the reporter is stored anywhere.

Recipients are staff enrolled with a key pair for one context; the capability to read is the
key, not a role. Line management (`officer_line_managers`) is what routing keeps a report away
from: the reported officer's line of command.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from streetlight.db.enums import ConductContext, ConductItemKind, ConductStatus
from streetlight.db.models.base import Base
from streetlight.db.models.officers import _enum
from streetlight.db.types import UTCDateTime

REASON_CHARS = 300


class OfficerLineManager(Base):
    """`manager_id` is `officer_id`'s line manager: one row per managed officer."""

    __tablename__ = "officer_line_managers"
    __table_args__ = (CheckConstraint("officer_id <> manager_id", name="not_own_manager"),)

    officer_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), primary_key=True
    )
    manager_id: Mapped[int] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), index=True
    )


class ConductRecipient(Base):
    """A staff member enrolled to receive one context's reports, with their key pair: the
    public key in clear, the private key sealed under their password (Argon2id, its parameters
    here) and under their recovery code. `senior` recipients receive escalated cases."""

    __tablename__ = "conduct_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), unique=True
    )
    context: Mapped[ConductContext] = mapped_column(_enum(ConductContext, "conduct_context"))
    senior: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Where notifications go (new reports, deadlines, escalations): never any content.
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    public_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    kdf_salt: Mapped[bytes] = mapped_column(LargeBinary(16))
    kdf_time_cost: Mapped[int] = mapped_column(Integer)
    kdf_memory_kib: Mapped[int] = mapped_column(Integer)
    kdf_parallelism: Mapped[int] = mapped_column(Integer)
    sealed_private: Mapped[bytes] = mapped_column(LargeBinary)
    recovery_salt: Mapped[bytes] = mapped_column(LargeBinary(16))
    recovery_sealed_private: Mapped[bytes] = mapped_column(LargeBinary)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConductReport(Base):
    """One report: where it was made (`origin`) and handled (`context`), the officer it concerns
    when known, its status and dates. `receipt_lookup` finds it by the reporter's code (a hash
    that opens nothing); the code and `receipt_salt` derive the reporter's key pair, whose public
    half `reporter_key` every item is wrapped for. `same_source_as_id`: a
    handler's mark that another report came from the same person (it then counts once)."""

    __tablename__ = "conduct_reports"
    __table_args__ = (Index("ix_conduct_reports_context_received_at", "context", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[ConductContext] = mapped_column(_enum(ConductContext, "conduct_origin"))
    context: Mapped[ConductContext] = mapped_column(_enum(ConductContext, "conduct_context"))
    receipt_lookup: Mapped[str] = mapped_column(String(64), unique=True)
    receipt_salt: Mapped[bytes] = mapped_column(LargeBinary(16))
    reporter_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), default=None, index=True
    )
    status: Mapped[ConductStatus] = mapped_column(
        _enum(ConductStatus, "conduct_status"), default=ConductStatus.RECEIVED
    )
    handler_id: Mapped[int | None] = mapped_column(
        ForeignKey("conduct_recipients.id", ondelete="SET NULL"), default=None
    )
    unrouted: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    same_source_as_id: Mapped[int | None] = mapped_column(
        ForeignKey("conduct_reports.id", ondelete="SET NULL"), default=None
    )
    delete_after: Mapped[date] = mapped_column(Date, index=True)


class ConductItem(Base):
    """A sealed item of a report: `sealed` is nonce and ciphertext, `size` the plaintext's
    length (for limits and statistics). `by_reporter` or `author_id` says who wrote it."""

    __tablename__ = "conduct_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("conduct_reports.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ConductItemKind] = mapped_column(_enum(ConductItemKind, "conduct_item_kind"))
    by_reporter: Mapped[bool] = mapped_column(Boolean)
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("conduct_recipients.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    size: Mapped[int] = mapped_column(Integer)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)


class ConductKey(Base):
    """An item's key wrapped for one reader: a recipient (`recipient_id`) or, with no recipient,
    the reporter (under their receipt code)."""

    __tablename__ = "conduct_keys"
    __table_args__ = (UniqueConstraint("item_id", "recipient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("conduct_items.id", ondelete="CASCADE"))
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("conduct_recipients.id", ondelete="CASCADE"), default=None, index=True
    )
    wrapped: Mapped[bytes] = mapped_column(LargeBinary)


class ConductRouting(Base):
    """Why each recipient did or did not receive a report, as decided when it arrived (or was
    escalated): what a recipient reads under "why you, why not them"."""

    __tablename__ = "conduct_routing"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("conduct_reports.id", ondelete="CASCADE"), primary_key=True
    )
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("conduct_recipients.id", ondelete="CASCADE"), primary_key=True
    )
    receives: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(REASON_CHARS))


class ConductLink(Base):
    """A handler's link between two reports about the same officer (`report_id` < `other_id`)."""

    __tablename__ = "conduct_links"
    __table_args__ = (CheckConstraint("report_id < other_id", name="ordered"),)

    report_id: Mapped[int] = mapped_column(
        ForeignKey("conduct_reports.id", ondelete="CASCADE"), primary_key=True
    )
    other_id: Mapped[int] = mapped_column(
        ForeignKey("conduct_reports.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    linked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("conduct_recipients.id", ondelete="SET NULL"), default=None
    )
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConductReminder(Base):
    """A deadline reminder sent (`key` as `streetlight.conduct.deadlines.Reminder.key`): each
    goes once."""

    __tablename__ = "conduct_reminders"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("conduct_reports.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
