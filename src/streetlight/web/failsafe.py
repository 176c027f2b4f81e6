"""Run a public verification so that nothing but a committed success can say "verified".

The check runs in a batch of the checks waiting with it, on a worker thread, in one transaction
under a deadline (`streetlight.web.checks`). Any exception (the database down or locked, a bug), a
deadline passed, or a commit that fails turns into `None`, which every caller shows as "we cannot
confirm this is a police officer on duty — call 999". The verified answer is returned only after
its transaction has committed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from streetlight.verify.service import SharedLocation, VerifyRequest, VerifyResult
from streetlight.web.context import app_context

log = logging.getLogger(__name__)


def client_key(request: Request) -> str:
    """What the per-client limit counts by: the address, hashed with a daily salt before it is
    stored (`streetlight.db.ratelimit`); never stored or logged as is."""
    return request.client.host if request.client else "unknown"


async def verify_safely(
    request: Request, warrant_number: str, code: str, where: SharedLocation | None = None
) -> VerifyResult | None:
    """The committed result, or None when anything at all went wrong (never raises); never
    sooner than `verify_answer_floor_ms` after the call.

    The floor: outcomes differ in the database work they cause (a verification row that names
    an officer and an engagement costs the database two foreign-key look-ups that an unknown
    number's row does not), about half a millisecond on a quiet server, enough for many timed
    tries to tell an existing warrant number from an unknown one. Held to the same floor, every
    answer of a quiet server takes the same time; a busy server's queueing varies by far more
    than the difference.
    """
    context = app_context(request)
    began = time.monotonic()
    result = await _verify(request, warrant_number, code, where)
    await asyncio.sleep(context.settings.verify_answer_floor_ms / 1000 - (time.monotonic() - began))
    return result


async def _verify(
    request: Request, warrant_number: str, code: str, where: SharedLocation | None
) -> VerifyResult | None:
    context = app_context(request)
    check = VerifyRequest(warrant_number, code, client_key(request), where or SharedLocation())
    try:
        # asyncio's own deadline: the app runs on asyncio, and anyio's costs more per request.
        async with asyncio.timeout(context.settings.verify_timeout_seconds):
            # Cancelled by the deadline, a check whose batch has not started is dropped.
            return await asyncio.wrap_future(context.checks.submit(check))
    except TimeoutError:
        log.error("verification timed out: answered 'cannot confirm'")
    except Exception as exc:
        # The exception's class only: its text could hold what the person typed.
        log.error("verification failed (%s): answered 'cannot confirm'", type(exc).__name__)
    return None


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
