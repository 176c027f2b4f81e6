"""Reading the rows the latest import quarantined: personal data, for unit supervisors only.

The quarantine keeps each refused row's mapped values as the force wrote them, so that the unit
can find and correct the record at its source. Those values are as personal as the casework, so
they are read here, by role (unit supervisors: they own the extract and its corrections; deny by
default), with a reason, and every reading is audited (`unit.consult` of
`unit_quarantine:<import id>`). Terminal output and logs get only file, row, field and reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetlight.db.enums import Role
from streetlight.db.models import StaffUser, UnitQuarantine
from streetlight.unit import audit
from streetlight.unit.errors import CaseworkAccessError

QUARANTINE_ROLES = frozenset({Role.UNIT_SUPERVISOR})


@dataclass(frozen=True)
class QuarantinedRow:
    """One refused row: where, which field, why, and its values by the force's headers."""

    import_id: int
    table: str
    file: str
    row: int
    field: str
    reason: str
    values: dict[str, str]


def read_quarantine(
    session: Session, user: StaffUser, reason: str, *, now: datetime
) -> list[QuarantinedRow]:
    """The latest import's quarantined rows, by table, file and row, for `user` (an active unit
    supervisor), audited with `reason`; `CaseworkAccessError` for anyone else."""
    if not user.active or user.role not in QUARANTINE_ROLES:
        raise CaseworkAccessError(
            f"{user.username}: only unit supervisors read quarantined casework rows"
        )
    audit.reason_text(reason)
    found = session.scalars(
        select(UnitQuarantine).order_by(
            UnitQuarantine.import_id,
            UnitQuarantine.extract_table,
            UnitQuarantine.file,
            UnitQuarantine.row_number,
        )
    ).all()
    rows = [
        QuarantinedRow(
            q.import_id,
            q.extract_table,
            q.file,
            q.row_number,
            q.field,
            q.reason,
            json.loads(q.raw_values),
        )
        for q in found
    ]
    if rows:
        audit.consulted_quarantine(session, user.username, rows[0].import_id, reason, now=now)
    return rows
