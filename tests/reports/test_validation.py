"""Checking a submission before anything is stored: each bad field named, the edges accepted."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from streetlight.reports.area import ReportArea
from streetlight.reports.categories import AuditFactor
from streetlight.reports.validation import ReportRejectedError, validate
from tests.reports.sending import NOW, TODAY, pinned, typed

BAD = [
    ({"factors": frozenset()}, "factors"),
    ({"factors": frozenset({"not_a_factor"})}, "factors"),
    ({"factors": "poor_lighting"}, "factors"),
    ({"time_band": 8}, "time_band"),
    ({"time_band": -1}, "time_band"),
    ({"time_band": True}, "time_band"),
    ({"time_band": "7"}, "time_band"),
    ({"occurred_on": TODAY + timedelta(days=2)}, "occurred_on"),
    ({"occurred_on": TODAY - timedelta(days=367)}, "occurred_on"),
    ({"occurred_on": "2026-11-29"}, "occurred_on"),
    ({"occurred_on": NOW}, "occurred_on"),
    ({"lon": None}, "location"),
    ({"lat": None}, "location"),
    ({"lon": float("nan")}, "location"),
    ({"lat": float("inf")}, "location"),
    ({"lon": 200.0}, "location"),
    ({"lat": "54.5"}, "location"),
    ({"place": "x" * 201}, "place"),
    ({"place": "bad\x00place"}, "place"),
    ({"place": 12}, "place"),
    ({"text": "x" * 1001}, "text"),
    ({"text": "x" * 1_000_000}, "text"),
    ({"text": "ring\x07bell"}, "text"),
    ({"text": "escape \x1b[31m red"}, "text"),
    ({"text": "reversed \u202e txt"}, "text"),
    ({"text": "zero\u200bwidth"}, "text"),
    ({"text": "half a pair \ud800"}, "text"),
    ({"scores": {AuditFactor.LIGHTING: 0}}, "score_lighting"),
    ({"scores": {AuditFactor.TRANSPORT: 6}}, "score_transport"),
    ({"scores": {AuditFactor.PEOPLE: 2.5}}, "score_people"),
    ({"scores": {AuditFactor.PEOPLE: True}}, "score_people"),
    ({"scores": {"noise": 3}}, ""),
    ({"language": "de"}, "language"),
]


@pytest.mark.parametrize(("fields", "field"), BAD)
def test_bad_input_is_refused_naming_the_field(
    area: ReportArea, fields: dict[str, object], field: str
) -> None:
    submission = replace(pinned(), **fields)  # type: ignore[arg-type]
    with pytest.raises(ReportRejectedError) as caught:
        validate(submission, area=area, now=NOW)
    assert (caught.value.reason, caught.value.field) == ("invalid", field)
    assert caught.value.message


@pytest.mark.parametrize(
    "fields",
    [
        {"occurred_on": TODAY + timedelta(days=1)},  # a clock ahead of UTC
        {"occurred_on": TODAY - timedelta(days=366)},
        {"time_band": 0},
        {"place": "é" * 200},
        {"text": "x" * 1000},
        {"text": "x" * 998 + "\r\n" + "y"},  # CRLF counts as one character
        {"text": "tab\tand accents: àéîõü, ß, 東京"},
        {"scores": {a: 5 for a in AuditFactor}},
        {"scores": {"lighting": 1}},
        {"factors": frozenset({"followed"})},
    ],
)
def test_edges_that_are_accepted(area: ReportArea, fields: dict[str, object]) -> None:
    validate(replace(pinned(), **fields), area=area, now=NOW)  # type: ignore[arg-type]


def test_no_pin_and_no_place_is_refused(area: ReportArea) -> None:
    with pytest.raises(ReportRejectedError) as caught:
        validate(typed(place="   \n "), area=area, now=NOW)
    assert (caught.value.field, caught.value.reason) == ("place", "invalid")


def test_the_default_scores_are_empty_and_read_only() -> None:
    one = pinned()
    assert dict(one.scores) == {}
    with pytest.raises(TypeError):
        one.scores[AuditFactor.LIGHTING] = 3  # type: ignore[index]


def test_a_naive_now_is_refused(area: ReportArea) -> None:
    with pytest.raises(ValueError, match="naive"):
        validate(pinned(), area=area, now=datetime(2026, 11, 30, 18))
