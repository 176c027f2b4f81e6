"""Recipients' key pairs in the database: enrolment, unlocking, recovery and password changes.

The stored row holds only the public key and the private key sealed twice (`crypto.Keyring`);
the password and the recovery code never reach the database. The sealed values are bound to the
recipient's row ("conduct-recipient:<id>" as associated data), so a sealed key copied onto
another recipient's row does not open there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from streetlight.conduct import crypto
from streetlight.db import audit
from streetlight.db.enums import ConductContext
from streetlight.db.models import ConductRecipient, StaffUser
from streetlight.errors import ConductError
from streetlight.staff.accounts import find_user

MIN_PASSWORD_CHARS = 12


class EnrolmentError(ConductError, ValueError):
    """Enrolment refused (a weak password, an account already enrolled)."""


def actor_of(session: Session, recipient: ConductRecipient) -> str:
    """The audit log's actor for a recipient: their staff username, as for every staff act."""
    user = session.get(StaffUser, recipient.staff_user_id)
    return user.username if user is not None else f"conduct-recipient:{recipient.id}"


def context_of(recipient_id: int) -> bytes:
    return f"conduct-recipient:{recipient_id}".encode()


def keyring(row: ConductRecipient) -> crypto.Keyring:
    kdf = crypto.KdfParams(row.kdf_salt, row.kdf_time_cost, row.kdf_memory_kib, row.kdf_parallelism)
    return crypto.Keyring(
        row.public_key, kdf, row.sealed_private, row.recovery_salt, row.recovery_sealed_private
    )


def _store(row: ConductRecipient, ring: crypto.Keyring) -> None:
    row.public_key = ring.public_key
    row.kdf_salt = ring.kdf.salt
    row.kdf_time_cost = ring.kdf.time_cost
    row.kdf_memory_kib = ring.kdf.memory_kib
    row.kdf_parallelism = ring.kdf.parallelism
    row.sealed_private = ring.by_password
    row.recovery_salt = ring.recovery_salt
    row.recovery_sealed_private = ring.by_recovery


def _replace(
    session: Session, row: ConductRecipient, ring: crypto.Keyring, verb: str, *, now: datetime
) -> None:
    """Store a recipient's resealed keyring, and record `conduct.recipient_<verb>` by them."""
    _store(row, ring)
    session.flush()
    audit.append(
        session,
        actor=actor_of(session, row),
        action=f"conduct.recipient_{verb}",
        subject=f"conduct-recipient:{row.id}",
        now=now,
    )


@dataclass(frozen=True)
class Enrolled:
    """The new recipient's id and the recovery code: print it once, store it nowhere."""

    recipient_id: int
    recovery_code: str


def staff_user_id(session: Session, username: str) -> int:
    """The account to enrol, by its sign-in name (case-insensitive, as sign-in reads it)."""
    found = find_user(session, username)
    if found is None:
        raise EnrolmentError(f"no staff account is called {username!r}")
    return found.id


def recipient_of(session: Session, username: str) -> ConductRecipient:
    """The recipient enrolled for a staff account, by its sign-in name."""
    found = session.scalar(
        select(ConductRecipient).where(
            ConductRecipient.staff_user_id == staff_user_id(session, username)
        )
    )
    if found is None:
        raise EnrolmentError(f"{username!r} is not enrolled as a recipient")
    return found


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise EnrolmentError(
            f"a recipient's password needs at least {MIN_PASSWORD_CHARS} characters"
        )


def enrol(
    session: Session,
    staff_user_id: int,
    context: ConductContext,
    password: str,
    *,
    senior: bool = False,
    email: str | None = None,
    actor: str,
    now: datetime,
    kdf: crypto.KdfParams | None = None,
) -> Enrolled:
    """Enrol a staff account as a recipient of `context` with a new key pair."""
    _check_password(password)
    taken = select(ConductRecipient.id).where(ConductRecipient.staff_user_id == staff_user_id)
    if session.scalar(taken) is not None:
        raise EnrolmentError("this account is already enrolled as a recipient")
    row = ConductRecipient(
        staff_user_id=staff_user_id,
        context=context,
        senior=senior,
        email=email,
        active=True,
        enrolled_at=now,
    )
    # The row's id binds the sealed key to it: placeholder values first, then the real ones.
    _store(row, crypto.Keyring(b"", crypto.KdfParams(b""), b"", b"", b""))
    session.add(row)
    session.flush()
    enrolment = crypto.enrol(password, context_of(row.id), kdf=kdf)
    _store(row, enrolment.keyring)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="conduct.recipient_enrolled",
        subject=f"conduct-recipient:{row.id}",
        details={"context": context.value, "senior": senior},
        now=now,
    )
    return Enrolled(row.id, enrolment.recovery_code)


def unlock(row: ConductRecipient, password: str) -> X25519PrivateKey:
    """The recipient's private key (raises `crypto.DecryptionError` for a wrong password)."""
    return crypto.unlock(keyring(row), password, context_of(row.id))


def recover(
    session: Session,
    row: ConductRecipient,
    recovery_code: str,
    new_password: str,
    *,
    now: datetime,
    kdf: crypto.KdfParams | None = None,
) -> str:
    """A forgotten password: the same key pair under a new password; returns the new recovery
    code (the old one stops working)."""
    _check_password(new_password)
    renewed = crypto.recover(keyring(row), recovery_code, new_password, context_of(row.id), kdf=kdf)
    _replace(session, row, renewed.keyring, "recovered", now=now)
    return renewed.recovery_code


def change_password(
    session: Session,
    row: ConductRecipient,
    old: str,
    new: str,
    *,
    now: datetime,
    kdf: crypto.KdfParams | None = None,
) -> None:
    _check_password(new)
    ring = crypto.change_password(keyring(row), old, new, context_of(row.id), kdf=kdf)
    _replace(session, row, ring, "password_changed", now=now)
