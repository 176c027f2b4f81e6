"""Public checks as the app runs them: in batches (`streetlight.web.core.group_commit`), each batch
in its own transaction under the writer lock, answered only once it has committed. On PostgreSQL
each statement has the deadline as its `statement_timeout` (`AppContext.check_sessions`).

`verify_safely` turns anything that goes wrong here into "cannot confirm", and the fail-safe
middleware (`streetlight.web.core.failsafe`) whatever goes wrong around it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette

from streetlight.verify import service
from streetlight.verify.service import VerifyRequest, VerifyResult
from streetlight.web.core.context import AppContext, Checks, context_of
from streetlight.web.core.group_commit import GroupCommit
from streetlight.web.core.settings import Settings

log = logging.getLogger(__name__)

# More would hold the write lock longer without saving much: a batch's fixed cost is a handful
# of statements, and the checks of 64 waiting requests already share it.
MAX_BATCH = 64


def batcher(app: Starlette) -> Checks:
    """The app's public checks, in batches. Each batch runs against the app's context as it is
    when the batch starts, so a context put in its place (other sessions: a test's database
    that is down) checks against its own."""
    return GroupCommit(lambda checks: run_checks(context_of(app), checks), max_batch=MAX_BATCH)


def run_checks(context: AppContext, checks: Sequence[VerifyRequest]) -> list[VerifyResult]:
    """Check and record `checks` in one transaction; returns after the commit.

    A batch that finds its connection dropped (the database restarted, say) runs once more: the
    pool has been emptied and the next connection is fresh. This stands in for the pool's
    pre-ping, which would cost a round trip per batch.
    """
    try:
        return _run(context, checks)
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        return _run(context, checks)


def _run(context: AppContext, checks: Sequence[VerifyRequest]) -> list[VerifyResult]:
    with context.writer:
        now = context.clock()
        with context.check_sessions.begin() as session:
            return service.verify_batch(
                session, checks, rules=context.rules, limits=context.limits, now=now
            )


async def verify_safely(
    checks: Checks, settings: Settings, check: VerifyRequest
) -> VerifyResult | None:
    """The committed result, or None when anything at all went wrong (never raises); never
    sooner than `verify_answer_floor_ms` after the call.

    The check runs in a batch of the checks waiting with it, on a worker thread, under the
    deadline `verify_timeout_seconds`. Any exception (the database down or locked, a bug), a
    deadline passed, or a commit that fails turns into `None`, which every caller shows as "we
    cannot confirm this is a police officer on duty — call 999".

    The floor: outcomes differ in the database work they cause (a verification row that names
    an officer and an engagement costs the database two foreign-key look-ups that an unknown
    number's row does not), about half a millisecond on a quiet server, enough for many timed
    tries to tell an existing warrant number from an unknown one. Held to the same floor, every
    answer of a quiet server takes the same time; a busy server's queueing varies by far more
    than the difference.
    """
    began = time.monotonic()
    result = await _verify(checks, settings, check)
    await asyncio.sleep(settings.verify_answer_floor_ms / 1000 - (time.monotonic() - began))
    return result


async def _verify(checks: Checks, settings: Settings, check: VerifyRequest) -> VerifyResult | None:
    try:
        # asyncio's own deadline: the app runs on asyncio, and anyio's costs more per request.
        async with asyncio.timeout(settings.verify_timeout_seconds):
            # Cancelled by the deadline, a check whose batch has not started is dropped.
            return await asyncio.wrap_future(checks.submit(check))
    except TimeoutError:
        log.error("verification timed out: answered 'cannot confirm'")
    except Exception as exc:
        # The exception's class only: its text could hold what the person typed.
        log.error("verification failed (%s): answered 'cannot confirm'", type(exc).__name__)
    return None
