"""A small force for the conduct tests: a constable, his line of command, and the recipients.

Officers: PC 101 (Dan Vale, shoulder number 4521) is managed by Sergeant 201, managed by
Inspector 301. Recipients: the public desk (PS 401, outside that line), a civilian
investigator, Sergeant 201 (who also sits on the public desk: the report must not reach him), a
senior recipient (Superintendent 501), the staff desk (DS 601) and the oversight panel (OV 701).
Keys are derived with cheap Argon2id parameters, for speed: never in production.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy.orm import Session

from streetlight.conduct import crypto, keys
from streetlight.db.enums import ConductContext, Role
from streetlight.db.models import ConductRecipient, OfficerLineManager, StaffUser
from tests.db.factories import add_officer

NOW = datetime(2026, 11, 2, 22, 15, tzinfo=UTC)
CHEAP = crypto.KdfParams(salt=b"0123456789abcdef", time_cost=1, memory_kib=1024, parallelism=1)
PASSWORD = "a long recipient password"


@dataclass
class Force:
    constable: int
    sergeant: int
    recipients: dict[str, ConductRecipient]

    def key(self, name: str) -> X25519PrivateKey:
        return keys.unlock(self.recipients[name], PASSWORD)


def _staff(session: Session, username: str, officer: int | None) -> int:
    user = StaffUser(
        username=username,
        display_name=username.replace("-", " ").title(),
        password_hash="$argon2id$placeholder",
        totp_secret="JBSWY3DPEHPK3PXP",
        role=Role.SUPERVISOR,
        officer_id=officer,
        created_at=NOW,
    )
    session.add(user)
    session.flush()
    return user.id


def build(session: Session) -> Force:
    pc = add_officer(session, "PC101", name="Dan Vale", shoulder_number="4521").id
    sgt = add_officer(session, "PS201", rank="Sergeant").id
    insp = add_officer(session, "PI301", rank="Inspector").id
    session.add_all(
        [
            OfficerLineManager(officer_id=pc, manager_id=sgt),
            OfficerLineManager(officer_id=sgt, manager_id=insp),
        ]
    )
    desk = add_officer(session, "PS401").id
    supt = add_officer(session, "SU501", rank="Superintendent").id
    staff_desk = add_officer(session, "DS601").id
    panel = add_officer(session, "OV701").id
    plan = {
        "public-desk": (desk, ConductContext.PUBLIC, False),
        "civilian": (None, ConductContext.PUBLIC, False),
        "sergeant": (sgt, ConductContext.PUBLIC, False),
        "senior": (supt, ConductContext.PUBLIC, True),
        "staff-desk": (staff_desk, ConductContext.STAFF, False),
        "oversight": (panel, ConductContext.OVERSIGHT, False),
    }
    recipients = {}
    for name, (officer, context, senior) in plan.items():
        user = _staff(session, name, officer)
        enrolled = keys.enrol(
            session, user, context, PASSWORD, senior=senior, actor="admin", now=NOW, kdf=CHEAP
        )
        row = session.get(ConductRecipient, enrolled.recipient_id)
        assert row is not None
        recipients[name] = row
    session.flush()
    return Force(pc, sgt, recipients)
