"""Recipients' private keys, unlocked for the length of a signed-in session and no longer.

A recipient types their key password once per session (`/conduct/desk/unlock`); the private key
is then held here, in this process's memory only, under the session's hash: never in the
database, a cookie or a log. It goes when the recipient locks the desk, when the session's idle
time passes without use, and at the latest when the session's maximum age passes. A server
restart forgets every key (recipients unlock again). One process holds its own keys: with
several app processes, a recipient unlocks on each (the app runs as one process today).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey


@dataclass
class _Held:
    recipient_id: int
    key: X25519PrivateKey
    last_used: datetime
    until: datetime


class KeyCache:
    def __init__(self, idle: timedelta, longest: timedelta) -> None:
        self.idle = idle
        self.longest = longest
        self._held: dict[str, _Held] = {}
        self._lock = threading.Lock()

    def put(
        self, session_hash: str, recipient_id: int, key: X25519PrivateKey, now: datetime
    ) -> None:
        with self._lock:
            self._held[session_hash] = _Held(recipient_id, key, now, now + self.longest)

    def get(self, session_hash: str, recipient_id: int, now: datetime) -> X25519PrivateKey | None:
        """The key if this session unlocked it for this recipient and it has not expired."""
        with self._lock:
            self._forget_expired(now)
            held = self._held.get(session_hash)
            if held is None or held.recipient_id != recipient_id:
                return None
            held.last_used = now
            return held.key

    def drop(self, session_hash: str) -> None:
        with self._lock:
            self._held.pop(session_hash, None)

    def _forget_expired(self, now: datetime) -> None:
        gone = [
            s for s, h in self._held.items() if now >= h.until or now - h.last_used >= self.idle
        ]
        for s in gone:
            del self._held[s]

    def __len__(self) -> int:
        return len(self._held)
