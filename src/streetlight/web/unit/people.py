"""One person's pages: their record (`/unit/people/{token}`), the reason asked before opening
someone off one's caseload, and what changes a record: a task's status, a review decision
(retain or erase) and the subject-access export.

- A person's page is a consultation, audited (`streetlight.unit.access.open_person`). An officer
  asking for someone they do not hold, and anyone asking for a token that does not exist, get
  the same answer: a 404 page that asks why they need the record (the same page, the same
  status, the same work). Given a reason, the officer sees the record and the consultation is
  logged with it.
- A supervisor opens anyone (audited as unit supervision) and may record a review decision or
  export everything held on the person for a subject access request; their "Ranking" section
  shows the person's latest place on each harm ranking list, its explanation and every list
  decision (an officer sees it only for lists that adopted the person).
- Unit officers and supervisors see "Offences that may be theirs": the unsolved offences crime
  linkage finds most like the person's offences as suspect, each with its score and breakdown
  in words (`streetlight.unit.linkage_casework`; each showing a consultation in the audit log);
  a supervisor accepts one for investigation or rejects it, with a reason.
- Every change posts a form (CSRF-checked by the app) and redirects back (post/redirect/get);
  what it says on arrival is a message id in the query string, never text from the form.

The token is taken as any text and looked up as it is, so a malformed one gets the same 404 as
a missing one, and FastAPI's validation answer (which quotes the input) never happens.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from streetlight.db.enums import LinkageDecision, ReviewDecision, TaskStatus
from streetlight.db.models import UnitPerson
from streetlight.unit import casework, linkage_casework, listing, records
from streetlight.unit.access import (
    Capability,
    CaseworkForbiddenError,
    PersonNotFoundError,
    TaskNotFoundError,
    open_person,
)
from streetlight.unit.errors import CaseworkAccessError
from streetlight.web.core.i18n import N_
from streetlight.web.core.templating import language
from streetlight.web.unit.desk import ConfidentialRoute, Desk, DeskDep
from streetlight.web.unit.svgmap import offence_map

router = APIRouter(tags=["unit"], include_in_schema=False, route_class=ConfidentialRoute)

# Form fields are read as text and checked here (a reason is at most `audit.REASON_CHARS`).
Text = Annotated[str, Form()]

DONE: dict[str, str] = {
    "task": N_("Task updated."),
    "retained": N_("Review recorded: the record is kept until its next review."),
    "linkage": N_("Decision recorded, with its reason, in the audit log."),
}
PROBLEMS: dict[str, str] = {
    "reason": N_("Give a reason (at most 500 characters): it is kept in the audit log."),
    "next_review": N_("Give the date of the next review, after today and within ten years."),
    "decision": N_("Choose whether to keep or erase the record."),
    "task": N_("That task cannot be changed: it does not exist, or it is not yours to change."),
    "linkage": N_("Choose accept for investigation or reject, for an offence still listed."),
}


def _lang(desk: Desk) -> str:
    return language(desk.request)


def _person_page(desk: Desk, person: UnitPerson, *, status: int = 200) -> Response:
    """The record of someone just opened (the opening is already audited)."""
    today = desk.today()
    file = casework.person_file(desk.db, person, today, desk.settings.zone)
    reader = desk.reader
    held = reader.user_id in file.holder_ids
    params = desk.request.query_params
    return desk.page(
        "unit_person.html",
        {
            "file": file,
            "ranking": _ranking(desk, person),
            "linkage": _linkage(desk, person),
            "task_days": linkage_casework.TASK_DAYS,
            "today": today,
            "map": offence_map(file.points),
            "can_change": {
                t.id: reader.whole_unit or held or t.assigned_to_id == reader.user_id
                for t in file.tasks
            },
            "held": held,
            "statuses": tuple(TaskStatus),
            "done": DONE.get(params.get("done", "")),
            "problem": PROBLEMS.get(params.get("problem", "")),
        },
        status=status,
    )


def _ranking(desk: Desk, person: UnitPerson) -> listing.PersonRanking | None:
    """The person's places on the harm ranking's lists and the decisions about them, for a
    supervisor; an officer sees only the lists that adopted them (as on the list page), and no
    decision history; other roles nothing."""
    if not desk.may(Capability.LIST):
        return None
    found = listing.person_ranking(desk.db, person.id, today=desk.today())
    if desk.reader.whole_unit:
        return found
    adopted = tuple(p for p in found.places if p.standing is listing.Standing.ADOPT)
    return listing.PersonRanking(adopted, ())


def _linkage(desk: Desk, person: UnitPerson) -> linkage_casework.PersonLinkage | None:
    """The unsolved offences that may be the person's, for the unit's roles (each showing is a
    consultation in the audit log); other roles nothing."""
    if not desk.may(Capability.LINKAGE):
        return None
    return linkage_casework.person_linkage(
        desk.db, desk.reader, person, zone=desk.settings.zone, now=desk.now()
    )


def _not_found(
    desk: Desk, token: str, *, problem: str | None = None, status: int = 404
) -> Response:
    """The answer for a token that is missing or not the reader's: an officer is asked for a
    reason (the same page either way); a supervisor, who may open anyone, is told there is no
    such person."""
    if desk.reader.whole_unit:
        return desk.page("unit_not_found.html", {}, status=404)
    return desk.page("unit_reason.html", {"token": token, "problem": problem}, status=status)


@router.get("/unit/people/{token}")
def person_page(desk: DeskDep, token: str) -> Response:
    """A person's record: timeline, victims and their safeguarding, orders, open tasks, map."""
    try:
        person = open_person(desk.db, desk.reader, token, reason=None, now=desk.now())
    except CaseworkForbiddenError:
        return desk.forbidden()
    except PersonNotFoundError:
        return _not_found(desk, token)
    return _person_page(desk, person)


@router.post("/unit/people/{token}/consult")
def consult(desk: DeskDep, token: str, reason: Text = "") -> Response:
    """Open a record off one's caseload, for a reason kept in the audit log."""
    try:
        person = open_person(desk.db, desk.reader, token, reason=reason, now=desk.now())
    except CaseworkForbiddenError:
        return desk.forbidden()
    except PersonNotFoundError:
        return desk.page("unit_not_found.html", {}, status=404)
    except CaseworkAccessError:  # no reason, or too long: asked again, whoever it is
        return _not_found(desk, token, problem=PROBLEMS["reason"], status=400)
    return _person_page(desk, person)


def _back_to(token: str, desk: Desk, anchor: str, **params: str) -> Response:
    query = urlencode({**params, "lang": _lang(desk)})
    return RedirectResponse(f"/unit/people/{token}?{query}#{anchor}", status_code=303)


@router.post("/unit/tasks/{task_id}/status")
def task_status(
    desk: DeskDep, task_id: str, status: Text = "", back: Text = "", reason: Text = ""
) -> Response:
    """Move a task on (open, in progress, done, cancelled); audited as an alteration."""
    if (refusal := desk.refuse_unless(Capability.TASKS)) is not None:
        return refusal
    lang = _lang(desk)
    number = int(task_id) if task_id.isdigit() and len(task_id) <= 9 else 0
    try:
        new = TaskStatus(status)
        change = records.set_task_status(
            desk.db, desk.reader, number, new, reason=reason.strip() or None, now=desk.now()
        )
    except ValueError:
        return RedirectResponse(f"/unit?problem=task&lang={lang}", status_code=303)
    except (TaskNotFoundError, CaseworkAccessError):
        return RedirectResponse(f"/unit?problem=task&lang={lang}", status_code=303)
    if back == "person" and change.in_remit:
        return _back_to(change.token, desk, "tasks", done="task")
    return RedirectResponse(f"/unit?done=task&lang={lang}#tasks", status_code=303)


@router.post("/unit/people/{token}/review")
def review(
    desk: DeskDep, token: str, decision: Text = "", next_review: Text = "", reason: Text = ""
) -> Response:
    """A supervisor's review decision: keep the record until a next review, or erase it."""
    if (refusal := desk.refuse_unless(Capability.REVIEWS, page="review")) is not None:
        return refusal
    try:
        chosen = ReviewDecision(decision)
    except ValueError:
        return _back_to(token, desk, "review", problem="decision")
    try:
        when = date.fromisoformat(next_review) if chosen is ReviewDecision.RETAIN else None
    except ValueError:
        return _back_to(token, desk, "review", problem="next_review")
    try:
        records.record_review(
            desk.db,
            desk.reader,
            token,
            chosen,
            reason=reason,
            next_review=when,
            today=desk.today(),
            now=desk.now(),
        )
    except PersonNotFoundError:
        return desk.page("unit_not_found.html", {}, status=404)
    except records.ReviewDecisionError:
        return _back_to(token, desk, "review", problem="next_review")
    except CaseworkAccessError:
        return _back_to(token, desk, "review", problem="reason")
    if chosen is ReviewDecision.ERASE:
        return RedirectResponse(f"/unit?done=erased&lang={_lang(desk)}", status_code=303)
    return _back_to(token, desk, "review", done="retained")


@router.post("/unit/people/{token}/linkage")
def linkage_decision(
    desk: DeskDep,
    token: str,
    offence: Text = "",
    decision: Text = "",
    reason: Text = "",
    task: Text = "",
) -> Response:
    """A supervisor's decision about an unsolved offence that may be the person's: accept for
    investigation (and, if asked, a task for them due in `TASK_DAYS`) or reject, with a reason;
    audited as an alteration."""
    if (refusal := desk.refuse_unless(Capability.LINKAGE_DECIDE, page="linkage")) is not None:
        return refusal
    try:
        chosen = LinkageDecision(decision)
    except ValueError:
        return _back_to(token, desk, "linkage", problem="linkage")
    wanted = task == "yes" and chosen is LinkageDecision.ACCEPT
    due = desk.today() + timedelta(days=linkage_casework.TASK_DAYS) if wanted else None
    try:
        linkage_casework.decide(
            desk.db,
            desk.reader,
            token,
            offence,
            chosen,
            reason=reason,
            zone=desk.settings.zone,
            now=desk.now(),
            task_due=due,
        )
    except PersonNotFoundError:
        return desk.page("unit_not_found.html", {}, status=404)
    except linkage_casework.LinkageError:
        return _back_to(token, desk, "linkage", problem="linkage")
    except CaseworkAccessError:
        return _back_to(token, desk, "linkage", problem="reason")
    return _back_to(token, desk, "linkage", done="linkage")


@router.post("/unit/people/{token}/export")
def export(desk: DeskDep, token: str, reason: Text = "") -> Response:
    """Everything held on the person, as a JSON download for a subject access request; audited
    as a disclosure to the data subject."""
    if (refusal := desk.refuse_unless(Capability.DISCLOSE, page="export")) is not None:
        return refusal
    try:
        data = records.subject_access(desk.db, desk.reader, token, reason=reason, now=desk.now())
    except PersonNotFoundError:
        return desk.page("unit_not_found.html", {}, status=404)
    except CaseworkAccessError:
        return _back_to(token, desk, "export", problem="reason")
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    name = f"subject-access-{token[:8]}-{desk.today().isoformat()}.json"
    return Response(
        body,
        media_type="application/json",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
