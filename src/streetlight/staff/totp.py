"""Time-based one-time codes (RFC 6238: 6 digits, 30-second steps, SHA-1, as authenticator apps
expect), accepting one step of clock drift either way and never the same step twice.

Secrets are stored sealed: AES-256-GCM under a key derived from the server's secret (which is not
in the database), with the account's username as associated data. A copy of the database then
gives neither the codes of any account nor a way to move one account's sealed secret onto another.
The price: changing `STREETLIGHT_SECRET_KEY` makes every stored secret unreadable, and staff must
enrol again (`streetlight staff reset-totp USER` gives an account a new secret). Secrets stored before sealing existed
(32 base32 characters) are still read, and sealed at the account's next sign-in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

DRIFT_STEPS = 1
ISSUER = "Streetlight"
_KEY_LABEL = b"streetlight/totp-secrets/v1"  # domain separation from the other derived keys
_NONCE_BYTES = 12
_PLAIN_CHARS = 32  # a base32 secret as `new_secret` makes it (160 bits)


def new_secret() -> str:
    """A random base32 secret (160 bits) for a new account."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """The `otpauth://` URI an authenticator app reads (as a QR code or typed)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def accepted_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to, when it is valid now and newer than `last_step`.

    Every candidate step is compared (in constant time), so timing does not reveal which matched.
    """
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    code = code.strip().replace(" ", "")
    found: int | None = None
    for offset in range(-DRIFT_STEPS, DRIFT_STEPS + 1):
        step = current + offset
        expected = totp.generate_otp(step)
        if hmac.compare_digest(expected.encode(), code.encode()) and found is None:
            found = step
    if found is None or (last_step is not None and found <= last_step):
        return None
    return found


def sealing_key(secret: bytes) -> bytes:
    """The AES-256 key for stored TOTP secrets, derived from the app's secret."""
    return hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()


def _aad(username: str) -> bytes:
    return b"staff:" + username.strip().lower().encode()


def seal(key: bytes, secret: str, username: str) -> str:
    """The stored form of `secret` for `username`: nonce, ciphertext and tag of the 20 secret
    bytes, in URL-safe base64 (64 characters, the column's width)."""
    raw = base64.b32decode(secret)
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = nonce + AESGCM(key).encrypt(nonce, raw, _aad(username))
    return base64.urlsafe_b64encode(sealed).decode().rstrip("=")


def is_sealed(stored: str) -> bool:
    return len(stored) != _PLAIN_CHARS


def unseal(key: bytes, stored: str, username: str) -> str | None:
    """The base32 secret of `username` from its stored form; None when it cannot be opened (a
    changed server secret, a value moved from another account, damage)."""
    if not is_sealed(stored):
        return stored
    try:
        blob = base64.urlsafe_b64decode(stored + "=" * (-len(stored) % 4))
        raw = AESGCM(key).decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], _aad(username))
    except (InvalidTag, ValueError, binascii.Error):
        return None
    return base64.b32encode(raw).decode()
