"""The demo force's offender unit: a caseload of synthetic people (not real) for the unit's
accounts, so that a newcomer signing in as a unit officer has people and overdue tasks to work.

The first time, a small synthetic force (`streetlight.unit.synthetic`, seeded, three years up to
the start of the current month, so that bail and orders run out around today) is written beside
the store and imported through its mapping like any force's extract, and each unit officer is
given the `CASELOAD` highest-harm suspects of the last year (alternately, so both hold serious
cases) and a few tasks on the first of them, due between `TASK_DAYS` from today, some already
overdue. The unit supervisor's harm-ranking list gets its first refresh (`LIST_METHOD`, the top
`LIST_TOP` as of today), every person on it awaiting a supervisor's decision. Later runs leave
the unit as it is (its people, caseloads, tasks and list are the demo's state) and only report
it. Assigning the caseloads and tasks, and the refresh, are recorded in the audit log, as any
alteration or consultation of a person's record must be.

For demonstration only: never seed a production database with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from streetlight.db.enums import PersonRole, Role, TaskKind, TaskStatus
from streetlight.db.models import (
    Base,
    UnitCaseload,
    UnitImport,
    UnitListEntry,
    UnitOffence,
    UnitPerson,
    UnitTask,
)
from streetlight.unit import audit, listing
from streetlight.unit import synthetic_layout as layout
from streetlight.unit.access import Reader
from streetlight.unit.concentration import weighed
from streetlight.unit.importer import import_extract
from streetlight.unit.mapping import load_mapping
from streetlight.unit.synthetic import SyntheticConfig, SyntheticForce, make_extract

EXTRACT_FOLDER = "unit-synthetic"  # in the store folder, beside the database
MAPPING_FILE = "unit-synthetic.toml"  # written there too: the package does not ship mappings/
SEED = 20260101
# About 5,000 offences and 8,000 people: enough for caseloads and a dashboard, imported in a
# second or two.
PERPETRATORS_PER_YEAR = 1_000.0
YEARS = 3
CASELOAD = 30  # people per unit officer
# Each officer's tasks, on their first people: what, and days from today it is due (negative:
# overdue).
TASKS = (
    (TaskKind.ARREST, -9),
    (TaskKind.SAFEGUARD_VICTIM, -3),
    (TaskKind.REVIEW_BAIL, -1),
    (TaskKind.APPLY_FOR_ORDER, 2),
    (TaskKind.INTERVIEW, 6),
    (TaskKind.SAFEGUARD_VICTIM, 13),
)
REASON = "demo force: synthetic caseload assigned (not real people)"
LIST_METHOD = "v100"
LIST_TOP = 100
ACTOR = "demo"


@dataclass(frozen=True)
class DemoUnit:
    """What the demo's unit holds (counts only: the people are synthetic, but the printing
    habits are those of real casework)."""

    extract: Path
    offences: int
    people: int
    caseloads: tuple[tuple[str, int], ...]  # unit officer's username, people held
    tasks: int
    overdue: int
    listed: int  # people on the latest refresh of the supervisor's list


def seed_demo_unit(
    session: Session,
    store: Path,
    officers: Mapping[str, int],
    *,
    supervisor: int,
    now: datetime,
) -> DemoUnit:
    """Import the synthetic unit, give each of `officers` (username: staff user id) a caseload
    and tasks, and refresh the list for the unit `supervisor` (a staff user id), in `session`'s
    transaction, unless a synthetic extract was imported before."""
    folder = store / EXTRACT_FOLDER
    seeded = session.scalar(
        select(func.count()).select_from(UnitImport).where(UnitImport.unit_name == layout.NAME)
    )
    if not seeded:
        today = now.date()
        start = date(today.year - YEARS, today.month, 1)
        config = SyntheticConfig(
            start=start, years=YEARS, perpetrators_per_year=PERPETRATORS_PER_YEAR
        )
        force = make_extract(config, SEED, folder).force
        mapping_path = store / MAPPING_FILE
        mapping_path.write_text(layout.mapping_toml(), encoding="utf-8")
        import_extract(session, folder, load_mapping(mapping_path), actor=ACTOR, now=now)
        _assign(session, force, officers, now)
        # The refresh is the demo's, on the supervisor's list: the audit log names "demo".
        reader = Reader(supervisor, ACTOR, Role.UNIT_SUPERVISOR)
        listing.refresh(session, reader, LIST_METHOD, as_of=now.date(), top=LIST_TOP, now=now)
    return _summary(session, folder, officers, now.date())


def _ranked(force: SyntheticForce) -> pl.DataFrame:
    """Suspects by summed CCHI days of their VAWG offences reported in the extract's last 365
    days (as `concentration.top_by_harm` ranks them), highest first, each with their most
    harmful such offence."""
    since = datetime(force.end.year, force.end.month, force.end.day) - timedelta(days=365)
    suspects = force.links.filter(pl.col("role") == PersonRole.SUSPECT.value)
    rows = (
        weighed(force.offences)
        .filter(pl.col("is_vawg") & (pl.col("reported_at") >= since))
        .join(suspects, on="offence_ref")
    )
    return (
        rows.sort("harm", "offence_ref", descending=[True, False])
        .group_by("person_ref", maintain_order=True)
        .agg(harm=pl.col("harm").sum(), offence_ref=pl.col("offence_ref").first())
        .sort("harm", "person_ref", descending=[True, False])
    )


def _assign(
    session: Session, force: SyntheticForce, officers: Mapping[str, int], now: datetime
) -> None:
    ranked = _ranked(force).head(CASELOAD * len(officers))
    people = {
        p.person_ref: p
        for p in session.scalars(
            select(UnitPerson).where(UnitPerson.person_ref.in_(ranked["person_ref"].to_list()))
        )
    }
    chosen = UnitOffence.offence_ref.in_(ranked["offence_ref"].to_list())
    rows = session.execute(select(UnitOffence.offence_ref, UnitOffence.id).where(chosen))
    offence_id = {ref: id_ for ref, id_ in rows}
    users = list(officers.values())
    held: dict[int, list[tuple[UnitPerson, int]]] = {user: [] for user in users}
    # Dealt out in turn, so that each officer's first people are among the most harmful.
    for i, (person_ref, offence_ref) in enumerate(
        ranked.select("person_ref", "offence_ref").iter_rows()
    ):
        held[users[i % len(users)]].append((people[person_ref], offence_id[offence_ref]))
    today = now.date()
    for user, caseload in held.items():
        for person, _ in caseload:
            session.add(UnitCaseload(user_id=user, person_id=person.id, since=now))
            audit.altered(session, ACTOR, person, REASON, changed=["unit_caseload"], now=now)
        for (kind, days), (person, offence) in zip(TASKS, caseload, strict=False):
            session.add(
                UnitTask(
                    person_id=person.id,
                    offence_id=offence,
                    kind=kind,
                    status=TaskStatus.OPEN,
                    assigned_to_id=user,
                    due_on=today + timedelta(days=days),
                    details="Synthetic demo task (not a real person).",
                    created_at=now,
                    updated_at=now,
                )
            )
            audit.altered(session, ACTOR, person, REASON, changed=["unit_tasks"], now=now)
    session.flush()


def _summary(session: Session, folder: Path, officers: Mapping[str, int], today: date) -> DemoUnit:
    def count(model: type[Base], *where: ColumnElement[bool]) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    caseloads = tuple(
        (name, count(UnitCaseload, UnitCaseload.user_id == user)) for name, user in officers.items()
    )
    mine = UnitTask.assigned_to_id.in_(list(officers.values()))
    open_ = UnitTask.status.in_([TaskStatus.OPEN, TaskStatus.IN_PROGRESS])
    latest = listing.latest_refresh(session, LIST_METHOD)
    return DemoUnit(
        extract=folder,
        offences=count(UnitOffence),
        people=count(UnitPerson),
        caseloads=caseloads,
        tasks=count(UnitTask, mine, open_),
        overdue=count(UnitTask, mine, open_, UnitTask.due_on < today),
        listed=0 if latest is None else count(UnitListEntry, UnitListEntry.refresh_id == latest.id),
    )
