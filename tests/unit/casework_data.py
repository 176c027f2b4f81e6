"""A small unit's casework for the tests: the example extract imported as the CLI would, then
caseloads, tasks and the bail and orders the board needs, dated relative to `TODAY`.

Who holds whom: the officer holds Dariusz (N100234) and N100871; the colleague holds Marek
(N100655). Victims and witnesses are held by nobody (they are reached from their suspect's page,
with a reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetlight.db.enums import (
    BailAuthority,
    BailKind,
    OrderKind,
    Role,
    TaskKind,
    TaskStatus,
)
from streetlight.db.models import (
    StaffUser,
    UnitBail,
    UnitCaseload,
    UnitOffence,
    UnitOrder,
    UnitPerson,
    UnitTask,
)
from streetlight.unit.importer import import_extract
from streetlight.unit.mapping import load_mapping
from tests.conftest import REPO

EXTRACT = REPO / "tests" / "data" / "unit-extract"
MAPPING = REPO / "mappings" / "unit-example.toml"
# A Tuesday morning in late October 2025 (UTC = London time then), 5 s into a TOTP step.
NOW = datetime(2025, 10, 28, 9, 0, 5, tzinfo=UTC)
TODAY = date(2025, 10, 28)
# Names in the example extract: none of them may appear where the casework must not.
NAMES = (
    "Corvantis", "Dariusz", "Ellingwood", "Rosalind", "Okonkwo-Vale", "Aminata", "Marchbank",
    "Josefina", "Tresidder", "Marek",
)  # fmt: skip
# The force's own person ids: no more to be shown outside the casework than names.
REFS = ("N100234", "N100871", "N200117", "N200455", "N200902", "N201340", "N300076", "N100655")


def import_example(session: Session, now: datetime = NOW) -> dict[str, UnitPerson]:
    """The example extract imported; the people by the force's reference."""
    import_extract(session, EXTRACT, load_mapping(MAPPING), actor="cli", now=now)
    return {p.person_ref: p for p in session.scalars(select(UnitPerson))}


def add_staff(session: Session, username: str, role: Role, now: datetime = NOW) -> StaffUser:
    """An account for library tests (the web tests make theirs with a password and TOTP)."""
    user = StaffUser(
        username=username,
        display_name=username.replace("-", " ").title(),
        password_hash="$argon2id$placeholder",
        totp_secret="JBSWY3DPEHPK3PXP",
        role=role,
        created_at=now,
    )
    session.add(user)
    session.flush()
    return user


@dataclass(frozen=True)
class Casework:
    """What `seed` made: tokens by the force's person reference, task ids by name."""

    tokens: dict[str, str]
    tasks: dict[str, int]

    def token(self, ref: str) -> str:
        return self.tokens[ref]


def _offence_id(session: Session, ref: str) -> int:
    found = session.scalar(select(UnitOffence.id).where(UnitOffence.offence_ref == ref))
    assert found is not None, ref
    return found


def seed(
    session: Session,
    *,
    officer_id: int,
    colleague_id: int,
    today: date = TODAY,
    now: datetime = NOW,
) -> Casework:
    """Import the example and add caseloads, tasks and the board's bail and orders."""
    people = import_example(session, now)
    pid = {ref: p.id for ref, p in people.items()}
    for user, ref in ((officer_id, "N100234"), (officer_id, "N100871"), (colleague_id, "N100655")):
        session.add(UnitCaseload(user_id=user, person_id=pid[ref], since=now))
    tasks = {
        "overdue_arrest": (
            "N100234", TaskKind.ARREST, today - timedelta(days=5), officer_id, "CL/00644/25"
        ),
        "safeguard": ("N100234", TaskKind.SAFEGUARD_VICTIM, today + timedelta(days=3), None, None),
        "bail_review": ("N100871", TaskKind.REVIEW_BAIL, today - timedelta(days=1), colleague_id, None),
        "colleague_interview": (
            "N100655", TaskKind.INTERVIEW, today - timedelta(days=10), colleague_id, None
        ),
        "assigned_elsewhere": ("N200117", TaskKind.OTHER, today + timedelta(days=1), officer_id, None),
    }  # fmt: skip
    ids: dict[str, int] = {}
    for name, (ref, kind, due, assignee, offence) in tasks.items():
        task = UnitTask(
            person_id=pid[ref], offence_id=_offence_id(session, offence) if offence else None,
            kind=kind, assigned_to_id=assignee, due_on=due, details=f"Task {name}",
            created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(task)
        session.flush()
        ids[name] = task.id
    done = UnitTask(
        person_id=pid["N100234"], kind=TaskKind.OTHER, status=TaskStatus.DONE, due_on=today,
        details="Task done", created_at=now, updated_at=now, closed_at=now,
    )  # fmt: skip
    session.add(done)
    session.flush()
    ids["done"] = done.id

    def bail(
        ref: str, person: str, offence: str, kind: BailKind, starts: int, **more: object
    ) -> None:
        session.add(UnitBail(
            bail_ref=ref, person_id=pid[person], offence_id=_offence_id(session, offence),
            kind=kind, starts=today + timedelta(days=starts), created_at=now, updated_at=now,
            **more,
        ))  # fmt: skip

    pre = BailKind.PRE_CHARGE_BAIL
    # Ends in 5 days, no decision: on the board, to be extended by an ACC (it was a supt's).
    bail("BL/T/1", "N100234", "CL/00412/25", pre, -80, expires=today + timedelta(days=5),
         authority=BailAuthority.SUPERINTENDENT, victim_views_sought=False)  # fmt: skip
    # Ended 3 days ago, no decision: lapsed.
    bail("BL/T/2", "N100871", "CL/00790/25", pre, -100, expires=today - timedelta(days=3),
         authority=BailAuthority.INSPECTOR)  # fmt: skip
    # Ended 10 days ago, but released under investigation since: off the board.
    bail("BL/T/4", "N100871", "CL/00587/25", pre, -90, expires=today - timedelta(days=10),
         authority=BailAuthority.INSPECTOR)  # fmt: skip
    bail("BL/T/5", "N100871", "CL/00587/25", BailKind.RELEASED_UNDER_INVESTIGATION, -10)
    # (BL/25/0467 of the extract ends in 7 days, but NFA was recorded after it began: off.)

    def order(ref: str, person: str, kind: OrderKind, starts: int, **more: object) -> None:
        session.add(UnitOrder(
            order_ref=ref, person_id=pid[person], kind=kind, starts=today + timedelta(days=starts),
            created_at=now, updated_at=now, **more,
        ))  # fmt: skip

    order("OR/T/1", "N100871", OrderKind.RESTRAINING, -60, protected_person_id=pid["N201340"],
          breached_at=now - timedelta(days=2))  # fmt: skip
    order("OR/T/2", "N100655", OrderKind.DVPN, -1, expires=today + timedelta(days=1),
          protected_person_id=pid["N200902"])  # fmt: skip
    # N100871 is past his review date.
    people["N100871"].review_due = today - timedelta(days=2)
    session.flush()
    return Casework({ref: p.token for ref, p in people.items()}, ids)
