"""The signed form token: genuine, not too fast, not too old, and bound to its purpose."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime, timedelta

import pytest

from streetlight.reports.antispam import (
    HONEYPOT_FIELD,
    SpamSuspectedError,
    check_form_token,
    check_honeypot,
    issue_form_token,
)

SECRET = b"s" * 32
T0 = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
LATER = T0 + timedelta(seconds=30)


def reason(token: str, now: datetime = LATER, secret: bytes = SECRET, **kw: timedelta) -> str:
    with pytest.raises(SpamSuspectedError) as caught:
        check_form_token(secret, token, now, **kw)
    return caught.value.reason


def decode(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_fresh_token_passes_and_yields_a_nonce_hash() -> None:
    token = issue_form_token(SECRET, T0)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token) and len(token) <= 96
    nonce = check_form_token(SECRET, token, LATER)
    assert re.fullmatch(r"[0-9a-f]{64}", nonce)
    assert check_form_token(SECRET, token, LATER + timedelta(minutes=5)) == nonce


def test_every_token_has_its_own_nonce() -> None:
    tokens = {issue_form_token(SECRET, T0) for _ in range(500)}
    assert len(tokens) == 500
    assert len({check_form_token(SECRET, t, LATER) for t in tokens}) == 500


def test_the_nonce_hash_does_not_reveal_the_nonce() -> None:
    token = issue_form_token(SECRET, T0)
    nonce = decode(token)[1:17]
    assert check_form_token(SECRET, token, LATER) != nonce.hex()
    assert nonce.hex() not in check_form_token(SECRET, token, LATER)


def test_too_fast() -> None:
    token = issue_form_token(SECRET, T0)
    assert reason(token, T0) == "too_fast"
    assert reason(token, T0 + timedelta(seconds=2.9)) == "too_fast"
    assert reason(token, T0 - timedelta(minutes=1)) == "too_fast"  # issued "in the future"
    check_form_token(SECRET, token, T0 + timedelta(seconds=3))
    assert reason(token, T0 + timedelta(seconds=5), min_age=timedelta(seconds=10)) == "too_fast"


def test_expired() -> None:
    token = issue_form_token(SECRET, T0)
    check_form_token(SECRET, token, T0 + timedelta(hours=2))
    assert reason(token, T0 + timedelta(hours=2, seconds=1)) == "expired"
    assert reason(token, T0 + timedelta(minutes=11), max_age=timedelta(minutes=10)) == "expired"


def test_wrong_secret() -> None:
    token = issue_form_token(SECRET, T0)
    assert reason(token, secret=b"t" * 32) == "bad_token"


def test_key_is_derived_for_this_purpose_only() -> None:
    """A MAC made with the raw secret (or another purpose's key) is not accepted."""
    token = issue_form_token(SECRET, T0)
    payload = decode(token)[:-32]
    for key in (SECRET, hmac.new(SECRET, b"streetlight/verification-codes/v1", "sha256").digest()):
        forged = encode(payload + hmac.new(key, payload, hashlib.sha256).digest())
        assert reason(forged) == "bad_token"


@pytest.mark.parametrize("position", [0, 1, 10, 17, 20, 24, 30, 56])
def test_any_tampered_byte_is_caught(position: int) -> None:
    raw = bytearray(decode(issue_form_token(SECRET, T0)))
    raw[position] ^= 0x01
    assert reason(encode(bytes(raw))) == "bad_token"


def test_moving_the_issue_time_back_is_caught() -> None:
    raw = decode(issue_form_token(SECRET, T0 + timedelta(seconds=29)))
    earlier = int.from_bytes(raw[17:25]) - 60_000
    forged = raw[:17] + earlier.to_bytes(8) + raw[25:]
    assert reason(encode(forged)) == "bad_token"


@pytest.mark.parametrize(
    "token",
    ["", "x", "!!!!", "A" * 76, "A" * 500, "é" * 76, "AAAA====", issue_form_token(SECRET, T0)[:-4]],
)
def test_malformed_tokens(token: str) -> None:
    assert reason(token) == "bad_token"


def test_the_check_compares_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr("streetlight.reports.antispam.hmac.compare_digest", spy)
    check_form_token(SECRET, issue_form_token(SECRET, T0), LATER)
    assert len(calls) == 1 and len(calls[0][0]) == 32


def test_honeypot() -> None:
    assert HONEYPOT_FIELD == "website"
    check_honeypot("")
    check_honeypot(None)
    with pytest.raises(SpamSuspectedError) as caught:
        check_honeypot("http://spam.example")
    assert caught.value.reason == "honeypot"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        issue_form_token(SECRET, datetime(2026, 11, 30, 18, 0))
