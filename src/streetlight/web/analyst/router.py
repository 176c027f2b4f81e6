"""The analyst's moderation queue of public reports; the map and the exports are
`map.py`.

Analysts, supervisors and admins only (403 for anyone else signed in). Every page view is written
to the audit log here, and every moderation action by `reports.moderation` in the same
transaction as the change it records; no audit row holds a report's text, place or point.

- `/analyst/reports`: the queue (pending by default), filtered by status, factor and time band,
  in pages. Free text and places are shown *scrubbed* (phone numbers, e-mail addresses, vehicle
  registrations hidden); the raw text is on the detail page only, whose every opening is audited.
  A report with a typed place and no point gets up to three suggested streets of the report area
  (`street_finder.Streets.suggested`), each a one-click form posting the `locate` move.
- `POST /analyst/reports/{id}/{accept|reject|merge|respond|locate}`: one moderation call each, in
  a savepoint, so a refused move changes nothing; then post/redirect/get back to the same view.
  A refusal re-renders the page with the reason (400; 404 for an unknown report).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal
from urllib.parse import urlencode

import numpy as np
from fastapi import APIRouter, Form, Request
from fastapi import Path as PathParam
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from streetlight.db import audit
from streetlight.db.models import StaffUser
from streetlight.errors import ReportError
from streetlight.reports import moderation
from streetlight.reports.categories import ReportStatus
from streetlight.reports.gazetteer import GazetteerEntry
from streetlight.reports.moderation import ReportNotFoundError, ReportRow
from streetlight.web.analyst.desk import Analyst, Desk, DeskDep, audit_view, page_context, query
from streetlight.web.analyst.filters import Filters, whole
from streetlight.web.core.deps import DbSession
from streetlight.web.core.i18n import N_, Translate, translator
from streetlight.web.core.templating import language
from streetlight.web.reports.street_finder import Streets

router = APIRouter(tags=["analyst"], include_in_schema=False)

ReportId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
Action = Literal["accept", "reject", "merge", "respond", "locate"]

PAGE_SIZE = 25
DONE_MESSAGES: dict[str, str] = {
    "accept": N_("Report #{id} accepted."),
    "reject": N_("Report #{id} rejected as spam."),
    "merge": N_("Report #{id} merged into report #{into}."),
    "respond": N_("Response saved for report #{id}: the reporter sees it with their receipt."),
    "locate": N_("Report #{id} located."),
}
NOT_FOUND = N_("There is no report #{id}.")
REFUSED = N_("Report #{id}: {reason}")
BAD_INTO = N_("Give the number of the report to merge into.")
BAD_POSITION = N_("Give the position as two numbers: latitude and longitude.")


def _suggestions(streets: Streets, rows: list[ReportRow]) -> dict[int, list[GazetteerEntry]]:
    """Report id -> the streets its typed place may be on, for the reports the page offers to
    locate (no point, a place, neither merged nor rejected). The routes that draw pages are
    plain `def`s, run in Starlette's thread pool: the gazetteer is never built on the event
    loop."""
    unlocated = (
        (row.id, row.place)
        for row in rows
        if row.lat is None
        and row.place
        and row.status not in (ReportStatus.MERGED, ReportStatus.REJECTED)
    )
    return streets.suggested(unlocated)


def _notice(request: Request, _: Translate) -> str | None:
    """The message for `?done=<action>&report=<id>[&into=<id>]` after a redirect."""
    params = request.query_params
    message = DONE_MESSAGES.get(params.get("done", ""))
    report, into = whole(params.get("report", "")), whole(params.get("into", ""))
    if message is None or report is None:
        return None
    return _(message, id=report, into=into if into is not None else "")


# --- The queue and the detail page -------------------------------------------------------------


def _queue_page(
    request: Request,
    desk: Desk,
    db: DbSession,
    filters: Filters,
    *,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = language(request)
    rows = moderation.queue(
        db,
        status=filters.status,
        factor=filters.factor,
        band=filters.band,
        limit=PAGE_SIZE + 1,
        offset=(filters.page - 1) * PAGE_SIZE,
    )
    more = len(rows) > PAGE_SIZE
    page = {
        **page_context(filters),
        "rows": rows[:PAGE_SIZE],
        "suggestions": _suggestions(desk.streets, rows[:PAGE_SIZE]),
        "first": (filters.page - 1) * PAGE_SIZE + 1,
        "back": query(filters.params(), lang),
        "previous_page": (
            query(filters.params(page=filters.page - 1), lang) if filters.page > 1 else ""
        ),
        "next_page": query(filters.params(page=filters.page + 1), lang) if more else "",
        "notice": None if problem else _notice(request, translator(lang)),
        "problem": problem,
    }
    return desk.templates.TemplateResponse(
        request, "analyst_reports.html", page, status_code=status_code
    )


def _detail_page(
    request: Request,
    desk: Desk,
    row: ReportRow,
    *,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    lang = language(request)
    page = {
        **page_context(Filters()),
        "row": row,
        "suggestions": _suggestions(desk.streets, [row]),
        "back": urlencode({"view": "detail", "lang": lang}),
        "notice": None if problem else _notice(request, translator(lang)),
        "problem": problem,
    }
    return desk.templates.TemplateResponse(
        request, "analyst_report.html", page, status_code=status_code
    )


@router.get("/analyst/reports")
def queue_page(request: Request, user: Analyst, db: DbSession, desk: DeskDep) -> Response:
    """The moderation queue: pending reports first by default, scrubbed."""
    filters = Filters.of(request.query_params)
    audit_view(db, user, desk.clock(), "reports", **filters.audit_details())
    return _queue_page(request, desk, db, filters)


@router.get("/analyst/reports/{report_id}")
def report_page(
    request: Request, user: Analyst, db: DbSession, desk: DeskDep, report_id: ReportId
) -> Response:
    """One report with its raw text; `moderation.view_detail` audits the opening."""
    _ = translator(language(request))
    now = desk.clock()
    try:
        row = moderation.view_detail(db, report_id, actor=user.username, now=now)
    except ReportNotFoundError:
        audit_view(db, user, now, f"report:{report_id}", found=False)
        return _queue_page(
            request, desk, db, Filters(), problem=_(NOT_FOUND, id=report_id), status_code=404
        )
    return _detail_page(request, desk, row)


# --- Moderation moves --------------------------------------------------------------------------


class FormError(ReportError):
    """A moderation form filled in wrongly (the message is a translatable id)."""


def _number(value: str, problem: str) -> int:
    number = whole(value.strip())
    if number is None or not 0 < number < 2**31:
        raise FormError(problem)
    return number


def _coordinate(value: str) -> float:
    try:
        number = float(value.strip().replace(",", "."))
    except ValueError:
        raise FormError(BAD_POSITION) from None
    if not np.isfinite(number):
        raise FormError(BAD_POSITION)
    return number


@dataclass(frozen=True)
class MoveForm:
    """The moderation forms' fields (each form sends only its own)."""

    into: str = ""
    response: str = ""
    lon: str = ""
    lat: str = ""


def _apply(
    desk: Desk,
    db: DbSession,
    user: StaffUser,
    report_id: int,
    action: Action,
    form: MoveForm,
) -> dict[str, str]:
    """Make the move; returns extra redirect parameters (the merge target)."""
    actor, now = user.username, desk.clock()
    if action == "accept":
        moderation.accept(db, report_id, actor=actor, now=now)
    elif action == "reject":
        moderation.reject(db, report_id, actor=actor, now=now)
    elif action == "merge":
        into = _number(form.into, BAD_INTO)
        moderation.merge(db, report_id, into, actor=actor, now=now)
        return {"into": str(into)}
    elif action == "respond":
        moderation.respond(db, report_id, form.response, actor=actor, now=now)
    else:
        lat, lon = _coordinate(form.lat), _coordinate(form.lon)
        moderation.locate(db, report_id, lon, lat, area=desk.streets.area, actor=actor, now=now)
    return {}


@router.post("/analyst/reports/{report_id}/{action}")
def moderate(
    request: Request,
    user: Analyst,
    db: DbSession,
    desk: DeskDep,
    report_id: ReportId,
    action: Action,
    into: Annotated[str, Form(max_length=16)] = "",
    response: Annotated[str, Form(max_length=4000)] = "",
    lon: Annotated[str, Form(max_length=32)] = "",
    lat: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """One moderation move, then back to where the analyst was (post/redirect/get)."""
    lang = language(request)
    _ = translator(lang)
    filters = Filters.of(request.query_params)
    detail = request.query_params.get("view") == "detail"
    form = MoveForm(into=into, response=response, lon=lon, lat=lat)
    problem, status = "", 400
    try:
        # A savepoint: a refused move leaves nothing behind, and the page can still be drawn.
        with db.begin_nested():
            extra = _apply(desk, db, user, report_id, action, form)
    except ReportNotFoundError as exc:  # this report, or the one to merge into
        problem, status = _(NOT_FOUND, id=exc.report_id), 404
        detail = detail and exc.report_id != report_id  # no detail page for a missing report
    except FormError as exc:
        problem = _(REFUSED, id=report_id, reason=_(str(exc)))
    except ReportError as exc:  # ModerationError, ReportRejectedError: moderation says why
        problem = _(REFUSED, id=report_id, reason=str(exc))
    if problem:
        refusal = Refusal(report_id, action, filters, detail, problem, status)
        return _refused(request, desk, db, user, refusal)
    done = {"done": action, "report": str(report_id), **extra, "lang": lang}
    if detail:
        return RedirectResponse(f"/analyst/reports/{report_id}?{urlencode(done)}", status_code=303)
    query_string = urlencode({**filters.params(), **done})
    return RedirectResponse(f"/analyst/reports?{query_string}#report-{report_id}", status_code=303)


@dataclass(frozen=True)
class Refusal:
    """A refused move, and the page the analyst came from (the detail page, or the queue)."""

    report_id: int
    action: Action
    filters: Filters
    detail: bool
    problem: str
    status: int


def _refused(
    request: Request, desk: Desk, db: DbSession, user: StaffUser, refusal: Refusal
) -> Response:
    """The page the analyst came from, with why the move was refused; the attempt is audited
    (the page view with it; the detail page's raw text is audited by `view_detail`)."""
    now = desk.clock()
    report_id, status, problem = refusal.report_id, refusal.status, refusal.problem
    details: dict[str, audit.JSONValue] = {"action": refusal.action, "status": status}
    audit.append(
        db,
        actor=user.username,
        action="analyst.refused",
        subject=f"report:{report_id}",
        details=details,
        now=now,
    )
    if refusal.detail:
        row = moderation.view_detail(db, report_id, actor=user.username, now=now)
        return _detail_page(request, desk, row, problem=problem, status_code=status)
    return _queue_page(request, desk, db, refusal.filters, problem=problem, status_code=status)
