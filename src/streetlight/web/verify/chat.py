"""The public side of "Talk to the control room now".

Opened from a verified check's page: the link carries that check's random token, which is the only
key to this chat (no account, no cookie). Without JavaScript the page is a form that posts a
message and reloads itself; with it, `chat.js` polls the JSON API and sends messages through it
(`@cookieless`: the token travels in a header the browser never adds by itself).
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Header, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.responses import Response

from streetlight.db.models import Chat, ChatMessage, VerificationOutcome
from streetlight.db.models.verify import MESSAGE_CHARS
from streetlight.verify import chat as chats
from streetlight.verify import service
from streetlight.web.core.deps import ClockDep, DbSession, TemplatesDep, cookieless, public
from streetlight.web.verify.router import Token

router = APIRouter(tags=["chat"])

TokenHeader = Annotated[
    str,
    Header(
        alias="X-Verification-Token",
        min_length=16,
        max_length=128,
        description="The `token` of your verified check.",
    ),
]


class MessageOut(BaseModel):
    id: int
    sender: Literal["public", "operator"]
    body: str
    at: datetime


class MessageIn(BaseModel):
    body: str = Field(min_length=1, max_length=MESSAGE_CHARS)
    client_id: str | None = Field(
        default=None, max_length=64, description="Random per message: a retry then lands once."
    )


class MessagesOut(BaseModel):
    chat_id: int
    messages: list[MessageOut]


def _chat(db: Session, token: str, now: datetime) -> Chat:
    """The chat of a *verified* check (opened on first use); 404 for anything else."""
    found = service.find_verification(db, token)
    if found is None or found.outcome is not VerificationOutcome.VERIFIED:
        raise HTTPException(404, "no chat for this token")
    return chats.open_chat(db, found, now=now)


def _out(message: ChatMessage) -> MessageOut:
    sender: Literal["public", "operator"] = (
        "operator" if message.sender == chats.OPERATOR else "public"
    )
    return MessageOut(id=message.id, sender=sender, body=message.body, at=message.at)


@router.get("/verify/chat/{token}", include_in_schema=False)
@public
def chat_page(
    request: Request, token: Token, db: DbSession, clock: ClockDep, templates: TemplatesDep
) -> Response:
    chat = _chat(db, token, clock())
    page = {
        "token": token,
        "messages": chats.messages(db, chat),
        "client_id": secrets.token_urlsafe(12),
    }
    return templates.TemplateResponse(request, "chat.html", page)


@router.post("/verify/chat/{token}", include_in_schema=False)
@public
def chat_form(
    request: Request,
    token: Token,
    db: DbSession,
    clock: ClockDep,
    body: Annotated[str, Form(max_length=MESSAGE_CHARS * 2)] = "",
    client_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Post and come back to the page (post/redirect/get: reloading does not resend)."""
    chat = _chat(db, token, clock())
    if body.strip():
        try:
            chats.post(
                db, chat, sender=chats.PUBLIC, author="", body=body, client_id=client_id or None,
                now=clock(),
            )  # fmt: skip
        except chats.ChatLimitedError:
            raise HTTPException(429, "too many messages") from None
    lang = request.query_params.get("lang", "en")
    lang = lang if lang in ("en", "fr") else "en"
    return RedirectResponse(f"/verify/chat/{token}?lang={lang}#end", status_code=303)


@router.get(
    "/api/v1/chat/messages",
    response_model=MessagesOut,
    responses={404: {"description": "Unknown token, or the check was not verified."}},
)
@public
def messages_api(
    db: DbSession,
    clock: ClockDep,
    token: TokenHeader,
    after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> MessagesOut:
    """Messages after id `after` (poll every few seconds)."""
    chat = _chat(db, token, clock())
    return MessagesOut(chat_id=chat.id, messages=[_out(m) for m in chats.messages(db, chat, after)])


@router.post(
    "/api/v1/chat/messages",
    response_model=MessageOut,
    status_code=201,
    responses={
        404: {"description": "Unknown token, or the check was not verified."},
        429: {"description": "Too many messages from the public's side: wait a few minutes."},
    },
)
@cookieless
@public
def send_api(db: DbSession, clock: ClockDep, token: TokenHeader, body: MessageIn) -> MessageOut:
    """Send a message to the control room."""
    now = clock()
    chat = _chat(db, token, now)
    try:
        message = chats.post(
            db, chat, sender=chats.PUBLIC, author="", body=body.body, client_id=body.client_id,
            now=now,
        )  # fmt: skip
    except chats.EmptyMessageError:
        raise HTTPException(422, "empty message") from None
    except chats.ChatClosedError:
        raise HTTPException(409, "chat closed") from None
    except chats.ChatLimitedError:
        raise HTTPException(429, "too many messages") from None
    return _out(message)
