"""The recipients' desk: the reports routed to them, each opened with their own key.

A signed-in member of staff enrolled as a recipient unlocks their key once per session
(`keycache`), then reads their list and their reports, replies to the reporter, adds internal
notes, changes a report's status and links reports about the same officer. Anyone else signed
in gets a 403, recorded; a report routing did not give them is refused the same way, and
recorded. Every read and action is in the audit log (`streetlight.conduct.handling`). Pages are
plain HTML that works without JavaScript; errors quote nothing of a report (the unit's
`ConfidentialRoute`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from streetlight.conduct import handling, keys, sealing
from streetlight.conduct.crypto import DecryptionError
from streetlight.conduct.handling import NotARecipientError
from streetlight.conduct.intake import ConductRejectedError
from streetlight.db import audit
from streetlight.db.enums import ConductItemKind, ConductStatus
from streetlight.db.models import ConductRecipient, StaffUser
from streetlight.web.conduct.keycache import KeyCache
from streetlight.web.conduct.public import attachment_response
from streetlight.web.core.clock import Clock
from streetlight.web.core.deps import (
    ClockDep,
    DbSession,
    MaybePrincipal,
    NotSignedInError,
    Principal,
    TemplatesDep,
)
from streetlight.web.core.i18n import N_
from streetlight.web.unit.desk import ConfidentialRoute

router = APIRouter(tags=["conduct"], include_in_schema=False, route_class=ConfidentialRoute)

STATUS_LABELS: dict[ConductStatus, str] = {
    ConductStatus.RECEIVED: N_("received"),
    ConductStatus.ACKNOWLEDGED: N_("acknowledged"),
    ConductStatus.INVESTIGATING: N_("investigating"),
    ConductStatus.WAITING_FOR_REPORTER: N_("waiting for the reporter"),
    ConductStatus.CLOSED: N_("closed"),
}
DEADLINE_LABELS = {
    "met": N_("met"),
    "open": N_("open"),
    "soon": N_("due soon"),
    "overdue": N_("overdue"),
}
DONE = {
    "reply": N_("Your reply has been sent to the reporter."),
    "question": N_("Your question has been sent to the reporter."),
    "note": N_("Note added. The reporter does not see notes."),
    "status": N_("Status changed."),
    "link": N_("Reports linked."),
    "assigned": N_("Handler changed: deadline reminders now go to them."),
    "escalated": N_("Reports linked: the case has escalated to the senior recipients."),
}
NOT_A_RECIPIENT = N_("Not a recipient")
NOT_A_RECIPIENT_TEXT = N_(
    "Only staff enrolled to receive conduct reports can use this desk, and each sees only the "
    "reports sent to them."
)
WRONG_PASSWORD = N_("That password does not open your key. Try again.")
EMPTY = N_("Write something first.")
BAD_LINK = N_("Give the number of another report you receive.")
BAD_HANDLER = N_("Choose a recipient of this report.")


def key_cache(request: Request) -> KeyCache:
    cache: KeyCache = request.app.state.conduct_keys
    return cache


@dataclass(frozen=True)
class Desk:
    request: Request
    principal: Principal
    recipient: ConductRecipient | None
    db: DbSession
    templates: Jinja2Templates
    clock: Clock

    def now(self) -> datetime:
        return self.clock()

    def page(self, template: str, context: Mapping[str, Any], *, status: int = 200) -> Response:
        page = {"status_labels": STATUS_LABELS, "deadline_labels": DEADLINE_LABELS, **context}
        return self.templates.TemplateResponse(self.request, template, page, status_code=status)

    def refuse(self, what: str) -> Response:
        audit.append(
            self.db,
            actor=self.principal.username,
            action="conduct.refused",
            subject=what,
            details={"status": 403},
            now=self.now(),
        )
        return self.not_a_recipient()

    def not_a_recipient(self) -> Response:
        """The 403 page (the refusal is recorded by whoever decided it)."""
        context = {"title": NOT_A_RECIPIENT, "message": NOT_A_RECIPIENT_TEXT, "call_999": False}
        return self.templates.TemplateResponse(self.request, "error.html", context, status_code=403)

    def key(self) -> X25519PrivateKey | None:
        if self.recipient is None:
            return None
        return key_cache(self.request).get(
            self.principal.session_hash, self.recipient.id, self.now()
        )


async def _desk(
    request: Request,
    principal: MaybePrincipal,
    db: DbSession,
    templates: TemplatesDep,
    clock: ClockDep,
) -> Desk:
    if principal is None:
        raise NotSignedInError
    recipient = db.scalar(
        select(ConductRecipient)
        .join(StaffUser, StaffUser.id == ConductRecipient.staff_user_id)
        .where(
            ConductRecipient.staff_user_id == principal.user_id,
            ConductRecipient.active.is_(True),
            StaffUser.active.is_(True),
        )
    )
    return Desk(request, principal, recipient, db, templates, clock)


DeskDep = Annotated[Desk, Depends(_desk)]


def _to_desk(path: str = "/conduct/desk", **query: str) -> RedirectResponse:
    suffix = "&".join(f"{k}={v}" for k, v in query.items())
    return RedirectResponse(f"{path}{'?' + suffix if suffix else ''}", status_code=303)


@router.get("/conduct/desk")
def desk_page(desk: DeskDep) -> Response:
    """The recipient's reports, newest first; the unlock form while the key is locked."""
    if desk.recipient is None:
        return desk.refuse("conduct-desk")
    if desk.key() is None:
        return desk.page("desk_unlock.html", {"problem": None})
    offset = desk.request.query_params.get("from", "0")
    first = int(offset) if offset.isdigit() else 0
    rows = handling.inbox(desk.db, desk.recipient, now=desk.now(), offset=first)
    return desk.page(
        "desk_list.html",
        {"rows": rows, "first": first, "more": len(rows) == handling.PAGE, "page": handling.PAGE},
    )


@router.post("/conduct/desk/unlock")
async def desk_unlock(desk: DeskDep) -> Response:
    if desk.recipient is None:
        return desk.refuse("conduct-desk")
    form = await desk.request.form()
    password = form.get("password", "")
    try:
        key = keys.unlock(desk.recipient, password if isinstance(password, str) else "")
    except DecryptionError:
        audit.append(
            desk.db, actor=desk.principal.username, action="conduct.unlock_failed",
            subject=f"conduct-recipient:{desk.recipient.id}", now=desk.now(),
        )  # fmt: skip
        return desk.page("desk_unlock.html", {"problem": WRONG_PASSWORD}, status=400)
    key_cache(desk.request).put(desk.principal.session_hash, desk.recipient.id, key, desk.now())
    return _to_desk()


@router.post("/conduct/desk/lock")
def desk_lock(desk: DeskDep) -> Response:
    key_cache(desk.request).drop(desk.principal.session_hash)
    return _to_desk()


@router.get("/conduct/desk/{report_id}")
def report_page(report_id: int, desk: DeskDep) -> Response:
    if desk.recipient is None:
        return desk.refuse(f"conduct:{report_id}")
    key = desk.key()
    if key is None:
        return _to_desk()
    try:
        view = handling.open_report(desk.db, desk.recipient, key, report_id, now=desk.now())
    except NotARecipientError:
        return desk.not_a_recipient()
    names = dict(
        desk.db.execute(
            select(ConductRecipient.id, StaffUser.display_name).join(
                StaffUser, StaffUser.id == ConductRecipient.staff_user_id
            )
        ).all()
    )
    params = desk.request.query_params
    return desk.page(
        "desk_report.html",
        {
            "view": view,
            "report": view.report,
            "names": names,
            "statuses": list(ConductStatus),
            "kinds": ConductItemKind,
            "done": DONE.get(params.get("done", "")),
            "problem": {"empty": EMPTY, "link": BAD_LINK, "assign": BAD_HANDLER}.get(
                params.get("problem", "")
            ),
        },
    )


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value[:8000] if isinstance(value, str) else ""


@router.post("/conduct/desk/{report_id}/{action}")
async def report_action(report_id: int, action: str, desk: DeskDep) -> Response:
    """reply (with `question` ticked: a question), note, status, link, file (a download)."""
    if desk.recipient is None:
        return desk.refuse(f"conduct:{report_id}")
    key = desk.key()
    if key is None:
        return _to_desk()
    form = await desk.request.form()
    here = f"/conduct/desk/{report_id}"
    recipient, now = desk.recipient, desk.now()
    try:
        if action == "reply":
            question = form.get("question") == "1"
            handling.reply(
                desk.db, recipient, report_id, _text(form, "text"), question=question, now=now
            )
            return _to_desk(here, done="question" if question else "reply")
        if action == "note":
            handling.note(desk.db, recipient, report_id, _text(form, "text"), now=now)
            return _to_desk(here, done="note")
        if action == "status":
            status = ConductStatus(_text(form, "status"))
            handling.set_status(desk.db, recipient, report_id, status, now=now)
            return _to_desk(here, done="status")
        if action == "assign":
            handler = _text(form, "handler")
            if not handler.isdigit():
                return _to_desk(here, problem="assign")
            handling.assign(desk.db, recipient, report_id, int(handler), now=now)
            return _to_desk(here, done="assigned")
        if action == "link":
            other = _text(form, "other").strip().lstrip("#")
            if not other.isdigit():
                return _to_desk(here, problem="link")
            same = form.get("same_source") == "1"
            up = handling.link(desk.db, recipient, report_id, int(other), same_source=same, now=now)
            return _to_desk(here, done="escalated" if up else "link")
        if action == "file":
            view = handling.open_report(desk.db, recipient, key, report_id, now=now)
            found = sealing.attachment(view.items, _text(form, "item"))
            if found is not None:
                return attachment_response(found.header, found.body)
    except NotARecipientError:
        return desk.not_a_recipient()
    except (ConductRejectedError, ValueError):
        problem = action if action in ("link", "assign") else "empty"
        return _to_desk(here, problem=problem)
    return _to_desk(here)
