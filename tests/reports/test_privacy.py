"""Public precision: deterministic 250 m cells, and free text scrubbed of who someone is."""

from __future__ import annotations

import numpy as np
import pytest

from streetlight.reports.privacy import (
    MIN_PUBLIC_REPORTS,
    PUBLIC_CELL_M,
    cell_centres,
    scrub,
    snap,
)


def test_public_precision_is_at_least_250_m_and_5_reports() -> None:
    assert PUBLIC_CELL_M >= 250.0
    assert MIN_PUBLIC_REPORTS >= 5


def test_snap_floors_to_multiples_of_the_cell() -> None:
    i, j = snap([0.0, 249.9, 250.0, 499.99, 1000.0], [0.0, 0.1, 250.0, 750.0, 1249.0])
    assert i.tolist() == [0, 0, 1, 1, 4]
    assert j.tolist() == [0, 0, 1, 3, 4]
    assert i.dtype == np.int64 and j.dtype == np.int64


def test_snap_handles_negative_coordinates_by_flooring_not_truncating() -> None:
    i, j = snap([-0.1, -250.0, -250.1, -499.9], [-1.0, -249.9, -500.0, -500.1])
    assert i.tolist() == [-1, -1, -2, -2]
    assert j.tolist() == [-1, -1, -2, -3]


def test_snap_is_deterministic_and_every_point_of_a_cell_maps_to_it() -> None:
    rng = np.random.default_rng(6)
    for ci, cj in [(1795, 2092), (-3, -7), (0, 0), (-1, 4)]:
        x = rng.uniform(ci * PUBLIC_CELL_M, (ci + 1) * PUBLIC_CELL_M, 1_000)
        y = rng.uniform(cj * PUBLIC_CELL_M, (cj + 1) * PUBLIC_CELL_M, 1_000)
        first = snap(x, y)
        again = snap(x.copy(), y.copy())
        assert set(first[0].tolist()) == {ci} and set(first[1].tolist()) == {cj}
        assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])


def test_snap_is_invariant_to_point_order() -> None:
    rng = np.random.default_rng(7)
    x, y = rng.uniform(-5e3, 5e5, 500), rng.uniform(-5e3, 5e5, 500)
    order = rng.permutation(500)
    i, j = snap(x, y)
    pi, pj = snap(x[order], y[order])
    assert np.array_equal(i[order], pi) and np.array_equal(j[order], pj)


def test_snap_takes_other_cell_sizes_and_centres_lie_inside_their_cell() -> None:
    i, j = snap([999.0, 1001.0], [0.0, -1.0], cell=500.0)
    assert i.tolist() == [1, 2] and j.tolist() == [0, -1]
    cx, cy = cell_centres(i, j, cell=500.0)
    assert cx.tolist() == [750.0, 1250.0] and cy.tolist() == [250.0, -250.0]
    back = snap(cx, cy, cell=500.0)
    assert np.array_equal(back[0], i) and np.array_equal(back[1], j)


@pytest.mark.parametrize(
    ("x", "y", "cell"),
    [([np.nan], [0.0], 250.0), ([0.0], [np.inf], 250.0), ([0.0], [0.0], 0.0), ([1.0], [], 250.0)],
)
def test_snap_refuses_missing_points_and_bad_cells(
    x: list[float], y: list[float], cell: float
) -> None:
    with pytest.raises(ValueError):
        snap(x, y, cell)


PHONES = [
    "07700 900123",
    "07700900123",
    "0770 090 0123",
    "+44 7700 900123",
    "+447700900123",
    "+44 (0)7700 900123",
    "0044 7700 900123",
    "(0113) 496 0000",
    "0113-496-0000",
    "0113 496 0000",
    "0113.496.0000",
    "020 7946 0000",
    "01632 960000",
    "+33 1 23 45 67 89",
    "+1 555 123 4567",
    "+1-202-555-0143",
]
EMAILS = [
    "jo.bloggs@example.co.uk",
    "a@b.io",
    "first.last+tag@sub.example.org",
    "X_Y-1@ex-ample.com",
]
PLATES = [
    "AB12 CDE",
    "AB12CDE",
    "ab12 cde",
    "YX68 OKA",
    "A123 BCD",
    "A1 BCD",
    "ABC 123D",
    "ABC123D",
    "ABC 123",
    "ABC 1234",
    "123 ABC",
]
KEPT = [
    "999",
    "call 999 or 101",
    "101",
    "112",
    "at 10:30",
    "from 21:00 to 23:30",
    "23/11/2025",
    "01/12/2025",
    "01.12.2025",
    "2025-11-23",
    "No 12 High Street",
    "flat 3B, 27 Albert Road",
    "the A19",
    "THE A19",
    "A19 BUS",
    "the M62 near J25",
    "the B1234",
    "bus 36",
    "BUS 36",
    "NHS 111",
    "route X4",
    "postcode TS1 2AB",
    "about 20 men aged 40-50",
    "0800 1111",
    "in 2024 and 2025",
    "£1,000,000",
    "3 times at 01:30",
    "Car park level 3",
    "the 10.45 train",
    "a lamp post numbered 1234",
]


@pytest.mark.parametrize("phone", PHONES)
def test_phone_numbers_are_scrubbed_in_context(phone: str) -> None:
    assert scrub(phone) == "[phone]"
    assert scrub(f"he said call {phone}, then left") == "he said call [phone], then left"
    assert scrub(f"({phone})") in ("([phone])", "[phone])")


@pytest.mark.parametrize("email", EMAILS)
def test_email_addresses_are_scrubbed(email: str) -> None:
    assert scrub(email) == "[email]"
    assert scrub(f"write to {email}.") == "write to [email]."


@pytest.mark.parametrize("plate", PLATES)
def test_vehicle_registrations_are_scrubbed(plate: str) -> None:
    assert scrub(plate) == "[vehicle]"
    assert scrub(f"a white van {plate} followed me") == "a white van [vehicle] followed me"


@pytest.mark.parametrize("text", KEPT)
def test_numbers_that_identify_nobody_survive(text: str) -> None:
    assert scrub(text) == text


def test_a_real_looking_report_keeps_its_sense() -> None:
    text = (
        "Around 22:15 on 23/11/2025 a man in a silver car (AB12 CDE) followed me from the bus "
        "stop on the A19 to No 12 High Street. He shouted his number 07700 900123 and "
        "jo@example.com. I called 101 the next day."
    )
    assert scrub(text) == (
        "Around 22:15 on 23/11/2025 a man in a silver car ([vehicle]) followed me from the bus "
        "stop on the A19 to No 12 High Street. He shouted his number [phone] and "
        "[email]. I called 101 the next day."
    )


def test_scrub_is_idempotent_and_keeps_empty_text() -> None:
    assert scrub("") == ""
    once = scrub("07700 900123 AB12CDE a@b.io")
    assert once == "[phone] [vehicle] [email]"
    assert scrub(once) == once
