"""The harm ranking's list (`/unit/list`): a prompt for supervisors' recorded decisions, never a
decision (`streetlight.unit.listing` holds the rules).

- Unit supervisors see the latest refresh of a method's list: each person's rank, score, the
  ranking's explanation offence by offence, and their standing decision with its reason, and
  decide (adopt, not now, remove, with a reason) or refresh the list as of today.
- Unit officers see only the people they hold whom a supervisor has adopted: the work the list
  gives them, not who else is ranked nor what was decided against. Any other role: 403, recorded.
- A task may be created from the list only for an adopted person (the button is shown for them
  only, and the library refuses anyone else whatever is posted).

Every form posts with the app's CSRF token and redirects back (post/redirect/get) with a message
id, never text from the form. The view is one `unit.view`; each decision a `unit.alter` with its
reason.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from streetlight.db.enums import ListDecision, TaskKind
from streetlight.unit import listing
from streetlight.unit.access import Capability, PersonNotFoundError
from streetlight.unit.errors import CaseworkAccessError
from streetlight.unit.ranking import METHODS, Ranking
from streetlight.web.core.i18n import N_
from streetlight.web.core.templating import language
from streetlight.web.unit.desk import ConfidentialRoute, Desk, DeskDep

router = APIRouter(tags=["unit"], include_in_schema=False, route_class=ConfidentialRoute)

Text = Annotated[str, Form()]
DEFAULT_TOP = 100  # the Met's V100 acts on its top 100

DONE: dict[str, str] = {
    "refreshed": N_("The list was refreshed as of today. Earlier decisions stand."),
    "decided": N_("Decision recorded, with its reason, in the audit log."),
    "task": N_("Task created from the list."),
}
PROBLEMS: dict[str, str] = {
    "reason": N_("Give a reason (at most 500 characters): it is kept in the audit log."),
    "decision": N_("Choose adopt, not now or remove."),
    "top": N_("The list keeps 1 to 1000 people."),
    "not_adopted": N_(
        "Nobody is tasked from the list until a supervisor has adopted them: record an adopt "
        "decision first (or renew one that has expired)."
    ),
    "task": N_("Choose the task and a due date."),
}


def _method(text: str) -> str:
    return text if text in METHODS else "v100"


def _back(desk: Desk, method: str, anchor: str = "", **params: str) -> Response:
    query = urlencode({"method": method, **params, "lang": language(desk.request)})
    return RedirectResponse(f"/unit/list?{query}{anchor}", status_code=303)


@router.get("/unit/list")
def list_page(desk: DeskDep) -> Response:
    """The latest refresh of a method's list, each person with their standing decision."""
    if (refusal := desk.refuse_unless(Capability.LIST)) is not None:
        return refusal
    params = desk.request.query_params
    method = _method(params.get("method", ""))
    view = listing.view_list(desk.db, desk.reader, method, today=desk.today(), now=desk.now())
    return desk.page(
        "unit_list.html",
        {
            "view": view,
            "methods": METHODS,
            "today": desk.today(),
            "default_top": DEFAULT_TOP,
            "decisions": tuple(ListDecision),
            "kinds": tuple(TaskKind),
            "expires": listing.EXPIRES_MONTHS,
            "done": DONE.get(params.get("done", "")),
            "problem": PROBLEMS.get(params.get("problem", "")),
        },
    )


@router.post("/unit/list/refresh")
def refresh(desk: DeskDep, method: Text = "", top: Text = "") -> Response:
    """Rank the casework as of today and store the first `top` as the list's new refresh."""
    if (refusal := desk.refuse_unless(Capability.LIST_DECIDE, page="list-refresh")) is not None:
        return refusal
    method = _method(method)
    size = int(top) if top.isdigit() and len(top) <= 6 else 0
    try:
        listing.refresh(
            desk.db,
            desk.reader,
            method,
            as_of=desk.today(),
            top=size,
            now=desk.now(),
            ranking=Ranking(method=method, zone=desk.settings.timezone),
        )
    except listing.ListingError:
        return _back(desk, method, problem="top")
    return _back(desk, method, done="refreshed")


@router.post("/unit/list/decide")
def decide(
    desk: DeskDep, token: Text = "", method: Text = "", decision: Text = "", reason: Text = ""
) -> Response:
    """A supervisor's decision about a listed person: adopt, not now or remove, with a reason."""
    if (refusal := desk.refuse_unless(Capability.LIST_DECIDE, page="list-decide")) is not None:
        return refusal
    method = _method(method)
    try:
        chosen = ListDecision(decision)
    except ValueError:
        return _back(desk, method, problem="decision")
    try:
        listing.decide(
            desk.db,
            desk.reader,
            token,
            method,
            chosen,
            reason=reason,
            today=desk.today(),
            now=desk.now(),
        )
    except PersonNotFoundError:
        return desk.page("unit_not_found.html", {}, status=404)
    except CaseworkAccessError:
        return _back(desk, method, problem="reason")
    return _back(desk, method, f"#p-{token[:8]}", done="decided")


@router.post("/unit/list/task")
def task(
    desk: DeskDep,
    token: Text = "",
    method: Text = "",
    kind: Text = "",
    due_on: Text = "",
    details: Text = "",
) -> Response:
    """A task about an adopted person, assigned to whoever creates it; refused for anyone a
    supervisor has not adopted (recorded)."""
    if (refusal := desk.refuse_unless(Capability.TASKS, page="list-task")) is not None:
        return refusal
    if (refusal := desk.refuse_unless(Capability.LIST, page="list-task")) is not None:
        return refusal
    method = _method(method)
    try:
        chosen = TaskKind(kind)
        due = date.fromisoformat(due_on)
    except ValueError:
        return _back(desk, method, problem="task")
    try:
        listing.task_from_list(
            desk.db,
            desk.reader,
            token,
            method,
            chosen,
            due_on=due,
            details=details.strip()[:1000],
            today=desk.today(),
            now=desk.now(),
        )
    except PersonNotFoundError:
        return desk.page("unit_not_found.html", {}, status=404)
    except listing.NotAdoptedError:
        return _back(desk, method, problem="not_adopted")
    return _back(desk, method, done="task")
