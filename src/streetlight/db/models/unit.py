"""Offender units' casework: people, offences, their links, arrests, bail, orders, tasks and
caseloads, with the import runs that fed them.

Personal data processed for law enforcement (Data Protection Act 2018, Part 3), so the tables are
shaped for it:
- a person is known in URLs and in the audit log only by `token`, 128 random bits as hex, never
  by the force's own id (`person_ref`, which staff elsewhere in the force can look up) nor a row
  id (which counts people);
- names and date of birth are nullable: they are stored only where the unit's extract carries
  them, and an import that stops carrying them clears them;
- every person has a `review_due` date: past it, the record may stay only on a recorded decision
  (`UnitReview`), and erasing a person erases their links, arrests, bail, orders, tasks and
  caseload entries with them (ON DELETE CASCADE);
- rows an import refused are kept, with their values, in `unit_quarantine` (for the unit's
  supervisors to correct at the source), never in a log line or message, and only the latest
  import's are kept.

Rows from the force's records-management system carry its reference (`*_ref`, unique): an import
updates a row by its reference, so importing an extract again changes nothing. Links are unique
per (person, offence, role). The harm ranking sums offences by `vawg` and `reported_at` over a
person's suspect links; linking unsolved offences to known offenders reads `ho_code`,
`occurred_from`/`occurred_to` and `x`/`y`: the indexes serve those reads.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from streetlight.db.enums import (
    BailAuthority,
    BailKind,
    OrderKind,
    PersonRole,
    Relationship,
    ReviewDecision,
    SafeguardingStatus,
    Sex,
    TaskKind,
    TaskStatus,
)
from streetlight.db.models.base import Base
from streetlight.db.models.officers import _enum
from streetlight.db.models.staff import StaffUser
from streetlight.db.types import UTCDateTime

TOKEN_CHARS = 32  # 128 bits as hex
REF_CHARS = 64
NAME_CHARS = 120
ETHNICITY_CHARS = 32
HO_CODE_CHARS = 16
CATEGORY_CHARS = 80
OUTCOME_CHARS = 64
TASK_DETAILS_CHARS = 1000
REASON_CHARS = 1000


class UnitPerson(Base):
    """Someone in the unit's casework: suspect, victim or witness of one or more offences."""

    __tablename__ = "unit_people"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(TOKEN_CHARS), unique=True)
    person_ref: Mapped[str] = mapped_column(String(REF_CHARS), unique=True)
    surname: Mapped[str | None] = mapped_column(String(NAME_CHARS), default=None)
    forenames: Mapped[str | None] = mapped_column(String(NAME_CHARS), default=None)
    date_of_birth: Mapped[date | None] = mapped_column(Date, default=None)
    sex: Mapped[Sex] = mapped_column(_enum(Sex, "person_sex"), default=Sex.UNKNOWN)
    # Self-defined ethnicity as the force records it (census codes such as "W1"), for the
    # disparity reports every score about people comes with; often missing.
    ethnicity: Mapped[str | None] = mapped_column(String(ETHNICITY_CHARS), default=None)
    review_due: Mapped[date] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    links: Mapped[list[UnitLink]] = relationship(back_populates="person", passive_deletes=True)


class UnitOffence(Base):
    """One crime as the force recorded it. Times are UTC instants; x/y are metres in the CRS the
    imports recorded (`UnitImport.crs`), null when the offence has no location."""

    __tablename__ = "unit_offences"
    __table_args__ = (
        CheckConstraint(
            "occurred_to IS NULL OR occurred_to >= occurred_from", name="occurred_window"
        ),
        CheckConstraint("reported_at >= occurred_from", name="reported_after_occurred"),
        CheckConstraint("(x IS NULL) = (y IS NULL)", name="point_whole"),
        Index("ix_unit_offences_vawg_reported_at", "vawg", "reported_at"),
        Index("ix_unit_offences_occurred_from", "occurred_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offence_ref: Mapped[str] = mapped_column(String(REF_CHARS), unique=True)
    ho_code: Mapped[str] = mapped_column(String(HO_CODE_CHARS))  # Home Office offence code
    subgroup: Mapped[str] = mapped_column(String(CATEGORY_CHARS))  # its PRC subgroup (CCHI)
    category: Mapped[str] = mapped_column(String(CATEGORY_CHARS))  # data.police.uk category
    vawg: Mapped[bool] = mapped_column()
    occurred_from: Mapped[datetime] = mapped_column(UTCDateTime())
    occurred_to: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    x: Mapped[float | None] = mapped_column(default=None)
    y: Mapped[float | None] = mapped_column(default=None)
    # The suspect's relationship to the victim. (The trailing underscore keeps the name from
    # hiding SQLAlchemy's `relationship()` in this class body; the column is `relationship`.)
    relationship_: Mapped[Relationship | None] = mapped_column(
        "relationship", _enum(Relationship, "offence_relationship"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    links: Mapped[list[UnitLink]] = relationship(back_populates="offence", passive_deletes=True)


class UnitLink(Base):
    """A person's part in an offence, once per (person, offence, role). A victim's link carries
    where their safeguarding stands; no other link does."""

    __tablename__ = "unit_links"
    __table_args__ = (
        CheckConstraint(
            "(role = 'victim') = (safeguarding IS NOT NULL)", name="safeguarding_of_victims"
        ),
        Index("ix_unit_links_offence_id_role", "offence_id", "role"),
    )

    # The key is the link itself: a person has one part of each kind in an offence. (No
    # surrogate id: one index fewer to fill for the largest table an import writes.)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("unit_people.id", ondelete="CASCADE"), primary_key=True
    )
    offence_id: Mapped[int] = mapped_column(
        ForeignKey("unit_offences.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[PersonRole] = mapped_column(_enum(PersonRole, "person_role"), primary_key=True)
    safeguarding: Mapped[SafeguardingStatus | None] = mapped_column(
        _enum(SafeguardingStatus, "safeguarding_status"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    person: Mapped[UnitPerson] = relationship(back_populates="links")
    offence: Mapped[UnitOffence] = relationship(back_populates="links")


class UnitArrest(Base):
    """An arrest for an offence and what came of it: `outcome` is a data.police.uk outcome
    category (`streetlight.unit.extract.OUTCOMES`) where one fits."""

    __tablename__ = "unit_arrests"
    __table_args__ = (
        CheckConstraint("charged_at IS NULL OR charged_at >= arrested_at", name="charged_after"),
        CheckConstraint("outcome_at IS NULL OR outcome_at >= arrested_at", name="outcome_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    arrest_ref: Mapped[str] = mapped_column(String(REF_CHARS), unique=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("unit_people.id", ondelete="CASCADE"), index=True
    )
    offence_id: Mapped[int] = mapped_column(
        ForeignKey("unit_offences.id", ondelete="CASCADE"), index=True
    )
    arrested_at: Mapped[datetime] = mapped_column(UTCDateTime())
    charged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    outcome: Mapped[str | None] = mapped_column(String(OUTCOME_CHARS), default=None)
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UnitBail(Base):
    """Pre-charge bail (an expiry date and the rank that authorised the period, conditions
    optional) or release under investigation (none of the three). Dates are the force's local
    dates. Whether the period is within its authority (`BAIL_MONTHS`) is checked on import."""

    __tablename__ = "unit_bail"
    __table_args__ = (
        CheckConstraint("expires IS NULL OR expires >= starts", name="expires_after_start"),
        CheckConstraint(
            "(kind = 'pre_charge_bail' AND expires IS NOT NULL AND authority IS NOT NULL)"
            " OR (kind = 'rui' AND expires IS NULL AND authority IS NULL AND conditions IS NULL)",
            name="terms_of_kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bail_ref: Mapped[str] = mapped_column(String(REF_CHARS), unique=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("unit_people.id", ondelete="CASCADE"), index=True
    )
    offence_id: Mapped[int] = mapped_column(
        ForeignKey("unit_offences.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[BailKind] = mapped_column(_enum(BailKind, "bail_kind"))
    starts: Mapped[date] = mapped_column(Date)
    expires: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    authority: Mapped[BailAuthority | None] = mapped_column(
        _enum(BailAuthority, "bail_authority"), default=None
    )
    conditions: Mapped[str | None] = mapped_column(Text, default=None)
    victim_views_sought: Mapped[bool | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UnitOrder(Base):
    """A protective order against a person, the person it protects (when the unit knows them)
    and the last time it was breached."""

    __tablename__ = "unit_orders"
    __table_args__ = (
        CheckConstraint("expires IS NULL OR expires >= starts", name="expires_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_ref: Mapped[str] = mapped_column(String(REF_CHARS), unique=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("unit_people.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[OrderKind] = mapped_column(_enum(OrderKind, "order_kind", 24))
    starts: Mapped[date] = mapped_column(Date)
    expires: Mapped[date | None] = mapped_column(Date, default=None, index=True)
    conditions: Mapped[str | None] = mapped_column(Text, default=None)
    protected_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit_people.id", ondelete="SET NULL"), default=None, index=True
    )
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UnitTask(Base):
    """Something to do about a person (arrest them, safeguard a victim, apply for an order), by a
    date, assigned to a member of staff. `closed_at` is set exactly when it is done or
    cancelled."""

    __tablename__ = "unit_tasks"
    __table_args__ = (
        CheckConstraint(
            "(status IN ('done', 'cancelled')) = (closed_at IS NOT NULL)", name="closed_when_done"
        ),
        Index("ix_unit_tasks_status_due_on", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("unit_people.id", ondelete="CASCADE"), index=True
    )
    offence_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit_offences.id", ondelete="SET NULL"), default=None
    )
    kind: Mapped[TaskKind] = mapped_column(_enum(TaskKind, "task_kind"))
    status: Mapped[TaskStatus] = mapped_column(
        _enum(TaskStatus, "task_status"), default=TaskStatus.OPEN
    )
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), default=None, index=True
    )
    due_on: Mapped[date] = mapped_column(Date)
    details: Mapped[str] = mapped_column(String(TASK_DETAILS_CHARS), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    assigned_to: Mapped[StaffUser | None] = relationship()


class UnitCaseload(Base):
    """A unit officer holds a person: what limits an officer's access to the people they work
    (deny by default; supervisors see the unit's whole caseload)."""

    __tablename__ = "unit_caseload"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("unit_people.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    since: Mapped[datetime] = mapped_column(UTCDateTime())


class UnitReview(Base):
    """A recorded decision at a person's review: retain until `next_review` (which becomes the
    person's `review_due`), or erase."""

    __tablename__ = "unit_reviews"
    __table_args__ = (
        CheckConstraint(
            "(decision = 'retain') = (next_review IS NOT NULL)", name="retain_until_next"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("unit_people.id", ondelete="CASCADE"), index=True
    )
    decision: Mapped[ReviewDecision] = mapped_column(_enum(ReviewDecision, "review_decision"))
    reason: Mapped[str] = mapped_column(String(REASON_CHARS))
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), default=None
    )
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    next_review: Mapped[date | None] = mapped_column(Date, default=None)


class UnitImport(Base):
    """One import of an extract that changed something. `digest` (SHA-256 of the extract's
    tables, the mapping and the offence-code list) makes importing the same extract again a
    no-op; `summary` is the counts as canonical JSON (no personal data)."""

    __tablename__ = "unit_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(120))
    unit_name: Mapped[str] = mapped_column(String(120))
    digest: Mapped[str] = mapped_column(String(64), index=True)
    crs: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)


class UnitQuarantine(Base):
    """A row the latest import refused: where it was (file, row number counting the header as
    row 1), which field and why, and the row's mapped values as the force wrote them (JSON),
    so that the unit can correct it at the source. Personal data: read only by unit supervisors,
    each reading audited; replaced by the next import's."""

    __tablename__ = "unit_quarantine"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("unit_imports.id", ondelete="CASCADE"), index=True
    )
    extract_table: Mapped[str] = mapped_column(String(16))
    file: Mapped[str] = mapped_column(String(255))
    row_number: Mapped[int] = mapped_column()
    field: Mapped[str] = mapped_column(String(NAME_CHARS))
    reason: Mapped[str] = mapped_column(String(32))
    raw_values: Mapped[str] = mapped_column(Text)
