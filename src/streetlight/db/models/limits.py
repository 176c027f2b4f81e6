"""Rate-limit state, kept in the database so that limits hold across several app processes.

No client address is ever stored: keys are an HMAC, under a pepper derived from the server's
secret (never stored), of a daily random salt and the address, and salts older than a day are
deleted, after which the stored keys cannot be linked to anyone.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from streetlight.db.models.base import Base
from streetlight.db.types import UTCDateTime


class RateLimitSalt(Base):
    """The random salt of one UTC day."""

    __tablename__ = "rate_limit_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[bytes] = mapped_column(LargeBinary(32))


class RateLimitHit(Base):
    """One counted event (a failed sign-in, say) for a keyed hash within a scope; `at` is
    rounded up for limits with a `resolution` (`streetlight.db.ratelimit.Limit`)."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_lookup", "scope", "key_hash", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(32))
    key_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
