"""The public's and staff's pages for reporting an officer's conduct, and the receipt pages
where the reporter reads replies and answers.

No account, no cookie of the session: the pages are `@sessionless`, so a member of staff who
reports from a signed-in browser is not linked to the report by anything the app reads. They
work without JavaScript. The receipt code is shown once, on the POST's own page, and never
travels in a URL: the receipt pages are forms, and the code rides in a hidden field of the
conversation page (which is the reporter's own). Wrong codes get one answer whatever the reason,
and are limited per client; so are submissions. Nothing of a report reaches a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import anyio
from fastapi import APIRouter, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import Response

from streetlight.conduct import attachments, intake, reporter, sealing
from streetlight.conduct.intake import ConductRejectedError, NewReport, Submitted
from streetlight.conduct.reporter import ReceiptLimitedError, ReceiptNotFoundError, ReporterView
from streetlight.db.enums import ConductContext, ConductItemKind, ConductStatus
from streetlight.web.core.context import AppContext
from streetlight.web.core.deps import ContextDep, public, sessionless
from streetlight.web.core.failsafe import client_key
from streetlight.web.core.i18n import N_
from streetlight.web.core.limits import CONDUCT_BYTES, body_limit
from streetlight.web.reports.router import RECEIPT_LIMITED, RECEIPT_NOT_FOUND
from streetlight.web.unit.desk import ConfidentialRoute

log = logging.getLogger(__name__)
FAILED_TEXT = N_(
    "The page could not be shown, and nothing you wrote was kept or logged. Try again; if it "
    "happens again, call 101 to report it instead."
)


class ConductRoute(ConfidentialRoute):
    """As the unit's pages: an unexpected error is answered with a plain page and logged as its
    class and the route's template only, never its text (which could quote a report)."""

    failed_text = FAILED_TEXT


router = APIRouter(tags=["conduct"], include_in_schema=False, route_class=ConductRoute)

STATUS_WORDS: dict[ConductStatus, str] = {
    ConductStatus.RECEIVED: N_("Received. It has not been acknowledged yet."),
    ConductStatus.ACKNOWLEDGED: N_("Acknowledged: an investigator has your report."),
    ConductStatus.INVESTIGATING: N_("Being looked into."),
    ConductStatus.WAITING_FOR_REPORTER: N_("We have asked you a question: please answer below."),
    ConductStatus.CLOSED: N_("Closed. Thank you for coming forward."),
}
FIELD_MESSAGES: dict[str, str] = {
    "what": N_("Say what happened (up to 8,000 characters)."),
    "files": N_(
        "The files could not be taken: at most 5 photos (JPEG, PNG, WebP), PDF or text files, "
        "10 MB each and 25 MB in all."
    ),
    "named": N_("Name at most 5 other officers."),
    "origin": N_("Choose whether you are a member of the public or work for the police."),
    "": N_("Too many reports have been sent from this connection. Please try again later."),
}
SHORT_MESSAGE = N_("Write at most 300 characters here.")
ADDED = N_("Sent. The investigator will see it.")
FIELD_NAMES = {
    "when": N_("When"),
    "where": N_("Where"),
    "warrant": N_("Warrant number"),
    "shoulder": N_("Shoulder number"),
    "description": N_("Describe the officer"),
}
NOTHING_TO_ADD = N_("Write something or attach a file.")
_ECHO = 8000


@dataclass(frozen=True)
class Form:
    """The form as typed, drawn again when refused (files are never echoed back)."""

    origin: str = "public"
    warrant: str = ""
    shoulder: str = ""
    verification: str = ""
    description: str = ""
    named: str = ""
    what: str = ""
    when: str = ""
    where: str = ""

    @classmethod
    def read(cls, data: FormData | Mapping[str, Any]) -> Form:
        def one(name: str) -> str:
            value = data.get(name, "")
            return value[:_ECHO] if isinstance(value, str) else ""

        return cls(**{name: one(name) for name in cls.__dataclass_fields__})

    def new_report(self, files: list[bytes]) -> NewReport:
        origin = ConductContext.STAFF if self.origin == "staff" else ConductContext.PUBLIC
        named = [n.strip() for n in self.named.replace(";", ",").split(",") if n.strip()]
        return NewReport(
            origin=origin,
            what=self.what.replace("\r\n", "\n").strip(),
            when=self.when.strip(),
            where=self.where.strip(),
            warrant=self.warrant.strip(),
            shoulder=self.shoulder.strip(),
            verification=self.verification.strip(),
            description=self.description.strip(),
            named=named,
            files=files,
        )


async def _files(data: FormData) -> list[bytes]:
    files = []
    for value in data.getlist("files"):
        if isinstance(value, UploadFile):
            content = await value.read()
            if content:  # a file input left empty sends one empty part
                files.append(content)
    return files


def _page(
    request: Request, context: AppContext, name: str, page: Mapping[str, Any], status: int = 200
) -> Response:
    return context.templates.TemplateResponse(request, name, dict(page), status_code=status)


def _form_page(
    request: Request, context: AppContext, form: Form, error: tuple[str, str] | None = None
) -> Response:
    page = {
        "form": form,
        "error_field": error[0] if error else None,
        "error": error[1] if error else None,
        "max_files": attachments.MAX_FILES,
    }
    return _page(request, context, "conduct.html", page, 400 if error else 200)


@router.get("/conduct")
@sessionless
@public
def conduct_page(request: Request, context: ContextDep) -> Response:
    """The form; `?ref=` carries a /verify check's reference when the reporter came from it."""
    ref = request.query_params.get("ref", "")[:128]
    return _form_page(request, context, Form(verification=ref))


def _submit(context: AppContext, new: NewReport, client: str) -> Submitted:
    with context.writer, context.sessions.begin() as session:
        return intake.submit(session, new, now=context.clock(), client=client)


@router.post("/conduct")
@body_limit(CONDUCT_BYTES)
@sessionless
@public
async def conduct_submit(request: Request, context: ContextDep) -> Response:
    data = await request.form(max_files=attachments.MAX_FILES + 1, max_fields=32)
    form = Form.read(data)
    files = await _files(data)
    try:
        sent = await anyio.to_thread.run_sync(
            _submit, context, form.new_report(files), client_key(request)
        )
    except ConductRejectedError as refused:
        log.info("conduct report refused: %s", refused.field or "limit")
        message = FIELD_MESSAGES.get(refused.field, SHORT_MESSAGE)
        return _form_page(request, context, form, (refused.field or "send", message))
    return _page(request, context, "conduct_done.html", {"receipt": sent.receipt})


# --- The receipt --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One item of the conversation as the reporter sees it."""

    id: int
    mine: bool
    kind: str
    at: Any
    text: str
    fields: Mapping[str, str]
    file_name: str


def _entries(view: ReporterView) -> list[Entry]:
    out = []
    for item in view.items:
        header = item.header
        is_file = item.kind is ConductItemKind.ATTACHMENT
        fields = {}
        if item.kind is ConductItemKind.REPORT:
            fields = {
                k: str(header.get(k, ""))
                for k in ("when", "where", "warrant", "shoulder", "description")
                if header.get(k)
            }
        out.append(
            Entry(
                item.id,
                item.by_reporter,
                item.kind.value,
                item.created_at,
                "" if is_file else item.text,
                fields,
                str(header.get("name", "")) if is_file else "",
            )
        )
    return out


def _receipt_page(
    request: Request,
    context: AppContext,
    *,
    view: ReporterView | None = None,
    code: str = "",
    problem: str | None = None,
    done: str | None = None,
    status: int = 200,
) -> Response:
    page: dict[str, Any] = {
        "problem": problem,
        "done": done,
        "code": code,
        "field_names": FIELD_NAMES,
        "entries": [],
    }
    if view is not None:
        page |= {
            "status_text": STATUS_WORDS[view.status],
            "received": view.received_at,
            "entries": _entries(view),
            "report_id": view.report_id,
        }
    return _page(request, context, "conduct_receipt.html", page, status)


@router.get("/conduct/receipt")
@sessionless
@public
def receipt_form(request: Request, context: ContextDep) -> Response:
    return _receipt_page(request, context)


def _open(context: AppContext, code: str, client: str) -> ReporterView:
    with context.writer, context.sessions.begin() as session:
        return reporter.open_by_receipt(session, code, now=context.clock(), client=client)


async def _view(request: Request, context: AppContext, code: str) -> ReporterView | Response:
    """The reporter's view of their report, or the page that says the code opens nothing."""
    try:
        return await anyio.to_thread.run_sync(_open, context, code, client_key(request))
    except ReceiptLimitedError:
        return _receipt_page(request, context, problem=RECEIPT_LIMITED, status=429)
    except ReceiptNotFoundError:
        return _receipt_page(request, context, problem=RECEIPT_NOT_FOUND, status=404)


async def _read(
    request: Request,
    context: AppContext,
    code: str,
    *,
    done: str | None = None,
    problem: str | None = None,
) -> Response:
    view = await _view(request, context, code)
    if isinstance(view, Response):
        return view
    status = 400 if problem else 200
    return _receipt_page(
        request, context, view=view, code=code, done=done, problem=problem, status=status
    )


def _code(data: FormData) -> str:
    value = data.get("receipt", "")
    return value[:64] if isinstance(value, str) else ""


@router.post("/conduct/receipt")
@sessionless
@public
async def receipt_open(request: Request, context: ContextDep) -> Response:
    return await _read(request, context, _code(await request.form()))


def _add(context: AppContext, code: str, text: str, files: list[bytes], client: str) -> None:
    with context.writer, context.sessions.begin() as session:
        reporter.add(session, code, text, files, now=context.clock(), client=client)


@router.post("/conduct/receipt/add")
@body_limit(CONDUCT_BYTES)
@sessionless
@public
async def receipt_add(request: Request, context: ContextDep) -> Response:
    data = await request.form(max_files=attachments.MAX_FILES + 1, max_fields=8)
    code = _code(data)
    text = data.get("text", "")
    text = text[:_ECHO] if isinstance(text, str) else ""
    files = await _files(data)
    try:
        await anyio.to_thread.run_sync(_add, context, code, text, files, client_key(request))
    except ReceiptLimitedError:
        return _receipt_page(request, context, problem=RECEIPT_LIMITED, status=429)
    except ReceiptNotFoundError:
        return _receipt_page(request, context, problem=RECEIPT_NOT_FOUND, status=404)
    except ConductRejectedError as refused:
        problem = FIELD_MESSAGES["files"] if refused.field == "files" else NOTHING_TO_ADD
        return await _read(request, context, code, problem=problem)
    return await _read(request, context, code, done=ADDED)


@router.post("/conduct/receipt/file")
@sessionless
@public
async def receipt_file(request: Request, context: ContextDep) -> Response:
    """One attachment, downloaded by the reporter (the code again, in the form's body)."""
    data = await request.form()
    code = _code(data)
    wanted = data.get("item", "")
    view = await _view(request, context, code)
    if isinstance(view, Response):
        return view
    found = sealing.attachment(view.items, wanted)
    if found is not None:
        return attachment_response(found.header, found.body)
    return _receipt_page(request, context, view=view, code=code, status=404)


def attachment_response(header: Mapping[str, Any], body: bytes) -> Response:
    """An attachment as a download, never shown inline (a document is the reader's to open)."""
    kind = str(header.get("type", "application/octet-stream"))
    extension = {
        "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp",
        "application/pdf": "pdf", "text/plain": "txt",
    }.get(kind, "bin")  # fmt: skip
    name = str(header.get("name", "attachment")).replace(" ", "-")
    return Response(
        body,
        media_type=kind,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{extension}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
