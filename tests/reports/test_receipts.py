"""Receipt codes: random, readable, forgiving to type, stored only as a hash."""

from __future__ import annotations

import hashlib
import re

import pytest

from streetlight.reports.receipts import (
    ALPHABET,
    BITS,
    is_well_formed,
    new_receipt,
    normalise,
    receipt_hash,
)

SHAPE = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


def test_alphabet_is_crockford_base32() -> None:
    assert len(ALPHABET) == 32 and len(set(ALPHABET)) == 32
    assert not set("ILOU") & set(ALPHABET)
    assert BITS >= 60


def test_codes_have_four_groups_of_the_alphabet_and_do_not_repeat() -> None:
    codes = [new_receipt() for _ in range(2_000)]
    assert all(SHAPE.match(code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert all(is_well_formed(code) for code in codes)


def test_codes_come_from_the_secrets_module(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def choice(seq: str) -> str:
        calls.append(seq)
        return seq[-1]

    monkeypatch.setattr("streetlight.reports.receipts.secrets.choice", choice)
    assert new_receipt() == "ZZZZ-ZZZZ-ZZZZ-ZZZZ"
    assert len(calls) == 16


def test_every_character_is_used() -> None:
    seen = set("".join(new_receipt() for _ in range(500)).replace("-", ""))
    assert seen == set(ALPHABET)


@pytest.mark.parametrize(
    "typed",
    [
        "R7KX-94QM-2HFA-8ZCW",
        "r7kx-94qm-2hfa-8zcw",
        "R7KX94QM2HFA8ZCW",
        " r7kx 94qm 2hfa 8zcw ",
        "R7KX—94QM".replace("—", "-") + "2HFA8ZCW",
        "R7KX\u00a094QM\t2HFA 8ZCW",
    ],
)
def test_typing_is_forgiving(typed: str) -> None:
    assert normalise(typed) == "R7KX94QM2HFA8ZCW"
    assert receipt_hash(typed) == hashlib.sha256(b"R7KX94QM2HFA8ZCW").hexdigest()


def test_letters_that_look_like_digits_read_as_digits() -> None:
    assert normalise("o0Oi1IlL") == "00011111"
    assert receipt_hash("1OOO-LLLL-IIII-0000") == receipt_hash("1000-1111-1111-0000")


def test_hash_is_lowercase_sha256_hex_and_differs_between_codes() -> None:
    digest = receipt_hash("R7KX-94QM-2HFA-8ZCW")
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest != receipt_hash("R7KX-94QM-2HFA-8ZCX")


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "R7KX-94QM-2HFA",
        "R7KX-94QM-2HFA-8ZCW-AAAA",
        "R7KX-94QM-2HFA-8ZC!",
        "U7KX-94QM-2HFA-8ZCW",
        "é" * 16,
    ],
)
def test_malformed_codes_are_not_looked_up(typed: str) -> None:
    assert not is_well_formed(typed)


def test_huge_input_is_cut_before_normalising() -> None:
    assert len(normalise("A" * 1_000_000)) <= 64
    receipt_hash("A" * 1_000_000)  # no error, no megabyte hash input
