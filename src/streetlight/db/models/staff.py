"""Staff accounts and their server-side sessions.

A session cookie holds only a random token; the database keeps its SHA-256, so a leaked database
does not hand out live sessions, and signing out or suspending someone ends the session at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from streetlight.db.enums import Role
from streetlight.db.models.base import Base
from streetlight.db.models.officers import Officer
from streetlight.db.types import UTCDateTime


class StaffUser(Base):
    """Someone who signs in: argon2id password hash plus a TOTP secret, both required."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    totp_secret: Mapped[str] = mapped_column(String(64))
    # The last TOTP time step accepted: a code is never accepted twice (RFC 6238 section 5.2).
    totp_last_step: Mapped[int | None] = mapped_column(default=None)
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            name="staff_role",
            native_enum=False,
            create_constraint=True,
            length=16,
            values_callable=lambda members: [m.value for m in members],
        )
    )
    active: Mapped[bool] = mapped_column(default=True)
    # An officer's own account: suspending the officer locks the account too.
    officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("officers.id", ondelete="SET NULL"), unique=True, default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    officer: Mapped[Officer | None] = relationship()


class StaffSession(Base):
    """A signed-in browser. Idle and absolute expiry are both checked on every request."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())

    user: Mapped[StaffUser] = relationship()
