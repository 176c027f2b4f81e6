"""Pages that are not about one domain: the public home page and the staff dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from streetlight.db import officers as ops
from streetlight.db.models import Role
from streetlight.web.console.officers import DONE_MESSAGES, PROBLEM_MESSAGES
from streetlight.web.core.deps import CurrentUser, DbSession, TemplatesDep, public

router = APIRouter(include_in_schema=False)


@router.get("/")
@public
def home(request: Request, templates: TemplatesDep) -> Response:
    return templates.TemplateResponse(request, "home.html")


@router.get("/dashboard")
def dashboard(
    request: Request, user: CurrentUser, db: DbSession, templates: TemplatesDep
) -> Response:
    """What a signed-in staff member starts from: their duty (officers), status actions
    (operators, supervisors, admins)."""
    duty = ops.open_duty(db, user.officer) if user.officer is not None else None
    done = DONE_MESSAGES.get(request.query_params.get("done", ""))
    problem = PROBLEM_MESSAGES.get(request.query_params.get("problem", ""))
    context = {
        "duty": duty,
        "done": done,
        "warrant": request.query_params.get("warrant", "")[:32],
        "problem": problem,
        "can_change_status": user.role in (Role.OPERATOR, Role.SUPERVISOR, Role.ADMIN),
        "can_suspend": user.role in (Role.SUPERVISOR, Role.ADMIN),
        "can_use_console": user.role in (Role.OPERATOR, Role.SUPERVISOR),
    }
    return templates.TemplateResponse(request, "dashboard.html", context)
