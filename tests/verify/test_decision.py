"""What a check found, from a snapshot: every reason, and the same HMAC work whatever the input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from streetlight.db.enums import VerificationOutcome as O
from streetlight.verify import codes, decision
from streetlight.verify.decision import Candidate, Snapshot, decide, match_code

NOW = datetime(2026, 3, 14, 22, 0, tzinfo=UTC)
KEY = codes.code_key(b"k" * 32)


def candidate(code: str = "12345678", duty: int = 1, **fields: object) -> Candidate:
    values: dict[str, object] = {
        "code_id": 1, "engagement_id": 10, "duty_id": duty,
        "code_hash": codes.digest(KEY, 10, code), "expires_at": NOW + timedelta(minutes=5),
        "used_at": None, "revoked_at": None,
    }  # fmt: skip
    values.update(fields)
    return Candidate(**values)  # type: ignore[arg-type]


def outcome(snapshot: Snapshot, code: str = "12345678", limited: bool = False) -> O:
    return decide(
        snapshot, match_code(KEY, code, snapshot.candidates), now=NOW, limited=limited
    ).outcome


@pytest.mark.parametrize(
    ("snapshot", "code", "expected"),
    [
        (Snapshot(1, True, 1, (candidate(),)), "12345678", O.VERIFIED),
        (Snapshot(None, False, None, ()), "12345678", O.UNKNOWN_OFFICER),
        (Snapshot(1, False, None, (candidate(),)), "12345678", O.SUSPENDED),
        (Snapshot(1, True, None, (candidate(),)), "12345678", O.OFF_DUTY),
        (Snapshot(1, True, 2, (candidate(),)), "12345678", O.NO_ENGAGEMENT),
        (Snapshot(1, True, 1, (candidate(),)), "12345679", O.WRONG_CODE),
        (Snapshot(1, True, 1, (candidate(),)), "1234", O.WRONG_CODE),
        (Snapshot(1, True, 1, (candidate(used_at=NOW),)), "12345678", O.USED_CODE),
        (Snapshot(1, True, 1, (candidate(revoked_at=NOW),)), "12345678", O.EXPIRED_CODE),
        (Snapshot(1, True, 1, (candidate(expires_at=NOW),)), "12345678", O.EXPIRED_CODE),
    ],
)
def test_each_outcome(snapshot: Snapshot, code: str, expected: O) -> None:
    assert outcome(snapshot, code) is expected


def test_limited_wins_even_with_the_right_code() -> None:
    assert outcome(Snapshot(1, True, 1, (candidate(),)), limited=True) is O.LIMITED


def test_the_same_number_of_digests_on_every_path(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = codes.digest

    def counting(key: bytes, engagement_id: int, code: str) -> str:
        calls.append(engagement_id)
        return real(key, engagement_id, code)

    monkeypatch.setattr(codes, "digest", counting)
    for candidates, code in (
        ((), "12345678"),
        ((candidate(),), "bad"),
        ((candidate(),) * 4, "12345678"),
    ):
        calls.clear()
        match_code(KEY, code, candidates)
        assert len(calls) == decision.SLOTS
