"""argon2id password hashing (argon2-cffi's RFC 9106 low-memory profile by default).

`verify` does the same work whether or not the account exists (it checks a dummy hash for unknown
users), so the response time does not tell an attacker which usernames are real.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_CHARS = 12


@dataclass
class Passwords:
    """Hashes and checks passwords; `hasher` may be made cheaper in tests, never in production."""

    hasher: PasswordHasher = field(default_factory=PasswordHasher)
    _dummy: str = ""

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when `password` matches; checks a dummy hash when `stored_hash` is None."""
        if stored_hash is None:
            if not self._dummy:
                self._dummy = self.hasher.hash("streetlight-dummy-password")
            stored_hash = self._dummy
            password = password + "\x00unknown-user"  # never matches the dummy
        try:
            return self.hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        """True when the hash used weaker parameters than today's (rehash at next sign-in)."""
        return self.hasher.check_needs_rehash(stored_hash)
