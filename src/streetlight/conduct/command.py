"""Recording the line of command that routing keeps reports away from.

An officer has at most one line manager. A chain that loops (A manages B, B manages A) would
make "everyone above them" meaningless, so it is refused when recorded, not tolerated when read.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.orm import Session

from streetlight.conduct.intake import managers, officer_by_warrant
from streetlight.conduct.routing import line_of_command
from streetlight.db import audit
from streetlight.db.models import OfficerLineManager
from streetlight.errors import ConductError
from streetlight.verify.service import clean_warrant


class LineError(ConductError, ValueError):
    """A line manager that cannot be recorded: an unknown warrant number, or a loop."""


def _officer(session: Session, warrant: str) -> int:
    found = officer_by_warrant(session, warrant)
    if found is None:
        raise LineError(f"no officer has warrant number {clean_warrant(warrant)!r}")
    return found


def set_line_manager(
    session: Session, officer: str, manager: str | None, *, actor: str, now: datetime
) -> None:
    """`manager` (a warrant number) becomes `officer`'s line manager; None removes it."""
    officer_id = _officer(session, officer)
    session.execute(delete(OfficerLineManager).where(OfficerLineManager.officer_id == officer_id))
    manager_id = None
    if manager is not None:
        manager_id = _officer(session, manager)
        if manager_id == officer_id:
            raise LineError("an officer cannot be their own line manager")
        below = line_of_command(officer_id, managers(session))
        if below.get(manager_id, "").endswith(("under them", "reports to them")):
            raise LineError(
                f"{clean_warrant(manager)} is already in {clean_warrant(officer)}'s line below "
                "them: recording this would make the chain loop"
            )
        session.add(OfficerLineManager(officer_id=officer_id, manager_id=manager_id))
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="officer.line_manager",
        subject=f"officer:{officer_id}",
        details={"manager": manager_id},
        now=now,
    )
