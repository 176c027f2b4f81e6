"""Time-based one-time codes (RFC 6238: 6 digits, 30-second steps, SHA-1, as authenticator apps
expect), accepting one step of clock drift either way and never the same step twice."""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

DRIFT_STEPS = 1
ISSUER = "Streetlight"


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
