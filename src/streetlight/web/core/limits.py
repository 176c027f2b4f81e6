"""How large a request body may be, in bytes, and the middleware that holds every route to it.

Without a cap a handful of clients can take the server's memory: three concurrent 150 MB JSON
bodies took one process from 310 MB to 1.2 GB. Every body is held to `FORM_BYTES` unless its
route declares a named larger cap (`@body_limit(UPLOAD_BYTES)`, above `@public` like the other
route marks). The cap is enforced while the body streams in: a `Content-Length` over it is
refused before anything is read, and a body without one (chunked) is counted as it arrives and
refused at the chunk that passes it, so at most the cap and one chunk are ever held. The answer
is 413 (`streetlight.web.core.errors.too_large`): JSON under `/api/`, a page elsewhere.

Starlette's own `max_body_size` counts the same way, but it answers a plain-text 413 in place of
whatever the app answered, so neither a page in the user's language nor JSON; hence this one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

KIB = 1024
MIB = 1024 * KIB

FORM_BYTES = 64 * KIB
"""Every form and JSON body (the default). The largest today are a WebAuthn credential (at most
16,384 characters) and a moderation response (4,000 characters, up to 36 KB encoded)."""

UPLOAD_BYTES = 10 * MIB
"""A route that takes files (photos, documents) declares this cap for itself."""

CONDUCT_BYTES = 26 * MIB
"""A conduct report and its attachments (at most 25 MB of files: `conduct.attachments`)."""

F = TypeVar("F", bound=Callable[..., Any])
_CAP = "__streetlight_max_body__"


def body_limit(cap: int) -> Callable[[F], F]:
    """Mark a route as taking bodies of up to `cap` bytes instead of `FORM_BYTES`."""
    if cap < 0:
        raise ValueError(f"a body cap is a number of bytes, not {cap}")

    def mark(endpoint: F) -> F:
        setattr(endpoint, _CAP, cap)
        return endpoint

    return mark


class BodyTooLargeError(HTTPException):
    """The body passed its route's cap. An `HTTPException`, so that FastAPI's body parsing lets
    it through as it is, and the app's handler answers it (`errors.http_error`)."""

    def __init__(self) -> None:
        super().__init__(status_code=413, detail="request body too large")


def _declared_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    return int(value) if value is not None and value.isdigit() else None


class _Counter:
    """One request's body: its route's cap (known once routing has put the endpoint in the
    scope, which is before the body is first read) and the bytes seen so far."""

    def __init__(self, scope: Scope, receive: Receive, default: int) -> None:
        self.scope = scope
        self.upstream = receive
        self.default = default
        self.seen = 0
        self.exceeded = False

    @property
    def cap(self) -> int:
        cap: int = getattr(self.scope.get("endpoint"), _CAP, self.default)
        return cap

    def _refuse(self) -> BodyTooLargeError:
        self.exceeded = True
        return BodyTooLargeError()

    async def receive(self) -> Message:
        cap = self.cap
        declared = _declared_length(self.scope)
        if self.exceeded or (declared is not None and declared > cap):
            raise self._refuse()
        message = await self.upstream()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > cap:
                raise self._refuse()
        return message


class BodyLimitMiddleware:
    """Holds every HTTP request's body to its route's cap (see the module's docstring).

    `answer` builds the 413 from the request (it must not read the body). If the app caught the
    refusal and answered something else, that answer is replaced by the 413: nothing may act as
    if a truncated body were whole.
    """

    def __init__(
        self, app: ASGIApp, *, answer: Callable[[Request], Response], default: int = FORM_BYTES
    ) -> None:
        self.app = app
        self.answer = answer
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        counter = _Counter(scope, receive, self.default)
        started = False

        async def guarded(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                if counter.exceeded and message["status"] != 413:
                    raise BodyTooLargeError
                started = True
            await send(message)

        try:
            await self.app(scope, counter.receive, guarded)
        except BodyTooLargeError:
            if started:
                raise
            await self.answer(Request(scope))(scope, receive, send)
