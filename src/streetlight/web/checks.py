"""Public checks as the app runs them: in batches (`streetlight.web.group_commit`), each batch in
its own transaction under the writer lock, answered only once it has committed. On PostgreSQL
each statement has the deadline as its `statement_timeout` (`AppContext.check_sessions`).

The fail-safe around it (`streetlight.web.failsafe`) turns anything that goes wrong here into
"cannot confirm".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError

from streetlight.verify import service
from streetlight.verify.service import VerifyRequest, VerifyResult

if TYPE_CHECKING:
    from streetlight.web.context import AppContext

# More would hold the write lock longer without saving much: a batch's fixed cost is a handful
# of statements, and the checks of 64 waiting requests already share it.
MAX_BATCH = 64


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
