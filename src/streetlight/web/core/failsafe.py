"""Nothing but a committed success may say "verified": a public check turns its own failures into
"cannot confirm" (`streetlight.web.verify.checks`), and the middleware here does the same for
whatever fails around it, before its route runs or after.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


def client_key(request: Request) -> str:
    """What the per-client limit counts by: the address, hashed with a daily salt before it is
    stored (`streetlight.db.ratelimit`); never stored or logged as is."""
    return request.client.host if request.client else "unknown"


class FailSafeMiddleware:
    """The last line: an error anywhere on the way to or from a public check (a dependency that
    needs the database, a commit) still answers "cannot confirm — call 999", never a bare 500.

    `answer` builds the response from the request; it must not need the database.
    """

    def __init__(
        self, app: ASGIApp, *, paths: frozenset[str], answer: Callable[[Request], Response]
    ) -> None:
        self.app = app
        self.paths = paths
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started:
                raise
            log.error("public check failed (%s): answered 'cannot confirm'", type(exc).__name__)
            await self.answer(Request(scope, receive))(scope, receive, send)
