"""The person page's "Offences that may be theirs", on SQLite and PostgreSQL: the unsolved
offences crime linkage finds most like a suspect's, with their scores and breakdown in words,
each showing a consultation in the audit log; a supervisor's accept or reject (CSRF-checked,
role-checked, a reason required) recorded with the score and model, and shown afterwards."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from streetlight.db.enums import LinkageDecision
from streetlight.db.models import UnitLinkageDecision
from streetlight.unit.linkage_casework import CONSULT_REASON
from tests.unit.casework_data import NAMES, REFS
from tests.web.conftest import Clock, MakeStaff, csrf_token
from tests.web.test_unit_pages import Unit, _form, _person, seeded_unit

UNSOLVED = "CL/00702/25"


@pytest.fixture
def unit(app: FastAPI, make_staff: MakeStaff, clock: Clock) -> Unit:
    """The unit pages' casework (as `test_unit_pages.unit`)."""
    return seeded_unit(app, make_staff, clock)


def _decisions(unit: Unit) -> int:
    with unit.sessions() as session:
        return session.scalar(select(func.count()).select_from(UnitLinkageDecision)) or 0


def test_a_suspects_page_shows_the_offences_that_may_be_theirs_and_logs_it(unit: Unit) -> None:
    supervisor = unit.client("supervisor")
    before = unit.last_id()
    page = supervisor.get(_person(unit, "N100234"))
    assert page.status_code == 200
    text = page.text
    assert 'id="linkage"' in text and "Offences that may be theirs" in text
    assert f"crime {UNSOLVED}" in text and "never evidence in itself" in text
    assert "Most like their crime CL/00" in text and " apart" in text
    assert "Evidence: " in text and 'id="linkage-form-1"' in text
    token = unit.work.token("N100234")
    consults = [e for e in unit.audit(after=before) if e[1] == "unit.consult"]
    assert [c[3]["reason"] for c in consults] == ["unit supervision", CONSULT_REASON]
    assert consults[1][2] == f"unit_person:{token}" and consults[1][3]["shown"] == 1


def test_an_officer_sees_the_offences_but_may_not_decide(unit: Unit) -> None:
    officer = unit.client("officer")
    page = officer.get(_person(unit, "N100234"))
    assert f"crime {UNSOLVED}" in page.text and 'id="linkage-form-1"' not in page.text
    before = unit.last_id()
    answer = officer.post(
        f"{_person(unit, 'N100234')}/linkage",
        data=_form(officer, offence=UNSOLVED, decision="accept", reason="mine"),
    )
    assert answer.status_code == 403
    assert [e[1:3] for e in unit.audit(after=before)] == [("unit.refused", "unit_page:linkage")]
    assert _decisions(unit) == 0


def test_a_victims_page_has_nothing_to_compare(unit: Unit) -> None:
    page = unit.client("supervisor").get(_person(unit, "N200117"))
    assert 'id="no-linkage"' in page.text and 'id="linked-offences"' not in page.text


def test_a_supervisors_decision_is_recorded_logged_and_shown(unit: Unit) -> None:
    supervisor = unit.client("supervisor")
    path = _person(unit, "N100234")
    before = unit.last_id()
    answer = supervisor.post(
        f"{path}/linkage",
        data=_form(
            supervisor,
            offence=UNSOLVED,
            decision="accept",
            reason="same street: for the OIC",
            task="yes",
        ),
    )
    assert answer.status_code == 303
    assert answer.headers["location"].endswith("done=linkage&lang=en#linkage")
    alters = [e for e in unit.audit(after=before) if e[1] == "unit.alter"]
    assert len(alters) == 1 and alters[0][3]["decision"] == "accept"
    assert alters[0][3]["changed"] == ["unit_linkage_decisions.decision", "unit_tasks"]
    with unit.sessions() as session:
        row = session.scalars(select(UnitLinkageDecision)).one()
        assert row.decision is LinkageDecision.ACCEPT and row.model == "logistic"
    page = supervisor.get(answer.headers["location"])
    assert "Decision recorded, with its reason, in the audit log." in page.text
    assert 'id="linkage-decisions"' in page.text and "same street: for the OIC" in page.text
    assert "accepted for investigation" in page.text
    assert "Investigate a possible link to unsolved crime CL/00702/25" in page.text  # the task


def test_a_decision_needs_a_choice_a_reason_and_a_listed_offence(unit: Unit) -> None:
    supervisor = unit.client("supervisor")
    path = _person(unit, "N100234")
    for fields, problem in (
        ({"offence": UNSOLVED, "decision": "maybe", "reason": "x"}, "linkage"),
        ({"offence": UNSOLVED, "decision": "reject", "reason": "  "}, "reason"),
        ({"offence": "CL/00644/25", "decision": "reject", "reason": "x"}, "linkage"),
    ):
        answer = supervisor.post(f"{path}/linkage", data=_form(supervisor, **fields))
        assert answer.status_code == 303
        assert f"problem={problem}" in answer.headers["location"]
    missing = supervisor.post(
        "/unit/people/" + "0" * 32 + "/linkage",
        data=_form(supervisor, offence=UNSOLVED, decision="reject", reason="x"),
    )
    assert missing.status_code == 404
    assert _decisions(unit) == 0


def test_a_forged_decision_is_refused(unit: Unit) -> None:
    supervisor = unit.client("supervisor")
    someone_elses = csrf_token(unit.client("colleague"), "/dashboard")
    before = unit.last_id()
    for token in ("", "0" * 64, someone_elses):
        answer = supervisor.post(
            f"{_person(unit, 'N100234')}/linkage",
            data={"csrf_token": token, "offence": UNSOLVED, "decision": "accept", "reason": "x"},
        )
        assert answer.status_code == 403
        for value in (*NAMES, *REFS):
            assert value.upper() not in answer.text.upper()
    assert [e for e in unit.audit(after=before) if e[1].startswith("unit.")] == []
    assert _decisions(unit) == 0


def test_nothing_of_the_linkage_reaches_the_servers_log(
    unit: Unit, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    supervisor = unit.client("supervisor")
    path = _person(unit, "N100234")
    supervisor.get(path)
    supervisor.post(
        f"{path}/linkage",
        data=_form(supervisor, offence=UNSOLVED, decision="reject", reason="alibi confirmed"),
    )
    supervisor.post(
        f"{path}/linkage",
        data=_form(supervisor, offence="CL/00644/25", decision="reject", reason="solved one"),
    )
    logged = "\n".join(
        f"{r.getMessage()} {r.args!r} {r.exc_text or ''}"
        for r in caplog.records
        if not r.name.startswith(("httpx", "httpcore"))
    )
    secrets = (*NAMES, *REFS, unit.work.token("N100234"), UNSOLVED, "CL/00644/25", "alibi")
    for value in secrets:
        assert value.upper() not in logged.upper(), value
