""" "Talk to the control room now": a text channel between a member of the public, who holds the
token of their verified check, and the operators.

Messages are rows, written in the request's transaction before the reply goes out, so a message
that was acknowledged survives any restart; a `client_id` sent with a message makes a retry land
once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from streetlight.db import ratelimit
from streetlight.db.models import Chat, ChatMessage, Verification
from streetlight.db.models.verify import MESSAGE_CHARS
from streetlight.errors import VerifyError
from streetlight.verify.events import record

PUBLIC = "public"
OPERATOR = "operator"
# The public's side of a chat writes at most this often (a person in trouble types far less):
# each message is a row, an audit row and a console event.
PUBLIC_MESSAGES = ratelimit.Limit("chat-public", max_hits=30, window=timedelta(minutes=10))


class ChatClosedError(VerifyError):
    """The chat was closed by the control room."""


class EmptyMessageError(VerifyError):
    """A message needs some text."""


class ChatLimitedError(VerifyError):
    """The public's side of a chat sent more than `PUBLIC_MESSAGES` allows."""


def chat_of(session: Session, verification: Verification) -> Chat | None:
    return session.scalar(select(Chat).where(Chat.verification_id == verification.id))


def open_chat(session: Session, verification: Verification, *, now: datetime) -> Chat:
    """The chat for this verification, opened (and announced on the console) on first use."""
    chat = chat_of(session, verification)
    if chat is not None:
        return chat
    chat = Chat(verification_id=verification.id, opened_at=now)
    try:
        with session.begin_nested():
            session.add(chat)
            session.flush()
    except IntegrityError:  # opened by a concurrent request
        found = chat_of(session, verification)
        if found is None:  # pragma: no cover - the unique constraint named this row
            raise
        return found
    record(
        session,
        actor="public",
        action="chat.open",
        subject=verification.warrant_number,
        details={"chat_id": chat.id, "verification_id": verification.id},
        event={"chat_id": chat.id, "engagement_id": verification.engagement_id},
        now=now,
    )
    return chat


def post(
    session: Session,
    chat: Chat,
    *,
    sender: str,
    author: str,
    body: str,
    client_id: str | None,
    now: datetime,
) -> ChatMessage:
    """Add a message (or return the one already sent with this `client_id`)."""
    text = body.strip()[:MESSAGE_CHARS]
    if not text:
        raise EmptyMessageError("write a message first")
    if chat.closed_at is not None:
        raise ChatClosedError("this chat was closed by the control room")
    if client_id:
        existing = session.scalar(
            select(ChatMessage).where(
                ChatMessage.chat_id == chat.id, ChatMessage.client_id == client_id
            )
        )
        if existing is not None:
            return existing
    if sender == PUBLIC:
        if ratelimit.is_limited(session, PUBLIC_MESSAGES, str(chat.id), now):
            raise ChatLimitedError("too many messages: wait a few minutes, or call 999")
        ratelimit.record_hit(session, PUBLIC_MESSAGES, str(chat.id), now)
    message = ChatMessage(
        chat_id=chat.id, sender=sender, author=author, body=text, client_id=client_id, at=now
    )
    try:
        with session.begin_nested():
            session.add(message)
            session.flush()
    except IntegrityError:  # the same client_id from a concurrent retry
        found = session.scalar(
            select(ChatMessage).where(
                ChatMessage.chat_id == chat.id, ChatMessage.client_id == client_id
            )
        )
        if found is None:  # pragma: no cover
            raise
        return found
    # The audit row records that a message was sent, not what it said.
    record(
        session,
        actor=author or PUBLIC,
        action=f"chat.message.{sender}",
        subject=str(chat.id),
        details={"chat_id": chat.id, "message_id": message.id},
        event={"chat_id": chat.id, "message_id": message.id, "sender": sender},
        now=now,
    )
    return message


def messages(session: Session, chat: Chat, after_id: int = 0) -> Sequence[ChatMessage]:
    return session.scalars(
        select(ChatMessage)
        .where(ChatMessage.chat_id == chat.id, ChatMessage.id > after_id)
        .order_by(ChatMessage.id)
        .limit(500)
    ).all()
