"""Security keys and passkeys (WebAuthn, W3C Recommendation Level 2) as a staff member's second
factor, in place of the six-digit TOTP code: registering a key, removing one, and signing in with
password and key.

The WebAuthn messages themselves (CBOR, COSE keys, signatures, client data) are checked by
py_webauthn (Duo Labs). This module adds what the relying party must keep right, as section 7 of
the recommendation asks:

- challenges are 256 random bits, stored in the database (a ceremony begun on one app process may
  finish on another), bound to one ceremony and one account, spent on the first answer whatever
  its outcome, and refused after `webauthn_challenge_minutes`;
- a key signs in only the account it was registered to;
- a signature counter that the authenticator reports must go up: one that does not suggests a
  cloned key, and is refused, logged and audited.

Sign-in keeps the guarantees of `signin.py`: the same rate limits (shared with the code sign-in,
so switching factor buys no extra guesses), the password always checked (against a dummy hash for
unknown names), and one answer for every failure. The options a browser fetches before signing in
look the same whether or not the username exists: with no account, or an account without keys,
they list credential ids derived from an HMAC of the name under the app's secret, stable from one
request to the next. Transports are kept for the list of keys but never sent at sign-in, since a
decoy could not know them.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticationCredential,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    RegistrationCredential,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from streetlight.db import audit, ratelimit
from streetlight.db.models import ChallengePurpose, StaffCredential, StaffUser, WebAuthnChallenge
from streetlight.db.models.webauthn import (
    CHALLENGE_BYTES,
    CREDENTIAL_ID_CHARS,
    LABEL_CHARS,
    TRANSPORTS_CHARS,
)
from streetlight.errors import AuthError
from streetlight.staff.accounts import find_user
from streetlight.staff.passwords import Passwords
from streetlight.staff.settings import StaffSettings
from streetlight.staff.signin import (
    Outcome,
    SignIn,
    account_allowed,
    attempt_keys,
    is_limited,
)

log = logging.getLogger(__name__)

METHOD = "security_key"  # the sign-in method named in audit rows
MAX_KEYS = 10  # per account: keeps the options a browser gets at sign-in short
OPTIONS_PER_SIGNIN = 3  # sign-in options a client may fetch per sign-in attempt it is allowed
# The password is the other factor: a touch of the key is enough, as for U2F keys.
USER_VERIFICATION = UserVerificationRequirement.DISCOURAGED
_DECOY_LABEL = b"streetlight/webauthn-decoys/v1"  # domain separation from the other derived keys
_HANDLE_LABEL = b"streetlight/webauthn-user-handle/v1"
_DECOY_LENGTHS = (16, 32, 48, 64)  # credential id lengths real authenticators use
_NO_ACCOUNT = 0  # no account has id 0: a name without an account runs the same query
Parsed = TypeVar("Parsed", AuthenticationCredential, RegistrationCredential)


class OptionsLimitedError(AuthError):
    """This client has asked for too many sign-in options lately."""


class WebAuthnError(AuthError):
    """A security key could not be registered: the answer did not verify, its challenge was
    spent or expired, the key is already registered, or the account has too many keys."""


# --- Registration, by a signed-in staff member ----------------------------------------------


def credentials_of(session: Session, user_id: int) -> Sequence[StaffCredential]:
    """The account's keys, oldest first."""
    query = select(StaffCredential).where(StaffCredential.user_id == user_id)
    return session.scalars(query.order_by(StaffCredential.id)).all()


def registration_options(
    session: Session, user: StaffUser, *, settings: StaffSettings, secret: bytes, now: datetime
) -> str:
    """The JSON options for `navigator.credentials.create()`, with a fresh challenge stored for
    `user`. Keys already registered are excluded, so the same key is not added twice."""
    keys = credentials_of(session, user.id)
    if len(keys) >= MAX_KEYS:
        raise WebAuthnError(f"at most {MAX_KEYS} security keys per account: remove one first")
    challenge = _issue(session, ChallengePurpose.REGISTRATION, user.id, settings, now)
    options = generate_registration_options(
        rp_id=settings.webauthn_rp_id,
        rp_name=settings.webauthn_rp_name,
        user_name=user.username,
        user_id=user_handle(secret, user.id),
        user_display_name=user.display_name,
        challenge=challenge,
        timeout=_timeout_ms(settings),
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED, user_verification=USER_VERIFICATION
        ),
        exclude_credentials=[_descriptor(key.credential_id) for key in keys],
    )
    return options_to_json(options)


def register(
    session: Session,
    user: StaffUser,
    *,
    credential: str | dict[str, Any],
    label: str,
    settings: StaffSettings,
    now: datetime,
) -> StaffCredential:
    """Check the browser's answer to `registration_options` and store the new key under `label`.

    The challenge is spent even when the answer is refused (the caller commits either way), so
    an answer can never be tried twice.
    """
    label = " ".join(label.split())
    if not 1 <= len(label) <= LABEL_CHARS:
        raise WebAuthnError(f"label: 1 to {LABEL_CHARS} characters")
    parsed = _parse(parse_registration_credential_json, credential)
    challenge = _spend(session, parsed, ChallengePurpose.REGISTRATION, now) if parsed else None
    if parsed is None or challenge is None or challenge.user_id != user.id:
        raise WebAuthnError("no registration is waiting for this answer: start again")
    try:
        verified = verify_registration_response(
            credential=parsed,
            expected_challenge=challenge.challenge,
            expected_rp_id=settings.webauthn_rp_id,
            expected_origin=settings.webauthn_expected_origin,
            require_user_verification=False,
        )
    except Exception as exc:  # hostile bytes may fail anywhere in the parsers: all mean "no"
        raise WebAuthnError("the security key's answer could not be verified") from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    if len(credential_id) > CREDENTIAL_ID_CHARS:  # longer than WebAuthn allows
        raise WebAuthnError("the security key's credential id is too long")
    taken = select(StaffCredential.id).where(StaffCredential.credential_id == credential_id)
    if session.scalar(taken) is not None:
        raise WebAuthnError("this security key is already registered")
    if len(credentials_of(session, user.id)) >= MAX_KEYS:
        raise WebAuthnError(f"at most {MAX_KEYS} security keys per account: remove one first")
    transports = parsed.response.transports or []
    key = StaffCredential(
        user_id=user.id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(sorted({t.value for t in transports}))[:TRANSPORTS_CHARS],
        label=label,
        created_at=now,
    )
    try:
        with session.begin_nested():  # the same key added twice at once: one insert fails
            session.add(key)
    except IntegrityError as exc:
        raise WebAuthnError("this security key is already registered") from exc
    details: dict[str, audit.JSONValue] = {"key": key.id, "label": label}
    audit.append(
        session,
        actor=user.username,
        action="webauthn.add",
        subject=user.username,
        details=details,
        now=now,
    )
    return key


def remove(session: Session, user: StaffUser, key_id: int, *, now: datetime) -> bool:
    """Remove one of `user`'s own keys; False when they have no key with that id."""
    key = session.scalar(
        select(StaffCredential).where(
            StaffCredential.id == key_id, StaffCredential.user_id == user.id
        )
    )
    if key is None:
        return False
    details: dict[str, audit.JSONValue] = {"key": key.id, "label": key.label}
    session.delete(key)
    audit.append(
        session,
        actor=user.username,
        action="webauthn.remove",
        subject=user.username,
        details=details,
        now=now,
    )
    return True


# --- Sign-in ---------------------------------------------------------------------------------


def options_limit(settings: StaffSettings) -> ratelimit.Limit:
    """How many sign-in options one client may ask for in the sign-in window: each stores a
    challenge, so the endpoint must not be a way to fill the database. Generous next to the
    sign-in limits, which bound the attempts themselves."""
    return ratelimit.Limit(
        "webauthn:options", OPTIONS_PER_SIGNIN * settings.signin_failures_per_client,
        settings.signin_window,
    )  # fmt: skip


def authentication_options(
    session: Session,
    username: str,
    *,
    client: str,
    settings: StaffSettings,
    secret: bytes,
    now: datetime,
) -> str:
    """The JSON options for `navigator.credentials.get()` when `username` signs in.

    The same work and the same shape for every name: the account's keys when it has some, else
    `decoy_ids` of the name; a challenge stored either way (bound to the account, or to none).
    Raises `OptionsLimitedError` when `client` has asked too often.
    """
    limit = options_limit(settings)
    if ratelimit.is_limited(session, limit, client, now):
        raise OptionsLimitedError
    ratelimit.add_hits(session, [(limit, client)], now)
    user = find_user(session, username)
    keys = credentials_of(session, user.id if user is not None else _NO_ACCOUNT)
    decoys = decoy_ids(secret, username)
    ids = [key.credential_id for key in keys] or [bytes_to_base64url(d) for d in decoys]
    challenge = _issue(
        session, ChallengePurpose.AUTHENTICATION, user.id if user else None, settings, now
    )
    options = generate_authentication_options(
        rp_id=settings.webauthn_rp_id,
        challenge=challenge,
        timeout=_timeout_ms(settings),
        allow_credentials=[_descriptor(credential_id) for credential_id in ids],
        user_verification=USER_VERIFICATION,
    )
    return options_to_json(options)


def sign_in_with_key(
    session: Session,
    *,
    username: str,
    password: str,
    credential: str,
    client: str,
    settings: StaffSettings,
    passwords: Passwords,
    now: datetime,
) -> SignIn:
    """Check limits, password and the key's answer (`credential`: the JSON of what
    `navigator.credentials.get()` returned); record the attempt (audit, rate limit) in
    `session`. The caller commits whatever the outcome: the challenge is spent either way."""
    keys = attempt_keys(settings, username, client)
    method: dict[str, audit.JSONValue] = {"method": METHOD}
    if is_limited(session, settings, keys, now):
        audit.append(session, actor="public", action="signin.limited", details=method, now=now)
        return SignIn(Outcome.LIMITED)

    user = find_user(session, username.strip().lower())
    password_ok = passwords.verify(user.password_hash if user else None, password)
    key = _answering_key(session, user, credential, settings, now)
    allowed = user is not None and account_allowed(user)
    if user is None or key is None or not (password_ok and allowed):
        ratelimit.add_hits(session, keys, now)
        # As in signin.py: the account is named only when it exists.
        subject = user.username if user is not None else ""
        audit.append(
            session,
            actor="public",
            action="signin.failure",
            subject=subject,
            details=method,
            now=now,
        )
        return SignIn(Outcome.FAILED)

    key.last_used_at = now
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    details = {**method, "key": key.id}
    audit.append(session, actor=user.username, action="signin.success", details=details, now=now)
    return SignIn(Outcome.SIGNED_IN, user)


def _answering_key(
    session: Session,
    user: StaffUser | None,
    credential: str,
    settings: StaffSettings,
    now: datetime,
) -> StaffCredential | None:
    """The key of `user` whose signature over a challenge issued to `user` for sign-in checks
    out, its counter updated; None otherwise. Spends the challenge the answer names."""
    parsed = _parse(parse_authentication_credential_json, credential)
    if parsed is None:
        return None
    challenge = _spend(session, parsed, ChallengePurpose.AUTHENTICATION, now)
    # Looked up for every name (none matches without an account), so the work is the same.
    key = session.scalar(
        select(StaffCredential).where(
            StaffCredential.credential_id == bytes_to_base64url(parsed.raw_id),
            StaffCredential.user_id == (user.id if user is not None else _NO_ACCOUNT),
        )
    )
    if user is None or key is None or challenge is None or challenge.user_id != user.id:
        return None
    try:
        verified = verify_authentication_response(
            credential=parsed,
            expected_challenge=challenge.challenge,
            expected_rp_id=settings.webauthn_rp_id,
            expected_origin=settings.webauthn_expected_origin,
            credential_public_key=key.public_key,
            # 0 turns the library's own counter check off: it is made below, where a stale
            # counter can be told apart from a bad signature and reported.
            credential_current_sign_count=0,
            require_user_verification=False,
        )
    except Exception:  # hostile bytes may fail anywhere in the parsers: all mean "no"
        return None
    if not counter_advanced(key.sign_count, verified.new_sign_count):
        _report_possible_clone(session, user, key, verified.new_sign_count, now)
        return None
    key.sign_count = verified.new_sign_count
    return key


def counter_advanced(stored: int, reported: int) -> bool:
    """The signature counter rule (WebAuthn L2, 7.2 step 21): when either count is non-zero, the
    reported one must be greater than the stored one; authenticators that keep no counter
    report 0 every time."""
    return reported > stored or (reported == 0 and stored == 0)


def _report_possible_clone(
    session: Session, user: StaffUser, key: StaffCredential, reported: int, now: datetime
) -> None:
    """A valid signature with a counter that did not go up: two copies of one key may exist."""
    log.warning(
        "security key %d of staff account %d signed with counter %d, not above the %d stored: "
        "possibly a cloned key, sign-in refused; check the key with its owner",
        key.id,
        user.id,
        reported,
        key.sign_count,
    )
    details: dict[str, audit.JSONValue] = {
        "key": key.id,
        "stored_count": key.sign_count,
        "reported_count": reported,
    }
    audit.append(
        session,
        actor="public",
        action="webauthn.clone_suspected",
        subject=user.username,
        details=details,
        now=now,
    )


# --- Challenges, identifiers ------------------------------------------------------------------


def _issue(
    session: Session,
    purpose: ChallengePurpose,
    user_id: int | None,
    settings: StaffSettings,
    now: datetime,
) -> bytes:
    """A new random challenge for `purpose`, stored; expired ones are cleared out on the way."""
    session.execute(delete(WebAuthnChallenge).where(WebAuthnChallenge.expires_at <= now))
    challenge = secrets.token_bytes(CHALLENGE_BYTES)
    session.add(
        WebAuthnChallenge(
            challenge=challenge,
            purpose=purpose,
            user_id=user_id,
            created_at=now,
            expires_at=now + settings.webauthn_challenge_lifetime,
        )
    )
    session.flush()
    return challenge


def _spend(
    session: Session,
    credential: AuthenticationCredential | RegistrationCredential,
    purpose: ChallengePurpose,
    now: datetime,
) -> WebAuthnChallenge | None:
    """The stored challenge the answer's client data names, marked used; None when there is
    none for `purpose`, or it was used or has expired. The conditional UPDATE makes the mark
    race-free: of two answers sent at once, one finds the challenge already spent."""
    try:
        named = parse_client_data_json(credential.response.client_data_json).challenge
    except Exception:  # malformed client data names no challenge
        return None
    row = session.scalar(
        select(WebAuthnChallenge).where(
            WebAuthnChallenge.challenge == named, WebAuthnChallenge.purpose == purpose
        )
    )
    if row is None:
        return None
    spent = session.execute(
        update(WebAuthnChallenge)
        .where(
            WebAuthnChallenge.id == row.id,
            WebAuthnChallenge.used_at.is_(None),
            WebAuthnChallenge.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if not isinstance(spent, CursorResult) or spent.rowcount != 1:
        return None
    return row


def _parse(parser: Callable[[Any], Parsed], credential: str | dict[str, Any]) -> Parsed | None:
    """The library's parse of the browser's JSON, or None when it is not a credential."""
    try:
        return parser(credential)
    except Exception:  # any malformed input is simply not a credential
        return None


def _descriptor(credential_id: str) -> PublicKeyCredentialDescriptor:
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(credential_id))


def _timeout_ms(settings: StaffSettings) -> int:
    return settings.webauthn_challenge_minutes * 60_000


def decoy_ids(secret: bytes, username: str) -> list[bytes]:
    """One or two credential ids for a name with no keys (or no account), from an HMAC of the
    name under a key derived from the app's secret: the same for the same name every time, as a
    real account's are, and unpredictable without the secret."""
    key = hmac.new(secret, _DECOY_LABEL, hashlib.sha256).digest()
    seed = hmac.new(key, username.strip().lower().encode(), hashlib.sha512).digest()
    count = 1 + seed[0] % 2
    ids = []
    for i in range(count):
        block = hmac.new(key, seed + bytes([i]), hashlib.sha512).digest()
        ids.append(block[: _DECOY_LENGTHS[seed[1 + i] % len(_DECOY_LENGTHS)]])
    return ids


def user_handle(secret: bytes, user_id: int) -> bytes:
    """The WebAuthn user handle of an account: stable (a key made twice for one account replaces
    itself on authenticators that store it) and opaque (no name or id in it), 32 bytes."""
    key = hmac.new(secret, _HANDLE_LABEL, hashlib.sha256).digest()
    return hmac.new(key, str(user_id).encode(), hashlib.sha256).digest()
