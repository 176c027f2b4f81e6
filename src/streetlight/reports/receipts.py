"""Receipt codes: what a reporter keeps to come back and see what the force did.

A code is 16 characters of Crockford's base32 (80 random bits from `secrets`), shown as four
groups of four: `R7KX-94QM-2HFA-8ZCW`. Too many to guess, so the database keeps only its plain
SHA-256 (`receipt_hash`): a stored hash cannot be turned back into a code, and a lookup needs no
secret key. Crockford's alphabet has no I, L, O or U, and what people type is read forgivingly:
any case, spaces and dashes anywhere, O as 0, I and L as 1.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
BITS = LENGTH * 5  # 80
_TYPED_CHARS = 64  # longer input is not a receipt: no point hashing it
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = str.maketrans("", "", " -_\u00a0\t\r\n.")


def new_receipt() -> str:
    """A fresh code, four groups of four characters (`R7KX-94QM-2HFA-8ZCW`), from the operating
    system's CSPRNG."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(chars[n : n + GROUP] for n in range(0, LENGTH, GROUP))


def normalise(typed: str) -> str:
    """The code's 16 characters as stored, from what someone typed (`r7kx 94qm-2hfa 8zcw`)."""
    return typed[:_TYPED_CHARS].translate(_SEPARATORS).upper().translate(_READ_AS)


def is_well_formed(typed: str) -> bool:
    """16 characters of the alphabet once normalised: worth looking up."""
    code = normalise(typed)
    return len(code) == LENGTH and all(ch in ALPHABET for ch in code)


def receipt_hash(code: str) -> str:
    """Lower-case hex SHA-256 of the normalised code: what the database stores and looks up."""
    return hashlib.sha256(normalise(code).encode("ascii", "replace")).hexdigest()
