"""Anti-spam for the public report form, without third-party CAPTCHAs.

The form carries a token the server signed when it served the form: a random nonce and the time
it was issued, with an HMAC-SHA256 under a key derived from the app's secret for this purpose only
(BLAKE2b keyed derivation with its own personalisation string: the CSRF and verification-code
keys cannot be used to forge it, nor it to forge them). A submission must bring a token that

- is genuine (`bad_token`): a script cannot make its own;
- was issued at least `min_age` earlier (`too_fast`): people take more than 3 seconds to fill a
  form in, scripts do not;
- is at most `max_age` old (`expired`);
- has not been used before: `check_form_token` returns a hash of the nonce that the report stores
  in a unique column, so a replayed form is refused (`streetlight.reports.submission`).

A honeypot field (`HONEYPOT_FIELD`), hidden from people and filled by naive bots, a per-client
rate limit and duplicate detection complete it (see `submission`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from streetlight.errors import ReportError

HONEYPOT_FIELD = "website"
MIN_AGE = timedelta(seconds=3)
MAX_AGE = timedelta(hours=2)

_VERSION = b"\x01"
_NONCE_BYTES = 16
_TIME_BYTES = 8  # milliseconds since the Unix epoch, big-endian
_MAC_BYTES = 32
_TOKEN_BYTES = len(_VERSION) + _NONCE_BYTES + _TIME_BYTES + _MAC_BYTES
_TOKEN_CHARS = 96  # base64url of 57 bytes is 76 characters; anything much longer is not a token
_PERSON = b"sl-report-form"


class SpamSuspectedError(ReportError):
    """A form submission that a person filling the form in would not make. `reason` is one of
    "bad_token", "too_fast", "expired" (and "honeypot" from `check_honeypot`)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"report form: {message}")
        self.reason = reason


def _key(secret: bytes) -> bytes:
    return hashlib.blake2b(secret, digest_size=32, person=_PERSON).digest()


def _mac(secret: bytes, payload: bytes) -> bytes:
    return hmac.new(_key(secret), payload, hashlib.sha256).digest()


def _millis(now: datetime) -> int:
    if now.tzinfo is None:
        raise ValueError(f"naive datetime {now!r}: pass an aware UTC datetime")
    return int(now.astimezone(UTC).timestamp() * 1000)


def issue_form_token(secret: bytes, now: datetime) -> str:
    """A fresh token for one form: base64url (no padding), about 76 characters."""
    payload = _VERSION + secrets.token_bytes(_NONCE_BYTES) + _millis(now).to_bytes(_TIME_BYTES)
    token = base64.urlsafe_b64encode(payload + _mac(secret, payload))
    return token.rstrip(b"=").decode("ascii")


def nonce_hash(nonce: bytes) -> str:
    """What a report stores of its token: SHA-256 of the nonce (hex)."""
    return hashlib.sha256(b"sl-report-nonce\x00" + nonce).hexdigest()


def check_form_token(
    secret: bytes,
    token: str,
    now: datetime,
    *,
    min_age: timedelta = MIN_AGE,
    max_age: timedelta = MAX_AGE,
) -> str:
    """The token's nonce hash (store it: replay protection), or `SpamSuspectedError`.

    The MAC is checked in constant time before anything in the token is believed.
    """
    if not isinstance(token, str) or not token or len(token) > _TOKEN_CHARS:
        raise SpamSuspectedError("bad_token", "missing or malformed form token")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
        raise SpamSuspectedError("bad_token", "malformed form token") from exc
    if len(raw) != _TOKEN_BYTES or raw[:1] != _VERSION:
        raise SpamSuspectedError("bad_token", "malformed form token")
    payload, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    if not hmac.compare_digest(mac, _mac(secret, payload)):
        raise SpamSuspectedError("bad_token", "form token not signed by this server")
    nonce = payload[1 : 1 + _NONCE_BYTES]
    issued = int.from_bytes(payload[1 + _NONCE_BYTES :])
    age_ms = _millis(now) - issued
    if age_ms < min_age / timedelta(milliseconds=1):
        raise SpamSuspectedError("too_fast", "form sent back too soon after it was served")
    if age_ms > max_age / timedelta(milliseconds=1):
        raise SpamSuspectedError("expired", "form token expired: reload the form")
    return nonce_hash(nonce)


def check_honeypot(value: str | None) -> None:
    """`SpamSuspectedError("honeypot")` when the hidden field people never see was filled in."""
    if value:
        raise SpamSuspectedError("honeypot", f"hidden field {HONEYPOT_FIELD!r} was filled in")
