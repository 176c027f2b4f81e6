"""What a public verification found, decided from a snapshot of the database (pure).

`match_code` always computes the same number of digests (`SLOTS`), padding with dummies, and
`decide` runs the same few comparisons on every path, so neither the work nor the answer tells an
unknown warrant number from a wrong code. Only `VERIFIED` is ever reported as verified; the public
sees every other outcome as the same "cannot confirm".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from streetlight.db.enums import VerificationOutcome
from streetlight.verify import codes

# How many of an officer's most recent codes a check compares against (an officer rarely has more
# than one live code; the others let a check say "used" or "expired" to the control room).
SLOTS = 4
_DUMMY_DIGEST = "0" * 64


@dataclass(frozen=True)
class Candidate:
    """One of the officer's recent codes, with its engagement and that engagement's duty."""

    code_id: int
    engagement_id: int
    duty_id: int
    code_hash: str
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class Snapshot:
    """The database's answer for one warrant number; `officer_id` is None when unknown."""

    officer_id: int | None
    officer_active: bool
    open_duty_id: int | None
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class Decision:
    outcome: VerificationOutcome
    candidate: Candidate | None = None

    @property
    def verified(self) -> bool:
        return self.outcome is VerificationOutcome.VERIFIED


def match_code(key: bytes, code: str, candidates: Sequence[Candidate]) -> Candidate | None:
    """The candidate whose digest matches `code`, doing `SLOTS` HMACs and comparisons whatever
    the number of candidates (and for a malformed code too)."""
    found: Candidate | None = None
    typed = code if codes.is_well_formed(code) else "x" * codes.DIGITS
    for slot in range(SLOTS):
        candidate = candidates[slot] if slot < len(candidates) else None
        engagement_id = candidate.engagement_id if candidate is not None else 0
        computed = codes.digest(key, engagement_id, typed)
        stored = candidate.code_hash if candidate is not None else _DUMMY_DIGEST
        if codes.same(stored, computed) and candidate is not None and found is None:
            found = candidate
    if not codes.is_well_formed(code):
        return None
    return found


def decide(
    snapshot: Snapshot, matched: Candidate | None, *, now: datetime, limited: bool
) -> Decision:
    """The outcome, most fundamental reason first (a suspended officer's valid code is still
    "suspended"). `limited`: too many recent failures for this warrant number or client, so the
    code is not even considered."""
    if limited:
        return Decision(VerificationOutcome.LIMITED)
    if snapshot.officer_id is None:
        return Decision(VerificationOutcome.UNKNOWN_OFFICER)
    if not snapshot.officer_active:
        return Decision(VerificationOutcome.SUSPENDED)
    if snapshot.open_duty_id is None:
        return Decision(VerificationOutcome.OFF_DUTY)
    on_this_duty = [c for c in snapshot.candidates if c.duty_id == snapshot.open_duty_id]
    if not on_this_duty:
        return Decision(VerificationOutcome.NO_ENGAGEMENT)
    if matched is None:
        return Decision(VerificationOutcome.WRONG_CODE)
    if matched.duty_id != snapshot.open_duty_id:
        # A code from an earlier duty: the officer went off duty since.
        return Decision(VerificationOutcome.OFF_DUTY, matched)
    if matched.used_at is not None:
        return Decision(VerificationOutcome.USED_CODE, matched)
    if matched.revoked_at is not None or now >= matched.expires_at:
        return Decision(VerificationOutcome.EXPIRED_CODE, matched)
    return Decision(VerificationOutcome.VERIFIED, matched)
