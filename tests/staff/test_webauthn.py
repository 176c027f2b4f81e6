"""The relying party's own rules for security keys (the ceremonies are in tests/web/test_webauthn.py)."""

from __future__ import annotations

import pytest

from streetlight.staff.webauthn import counter_advanced


@pytest.mark.parametrize(
    ("stored", "reported", "ok"),
    [(0, 0, True), (0, 1, True), (5, 6, True), (5, 5, False), (5, 4, False), (5, 0, False)],
)
def test_the_counter_rule(stored: int, reported: int, ok: bool) -> None:
    assert counter_advanced(stored, reported) is ok
