"""On-the-spot verification: engagements an officer logs, their one-time codes, what the public's
checks found, backup requests, control-room chats, and the console's event feed.

Codes are stored only as HMAC-SHA256 digests keyed by a server secret (see
`streetlight.verify.codes`), so a copy of the database alone does not let anyone recover or
brute-force a code offline. The public is never stored by address or name: a verification keeps
what was typed as a warrant number, the outcome, and a location only when the person chose to
share it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from streetlight.db.enums import (
    BackupStatus,
    EngagementReason,
    EngagementStatus,
    VerificationOutcome,
)
from streetlight.db.models.base import Base
from streetlight.db.models.officers import Duty, Officer, _enum
from streetlight.db.types import UTCDateTime

NOTE_CHARS = 280
MESSAGE_CHARS = 500
PLACE_CHARS = 200


class Engagement(Base):
    """An officer's logged stop, search, arrest... while on one duty.

    `(officer_id, idempotency_key)` is unique: a retried or concurrent duplicate request finds the
    row the first one made instead of making a second (the database, not the app, decides).
    """

    __tablename__ = "engagements"
    __table_args__ = (
        UniqueConstraint("officer_id", "idempotency_key", name="uq_engagements_officer_key"),
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="lat_range"),
        CheckConstraint("lon IS NULL OR (lon BETWEEN -180 AND 180)", name="lon_range"),
        Index("ix_engagements_officer_started", "officer_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id", ondelete="RESTRICT"))
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id", ondelete="RESTRICT"))
    idempotency_key: Mapped[str] = mapped_column(String(64))
    # sha256 of the request's content: the same key with a different request is refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    reason: Mapped[EngagementReason] = mapped_column(_enum(EngagementReason, "engagement_reason"))
    note: Mapped[str] = mapped_column(String(NOTE_CHARS), default="")
    lon: Mapped[float | None] = mapped_column(default=None)
    lat: Mapped[float | None] = mapped_column(default=None)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[EngagementStatus] = mapped_column(
        _enum(EngagementStatus, "engagement_status"), default=EngagementStatus.OPEN
    )
    status_by: Mapped[str] = mapped_column(String(64), default="")
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    officer: Mapped[Officer] = relationship()
    duty: Mapped[Duty] = relationship()
    backup: Mapped[BackupRequest | None] = relationship(back_populates="engagement")


class VerificationCode(Base):
    """A one-time code for one engagement: its HMAC digest, when it expires, when it was used
    (or revoked by a newer code the officer asked for). `burnt_at`: when wrong tries used up its
    guessing allowance (`streetlight.verify.guessing`); it is then revoked too, and the officer
    app asks for a new code."""

    __tablename__ = "verification_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="RESTRICT"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    burnt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class Verification(Base):
    """One check by a member of the public, whatever its outcome.

    `token_hash` is the SHA-256 of a random token handed to that person only: it opens their
    chat with the control room and lets them share where they are. `warrant_number` is what they
    typed (cut to 32 characters), which an operator needs to spot an impersonator.
    """

    __tablename__ = "verifications"
    __table_args__ = (
        CheckConstraint("shared_lat IS NULL OR (shared_lat BETWEEN -90 AND 90)", name="lat_range"),
        CheckConstraint(
            "shared_lon IS NULL OR (shared_lon BETWEEN -180 AND 180)", name="lon_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    warrant_number: Mapped[str] = mapped_column(String(32))
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), default=None
    )
    engagement_id: Mapped[int | None] = mapped_column(
        ForeignKey("engagements.id", ondelete="SET NULL"), default=None, index=True
    )
    outcome: Mapped[VerificationOutcome] = mapped_column(
        _enum(VerificationOutcome, "verification_outcome")
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    shared_lon: Mapped[float | None] = mapped_column(default=None)
    shared_lat: Mapped[float | None] = mapped_column(default=None)
    shared_place: Mapped[str] = mapped_column(String(PLACE_CHARS), default="")
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    acknowledged_by: Mapped[str] = mapped_column(String(64), default="")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    engagement: Mapped[Engagement | None] = relationship()
    officer: Mapped[Officer | None] = relationship()


class BackupRequest(Base):
    """Uniformed backup for a lone plain-clothes officer: who is coming, how far, how soon.

    `reuses_id`: the officer's earlier request whose unit is already on its way to the same spot
    (`streetlight.verify.engagements`); this one sends nobody more, and both arrive together.
    """

    __tablename__ = "backup_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(
        ForeignKey("engagements.id", ondelete="RESTRICT"), unique=True
    )
    responder_duty_id: Mapped[int | None] = mapped_column(
        ForeignKey("duties.id", ondelete="RESTRICT"), default=None, index=True
    )
    distance_m: Mapped[float | None] = mapped_column(default=None)
    eta_minutes: Mapped[int | None] = mapped_column(default=None)
    status: Mapped[BackupStatus] = mapped_column(_enum(BackupStatus, "backup_status"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    reuses_id: Mapped[int | None] = mapped_column(
        ForeignKey("backup_requests.id", ondelete="RESTRICT"), default=None
    )

    engagement: Mapped[Engagement] = relationship(back_populates="backup")
    responder: Mapped[Duty | None] = relationship()


class Chat(Base):
    """A text channel between one member of the public (through their verification's token)
    and the control room."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    verification_id: Mapped[int] = mapped_column(
        ForeignKey("verifications.id", ondelete="RESTRICT"), unique=True
    )
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    verification: Mapped[Verification] = relationship()
    messages: Mapped[list[ChatMessage]] = relationship(order_by="ChatMessage.id")


class ChatMessage(Base):
    """One message. `client_id` (optional, unique per chat) makes a retried send land once."""

    __tablename__ = "chat_messages"
    __table_args__ = (
        UniqueConstraint("chat_id", "client_id", name="uq_chat_messages_chat_client"),
        CheckConstraint("sender IN ('public', 'operator')", name="sender"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(ForeignKey("chats.id", ondelete="RESTRICT"), index=True)
    sender: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(64), default="")
    body: Mapped[str] = mapped_column(String(MESSAGE_CHARS))
    client_id: Mapped[str | None] = mapped_column(String(64), default=None)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class ConsoleEvent(Base):
    """The control room's live feed, read by every app process by polling `id > last seen`.

    Rows are written after the audit log's lock is taken (`streetlight.verify.events`), so they
    commit in id order and a poller never skips one that commits late.
    """

    __tablename__ = "console_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[str] = mapped_column(Text, default="{}")


class CheckTally(Base):
    """Public checks that need no operator one by one, counted per window of time: checks of an
    unknown warrant number and checks refused by a rate limit. One row per window however many
    there are, so a flood neither grows the database nor buries a real alert on the console."""

    __tablename__ = "check_tallies"

    window_start: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    unknown: Mapped[int] = mapped_column(default=0)
    refused: Mapped[int] = mapped_column(default=0)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
