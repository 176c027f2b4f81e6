"""One-time codes: enough randomness, keyed digests bound to their engagement."""

from __future__ import annotations

import math

from streetlight.verify import codes


def test_codes_are_eight_digits_with_at_least_twenty_bits() -> None:
    made = {codes.new_code() for _ in range(2000)}
    assert all(codes.is_well_formed(c) for c in made)
    assert math.log2(10**codes.DIGITS) >= 20 and len(made) > 1990  # collisions are rare


def test_typing_is_forgiving_but_only_digits_match() -> None:
    assert codes.normalise("1234 5678") == codes.normalise("1234-5678") == "12345678"
    assert codes.display("12345678") == "1234 5678"
    assert not codes.is_well_formed("1234567") and not codes.is_well_formed("\uff11" * 8)


def test_digests_depend_on_key_engagement_and_code() -> None:
    key, other = codes.code_key(b"a" * 32), codes.code_key(b"b" * 32)
    base = codes.digest(key, 7, "12345678")
    assert codes.same(base, codes.digest(key, 7, "12345678"))
    assert not codes.same(base, codes.digest(other, 7, "12345678"))  # a DB copy alone is useless
    assert not codes.same(base, codes.digest(key, 8, "12345678"))  # bound to the engagement
    assert not codes.same(base, codes.digest(key, 7, "12345679"))
    assert "12345678" not in base
