"""One-time verification codes: made with `secrets`, stored only as keyed digests.

A code is 8 decimal digits (10^8 values, 26.6 bits), read out as two groups of four. The database
keeps `HMAC-SHA256(key, "<engagement id>:<code>")`, where `key` is derived from the server's secret
and never stored in the database: someone holding a copy of the database cannot test candidate
codes offline, and a digest is bound to its engagement (it cannot be moved to another one).
Comparisons use `hmac.compare_digest`, so their time does not depend on where digests differ.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

DIGITS = 8
_SPACE = 10**DIGITS
_SEPARATORS = str.maketrans("", "", " -\u00a0\t")
# Domain separation: the code key is not the key that signs CSRF tokens, though derived from it.
_KEY_LABEL = b"streetlight/verification-codes/v1"


def new_code() -> str:
    """A fresh code: `DIGITS` digits from the operating system's CSPRNG."""
    return f"{secrets.randbelow(_SPACE):0{DIGITS}d}"


def display(code: str) -> str:
    """`12345678` -> `1234 5678`, easier to read out and to type."""
    half = DIGITS // 2
    return f"{code[:half]} {code[half:]}"


def normalise(typed: str) -> str:
    """What the public typed, without spaces or dashes (`1234 5678`, `1234-5678` both work)."""
    return typed.translate(_SEPARATORS)[: DIGITS * 2]


def is_well_formed(code: str) -> bool:
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def code_key(secret: bytes) -> bytes:
    """The HMAC key for code digests, derived from the app's secret."""
    return hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()


def digest(key: bytes, engagement_id: int, code: str) -> str:
    """The stored form of `code` for `engagement_id` (hex HMAC-SHA256)."""
    message = f"{engagement_id}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def same(stored: str, computed: str) -> bool:
    """Constant-time equality of two digests."""
    return hmac.compare_digest(stored.encode(), computed.encode())
