"""Public checks as the app runs them: in batches (`streetlight.web.group_commit`), each batch in
its own transaction under the writer lock and a deadline, answered only once it has committed.

The fail-safe around it (`streetlight.web.failsafe`) turns anything that goes wrong here into
"cannot confirm".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.orm import Session

from streetlight.verify import service
from streetlight.verify.service import VerifyRequest, VerifyResult

if TYPE_CHECKING:
    from streetlight.web.context import AppContext

# More would hold the write lock longer without saving much: a batch's fixed cost is a dozen
# statements, and the checks of 64 waiting requests already share it.
MAX_BATCH = 64


def run_checks(context: AppContext, checks: Sequence[VerifyRequest]) -> list[VerifyResult]:
    """Check and record `checks` in one transaction; returns after the commit."""
    with context.writer:
        now = context.clock()
        with context.sessions.begin() as session:
            _deadline(session, context.settings.verify_timeout_seconds)
            return service.verify_batch(
                session, checks, rules=context.rules, limits=context.limits, now=now
            )


def _deadline(session: Session, seconds: float) -> None:
    """PostgreSQL: no statement of this transaction may run past the deadline."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SET LOCAL statement_timeout = {int(seconds * 1000)}"))
