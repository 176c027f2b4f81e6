"""Security keys (WebAuthn credentials) that staff may use instead of a TOTP code, and the
challenges handed out for their ceremonies.

A credential row holds only what the W3C WebAuthn recommendation (Level 2, section 7) asks a
relying party to keep: the credential's id, its public key (COSE, as the authenticator sent it)
and the last signature counter it reported. Nothing in it lets anyone sign in: the private key
never leaves the authenticator. Challenges live in the database, not in one process's memory, so
a ceremony begun on one app process can finish on another; each is used once and expires within
minutes.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from streetlight.db.models.base import Base
from streetlight.db.models.officers import _enum
from streetlight.db.models.staff import StaffUser
from streetlight.db.types import UTCDateTime

# A credential id is at most 1023 bytes (WebAuthn L2, 5.8.3): 1364 characters of base64url.
CREDENTIAL_ID_CHARS = 1366
LABEL_CHARS = 64
TRANSPORTS_CHARS = 100
CHALLENGE_BYTES = 32


class ChallengePurpose(enum.StrEnum):
    """Which ceremony a challenge was issued for: one cannot be spent on the other."""

    REGISTRATION = "registration"
    AUTHENTICATION = "authentication"


class StaffCredential(Base):
    """A staff member's registered security key or passkey.

    `sign_count` is the authenticator's signature counter as last reported (0 for authenticators
    that keep none); a reported counter that does not increase suggests a cloned key.
    `transports` are the ways the browser said it can reach the key ("usb,nfc"), kept for the
    staff member's list of keys.
    """

    __tablename__ = "staff_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    credential_id: Mapped[str] = mapped_column(String(CREDENTIAL_ID_CHARS), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary())
    sign_count: Mapped[int] = mapped_column(BigInteger(), default=0)  # an unsigned 32-bit counter
    transports: Mapped[str] = mapped_column(String(TRANSPORTS_CHARS), default="")
    label: Mapped[str] = mapped_column(String(LABEL_CHARS))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    user: Mapped[StaffUser] = relationship()


class WebAuthnChallenge(Base):
    """A random challenge handed to a browser for one ceremony.

    `user_id` is the account it was issued for: the signed-in user registering a key, or the
    account named at sign-in (None when no account has that name: such a challenge can never
    lead to a sign-in). `used_at` is set when a response comes back, whatever its outcome, so a
    challenge is spent at most once.
    """

    __tablename__ = "webauthn_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge: Mapped[bytes] = mapped_column(LargeBinary(CHALLENGE_BYTES), unique=True)
    purpose: Mapped[ChallengePurpose] = mapped_column(_enum(ChallengePurpose, "webauthn_purpose"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True, default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
