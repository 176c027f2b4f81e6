"""The unit's list pages: the caseload (`/unit`), the bail and orders board (`/unit/board`), the
dashboard (`/unit/dashboard`) and the auditor's log (`/unit/audit`); one person's pages are
`people.py`.

Who may see which is `streetlight.unit.access.GRANTS` (deny by default); anyone else signed in
gets a 403, recorded. A list that names people (the caseload, the board) is recorded as one
`unit.view` entry with how many it listed; the dashboard names no one; reading the audit log is
recorded as `audit.view`. Every page is plain HTML that works without JavaScript.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.responses import Response

from streetlight.db.enums import TaskStatus
from streetlight.unit import access, auditlog, casework, listing
from streetlight.unit.access import Capability
from streetlight.unit.casework import BoardState
from streetlight.web.core.i18n import N_
from streetlight.web.unit.desk import ConfidentialRoute, DeskDep

router = APIRouter(tags=["unit"], include_in_schema=False, route_class=ConfidentialRoute)

DONE: dict[str, str] = {
    "task": N_("Task updated."),
    "erased": N_("The record was erased. The audit log keeps who erased it, when and why."),
}
# The caseload page lists this many open tasks, the most urgent (each person's page has theirs).
TASKS_SHOWN = 100
PROBLEMS: dict[str, str] = {
    "task": N_("That task cannot be changed: it does not exist, or it is not yours to change."),
}


@router.get("/unit")
def caseload_page(desk: DeskDep) -> Response:
    """My people and their tasks, overdue first (a supervisor: the whole unit's)."""
    if (refusal := desk.refuse_unless(Capability.CASELOAD)) is not None:
        return refusal
    params = dict(desk.request.query_params)
    first = _whole(params.get("from", "")) or 0
    load = casework.caseload(desk.db, desk.reader.holder, desk.today(), first=first)
    tokens = [h.person.token for h in load.people]
    marks = listing.caseload_marks(desk.db, desk.reader, tokens, today=desk.today())
    access.viewed(desk.db, desk.reader, "caseload", people=len(load.people), now=desk.now())
    return desk.page(
        "unit_caseload.html",
        {
            "load": load,
            "marks": marks,
            "tasks_shown": TASKS_SHOWN,
            "today": desk.today(),
            "statuses": tuple(TaskStatus),
            "done": DONE.get(params.get("done", "")),
            "problem": PROBLEMS.get(params.get("problem", "")),
        },
    )


@router.get("/unit/board")
def board_page(desk: DeskDep) -> Response:
    """Bail and orders ending within 14 days, lapsed without a decision, or breached."""
    if (refusal := desk.refuse_unless(Capability.BOARD)) is not None:
        return refusal
    today = desk.today()
    params = desk.request.query_params
    only = next((s for s in BoardState if s.value == params.get("state")), None)
    first = (_whole(params.get("from", "")) or 0) if only else 0
    board = casework.board(
        desk.db, desk.reader.holder, today, desk.settings.zone, state=only, first=first
    )
    people = len({item.person.token for item in board.items})
    access.viewed(desk.db, desk.reader, "board", people=people, now=desk.now())
    return desk.page("unit_board.html", {"board": board, "today": today, "only": only})


@router.get("/unit/dashboard")
def dashboard_page(desk: DeskDep) -> Response:
    """Arrests, charges and outcomes by month and offence group; time from report to arrest."""
    if (refusal := desk.refuse_unless(Capability.DASHBOARD)) is not None:
        return refusal
    numbers = casework.dashboard(desk.db, desk.today(), desk.settings.zone)
    return desk.page("unit_dashboard.html", {"numbers": numbers})


def _whole(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) <= 10 else None


@router.get("/unit/audit")
def audit_page(desk: DeskDep) -> Response:
    """The casework's audit entries, newest first, filtered by action and person token: who,
    when, what and why, never the record."""
    if (refusal := desk.refuse_unless(Capability.AUDIT_LOG)) is not None:
        return refusal
    params = desk.request.query_params
    action = params.get("action", "")
    action = action if action in auditlog.ACTIONS else ""
    token = params.get("token", "").strip().lower()[:64]
    before = _whole(params.get("before", ""))
    page = auditlog.entries(
        desk.db,
        desk.reader,
        action=action or None,
        subject=access.token_subject(token) if token else None,
        before=before,
        now=desk.now(),
    )
    older = urlencode({"action": action, "token": token, "before": page.older or ""})
    return desk.page(
        "unit_audit.html",
        {
            "page": page,
            "action": action,
            "token": token,
            "actions": auditlog.ACTIONS,
            "older": older if page.older else "",
        },
    )
