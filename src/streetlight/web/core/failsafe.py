"""Nothing but a committed success may say "verified", and nothing may answer a bare 500 because
the database is away: a public check turns its own failures into "cannot confirm"
(`streetlight.web.verify.checks`), and the middleware here does the same for whatever fails
around a route, before it runs or after.

Two instances wrap the app (`streetlight.web.app`): the inner one answers any error on the paths
of the public check with "cannot confirm — call 999"; the outer one answers a database that cannot
be reached or did not answer, on every other path, with "the service cannot answer now — call 999"
(`streetlight.web.core.errors.unavailable`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

# The database is down, unreachable, locked or too slow: nothing the request did wrong (a value the
# database refuses, `DataError`, is the request's fault and answered 422 by `errors`).
DATABASE_DOWN: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeoutError)


def client_key(request: Request) -> str:
    """What the per-client limit counts by: the address, hashed with a daily salt before it is
    stored (`streetlight.db.ratelimit`); never stored or logged as is. It is the connection's
    peer unless `STREETLIGHT_FORWARDED_ALLOW_IPS` names that peer as a trusted proxy, in which
    case the app has already replaced it with the forwarded client (`streetlight.web.app`)."""
    return request.client.host if request.client else "unknown"


class FailSafeMiddleware:
    """The last line: an error of a kind in `errors` on one of `paths` (None: every path), raised
    before the response has started, is answered by `answer` instead of a bare 500 or a dropped
    connection. `answer` builds the response from the request; it must not need the database.
    `label` is what the log says, with `%s` for the error's class (never its message, which may
    quote the request).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        answer: Callable[[Request], Response],
        paths: frozenset[str] | None = None,
        errors: tuple[type[Exception], ...] = (Exception,),
        label: str = "public check failed (%s): answered 'cannot confirm'",
    ) -> None:
        self.app = app
        self.paths = paths
        self.answer = answer
        self.errors = errors
        self.label = label

    def _covers(self, scope: Scope) -> bool:
        return scope["type"] == "http" and (self.paths is None or scope.get("path") in self.paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._covers(scope):
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
        except self.errors as exc:
            if started:
                raise
            log.error(self.label, type(exc).__name__)
            await self.answer(Request(scope, receive))(scope, receive, send)
