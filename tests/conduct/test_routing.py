"""Routing that cannot be captured: the officer reported, their line of command and anyone the
report names never receive it; reports about professional standards go to oversight."""

from __future__ import annotations

from streetlight.conduct.routing import Recipient, Routing, line_of_command, route
from streetlight.db.enums import ConductContext as Context

# Officers: 1 is a constable managed by sergeant 2, managed by inspector 3, managed by
# superintendent 4. 5 reports to 1 (an acting role). 10, 11 are professional-standards officers
# (public and staff contexts), 12 a civilian investigator; 20 sits on the oversight context.
MANAGER: dict[int, int | None] = {1: 2, 2: 3, 3: 4, 4: None, 5: 1, 10: 4, 11: None}
PSD_PUBLIC = Recipient(1, "Public reports desk", Context.PUBLIC, officer=10)
PSD_STAFF = Recipient(2, "Staff reports desk", Context.STAFF, officer=11)
CIVILIAN = Recipient(3, "Civilian investigator", Context.PUBLIC, officer=None)
SUPER = Recipient(4, "Superintendent", Context.PUBLIC, officer=4)
OVERSIGHT = Recipient(5, "Oversight panel", Context.OVERSIGHT, officer=20)
EVERYONE = (PSD_PUBLIC, PSD_STAFF, CIVILIAN, SUPER, OVERSIGHT)


def _reasons(routing: Routing) -> dict[str, tuple[bool, str]]:
    return {d.recipient.name: (d.receives, d.reason) for d in routing.decisions}


def test_a_public_report_reaches_the_public_context_except_the_officers_line() -> None:
    routing = route(Context.PUBLIC, EVERYONE, subjects=[1], manager=MANAGER)
    assert routing.context is Context.PUBLIC
    assert {r.name for r in routing.recipients} == {"Public reports desk", "Civilian investigator"}
    reasons = _reasons(routing)
    assert reasons["Superintendent"] == (
        False,
        "is in the reported officer's line of command (3 levels above them)",
    )
    assert reasons["Staff reports desk"] == (False, "receives staff reports, not public ones")
    assert reasons["Public reports desk"] == (True, "receives public reports")


def test_the_officer_reported_and_recipients_named_never_receive_it() -> None:
    routing = route(Context.PUBLIC, EVERYONE, subjects=[4], manager=MANAGER, named=[3])
    reasons = _reasons(routing)
    assert reasons["Superintendent"] == (False, "is the officer the report is about")
    assert reasons["Civilian investigator"] == (False, "is named in the report")
    # 10 reports to 4: under the reported officer, so out as well. And 4 receives reports
    # themselves: a report about a recipient goes to oversight.
    assert reasons["Public reports desk"] == (
        False,
        "is in the reported officer's line of command (reports to them)",
    )
    assert routing.context is Context.OVERSIGHT
    assert [r.name for r in routing.recipients] == ["Oversight panel"]
    assert reasons["Staff reports desk"][1] == (
        "the report is about a professional-standards recipient: oversight handles it"
    )


def test_a_report_about_professional_standards_goes_to_oversight() -> None:
    routing = route(Context.STAFF, EVERYONE, subjects=[11], manager=MANAGER)
    assert routing.context is Context.OVERSIGHT
    assert [r.name for r in routing.recipients] == ["Oversight panel"]
    assert _reasons(routing)["Staff reports desk"] == (False, "is the officer the report is about")
    assert _reasons(routing)["Civilian investigator"][1].startswith("the report is about a prof")


def test_an_undescribed_officer_and_an_empty_oversight_leave_the_report_unrouted() -> None:
    described = route(Context.STAFF, EVERYONE)
    assert [r.name for r in described.recipients] == ["Staff reports desk"]
    # The public context has nobody left once the line of command is out: oversight takes the
    # report rather than nobody; with nobody there either, it waits unrouted.
    fallback = route(Context.PUBLIC, [SUPER, OVERSIGHT], subjects=[1], manager=MANAGER)
    assert [r.name for r in fallback.recipients] == ["Oversight panel"]
    alone = route(Context.PUBLIC, [SUPER], subjects=[1], manager=MANAGER)
    assert alone.unrouted and alone.context is Context.OVERSIGHT


def test_line_of_command_walks_up_and_down_and_survives_a_loop() -> None:
    assert line_of_command(2, MANAGER) == {
        3: "their line manager",
        4: "2 levels above them",
        1: "reports to them",
        5: "2 levels under them",
    }
    assert line_of_command(7, {7: 8, 8: 7}) == {8: "their line manager"}
