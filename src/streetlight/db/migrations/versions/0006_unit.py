"""Offender units: casework tables, their import runs and quarantine, and the unit roles.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07

Frozen on purpose, like the revisions before it: column types are spelled out here. New tables
only, apart from the staff role: a CHECK constraint (a non-native enum), which gains
`unit_officer`, `unit_supervisor` and `auditor`. SQLite cannot alter a constraint, so there
`staff_users` is copied (batch mode), as 0003 did; since 0004 three tables cascade from it, and
all are saved and put back around the copy (see `_set_roles`). The roles change before the new
tables exist, so none of those has to be saved.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROLES_BEFORE = ("officer", "operator", "supervisor", "admin", "analyst")
_UNIT_ROLES = ("unit_officer", "unit_supervisor", "auditor")
_ROLES_AFTER = (*_ROLES_BEFORE, *_UNIT_ROLES)


def _roles_check(roles: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{role}'" for role in roles) + ")"


def _set_roles(roles: tuple[str, ...]) -> None:
    # SQLite: the copy drops the old table, an implicit DELETE that cascades (foreign keys stay
    # on in batch mode) to every table referring to staff_users with ON DELETE CASCADE: sessions,
    # security keys and pending challenges would all be lost. They are read first and put back
    # after the copy, which keeps the ids they point at.
    bind = op.get_bind()
    saved: dict[str, list[sa.Row[tuple[object, ...]]]] = {}
    if bind.dialect.name == "sqlite":
        inspector = sa.inspect(bind)
        for table in inspector.get_table_names():
            if any(
                fk["referred_table"] == "staff_users" for fk in inspector.get_foreign_keys(table)
            ):
                saved[table] = list(bind.execute(sa.text(f'SELECT * FROM "{table}"')).fetchall())
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_constraint(op.f("ck_staff_users_staff_role"), type_="check")
        batch.create_check_constraint(op.f("ck_staff_users_staff_role"), _roles_check(roles))
    for table, rows in saved.items():
        if not rows:
            continue
        columns = list(rows[0]._fields)
        names = ", ".join(f'"{c}"' for c in columns)
        values = ", ".join(f":{c}" for c in columns)
        bind.execute(
            sa.text(f'INSERT OR IGNORE INTO "{table}" ({names}) VALUES ({values})'),
            [dict(row._mapping) for row in rows],
        )


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _enum(name: str, values: tuple[str, ...], length: int = 16) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def _ref(table: str, column: str) -> tuple[sa.Column[str], sa.UniqueConstraint]:
    return (
        sa.Column(column, sa.String(length=64), nullable=False),
        sa.UniqueConstraint(column, name=op.f(f"uq_{table}_{column}")),
    )


def _stamps() -> tuple[sa.Column[object], sa.Column[object]]:
    return (
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
    )


def _index(table: str, *columns: str, named: bool = False) -> None:
    """An index on `columns`; `named`: the model names it (Index(...)), else the naming
    convention does (index=True on one column)."""
    name = f"ix_{table}_{'_'.join(columns)}"
    op.create_index(name if named else op.f(name), table, list(columns), unique=False)


def upgrade() -> None:
    _set_roles(_ROLES_AFTER)
    op.create_table(
        "unit_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", _when(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("unit_name", sa.String(length=120), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("crs", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_imports")),
    )
    _index("unit_imports", "digest")
    op.create_table(
        "unit_quarantine",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("extract_table", sa.String(length=16), nullable=False),
        sa.Column("file", sa.String(length=255), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("raw_values", sa.Text(), nullable=False),
        _fk("unit_quarantine", "import_id", "unit_imports", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_quarantine")),
    )
    _index("unit_quarantine", "import_id")

    people_ref = _ref("unit_people", "person_ref")
    op.create_table(
        "unit_people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        people_ref[0],
        sa.Column("surname", sa.String(length=120), nullable=True),
        sa.Column("forenames", sa.String(length=120), nullable=True),
        sa.Column("date_of_birth", sa.Date(), nullable=True),
        sa.Column("sex", _enum("person_sex", ("female", "male", "unknown")), nullable=False),
        sa.Column("ethnicity", sa.String(length=32), nullable=True),
        sa.Column("review_due", sa.Date(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_people")),
        people_ref[1],
        sa.UniqueConstraint("token", name=op.f("uq_unit_people_token")),
    )
    _index("unit_people", "review_due")

    offence_ref = _ref("unit_offences", "offence_ref")
    relationships = ("partner", "ex_partner", "family", "acquaintance", "stranger", "unknown")
    op.create_table(
        "unit_offences",
        sa.Column("id", sa.Integer(), nullable=False),
        offence_ref[0],
        sa.Column("ho_code", sa.String(length=16), nullable=False),
        sa.Column("subgroup", sa.String(length=80), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("vawg", sa.Boolean(), nullable=False),
        sa.Column("occurred_from", _when(), nullable=False),
        sa.Column("occurred_to", _when(), nullable=True),
        sa.Column("reported_at", _when(), nullable=False),
        sa.Column("x", sa.Double(), nullable=True),
        sa.Column("y", sa.Double(), nullable=True),
        sa.Column("relationship", _enum("offence_relationship", relationships), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "occurred_to IS NULL OR occurred_to >= occurred_from",
            name=op.f("ck_unit_offences_occurred_window"),
        ),
        sa.CheckConstraint(
            "reported_at >= occurred_from", name=op.f("ck_unit_offences_reported_after_occurred")
        ),
        sa.CheckConstraint("(x IS NULL) = (y IS NULL)", name=op.f("ck_unit_offences_point_whole")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_offences")),
        offence_ref[1],
    )
    _index("unit_offences", "vawg", "reported_at", named=True)
    _index("unit_offences", "occurred_from", named=True)

    op.create_table(
        "unit_links",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("offence_id", sa.Integer(), nullable=False),
        sa.Column("role", _enum("person_role", ("suspect", "victim", "witness")), nullable=False),
        sa.Column(
            "safeguarding",
            _enum(
                "safeguarding_status",
                ("unassessed", "action_needed", "in_place", "declined", "closed"),
            ),
            nullable=True,
        ),
        sa.Column("created_at", _when(), nullable=False),
        sa.CheckConstraint(
            "(role = 'victim') = (safeguarding IS NOT NULL)",
            name=op.f("ck_unit_links_safeguarding_of_victims"),
        ),
        _fk("unit_links", "offence_id", "unit_offences", "CASCADE"),
        _fk("unit_links", "person_id", "unit_people", "CASCADE"),
        sa.PrimaryKeyConstraint("person_id", "offence_id", "role", name=op.f("pk_unit_links")),
    )
    _index("unit_links", "offence_id", "role", named=True)

    arrest_ref = _ref("unit_arrests", "arrest_ref")
    op.create_table(
        "unit_arrests",
        sa.Column("id", sa.Integer(), nullable=False),
        arrest_ref[0],
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("offence_id", sa.Integer(), nullable=False),
        sa.Column("arrested_at", _when(), nullable=False),
        sa.Column("charged_at", _when(), nullable=True),
        sa.Column("outcome", sa.String(length=64), nullable=True),
        sa.Column("outcome_at", _when(), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "charged_at IS NULL OR charged_at >= arrested_at",
            name=op.f("ck_unit_arrests_charged_after"),
        ),
        sa.CheckConstraint(
            "outcome_at IS NULL OR outcome_at >= arrested_at",
            name=op.f("ck_unit_arrests_outcome_after"),
        ),
        _fk("unit_arrests", "offence_id", "unit_offences", "CASCADE"),
        _fk("unit_arrests", "person_id", "unit_people", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_arrests")),
        arrest_ref[1],
    )
    _index("unit_arrests", "offence_id")
    _index("unit_arrests", "person_id")

    bail_ref = _ref("unit_bail", "bail_ref")
    op.create_table(
        "unit_bail",
        sa.Column("id", sa.Integer(), nullable=False),
        bail_ref[0],
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("offence_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("bail_kind", ("pre_charge_bail", "rui")), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("expires", sa.Date(), nullable=True),
        sa.Column(
            "authority",
            _enum("bail_authority", ("inspector", "superintendent", "acc", "court")),
            nullable=True,
        ),
        sa.Column("conditions", sa.Text(), nullable=True),
        sa.Column("victim_views_sought", sa.Boolean(), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "expires IS NULL OR expires >= starts", name=op.f("ck_unit_bail_expires_after_start")
        ),
        sa.CheckConstraint(
            "(kind = 'pre_charge_bail' AND expires IS NOT NULL AND authority IS NOT NULL)"
            " OR (kind = 'rui' AND expires IS NULL AND authority IS NULL AND conditions IS NULL)",
            name=op.f("ck_unit_bail_terms_of_kind"),
        ),
        _fk("unit_bail", "offence_id", "unit_offences", "CASCADE"),
        _fk("unit_bail", "person_id", "unit_people", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_bail")),
        bail_ref[1],
    )
    _index("unit_bail", "expires")
    _index("unit_bail", "offence_id")
    _index("unit_bail", "person_id")

    order_ref = _ref("unit_orders", "order_ref")
    order_kinds = (
        "dvpn",
        "dvpo",
        "non_molestation",
        "restraining",
        "stalking_protection",
        "sexual_harm_prevention",
    )
    op.create_table(
        "unit_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        order_ref[0],
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("order_kind", order_kinds, 24), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("expires", sa.Date(), nullable=True),
        sa.Column("conditions", sa.Text(), nullable=True),
        sa.Column("protected_person_id", sa.Integer(), nullable=True),
        sa.Column("breached_at", _when(), nullable=True),
        *_stamps(),
        sa.CheckConstraint(
            "expires IS NULL OR expires >= starts",
            name=op.f("ck_unit_orders_expires_after_start"),
        ),
        _fk("unit_orders", "person_id", "unit_people", "CASCADE"),
        _fk("unit_orders", "protected_person_id", "unit_people", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_orders")),
        order_ref[1],
    )
    _index("unit_orders", "expires")
    _index("unit_orders", "person_id")
    _index("unit_orders", "protected_person_id")

    task_kinds = (
        "arrest",
        "safeguard_victim",
        "apply_for_order",
        "review_bail",
        "interview",
        "other",
    )
    op.create_table(
        "unit_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("offence_id", sa.Integer(), nullable=True),
        sa.Column("kind", _enum("task_kind", task_kinds), nullable=False),
        sa.Column(
            "status",
            _enum("task_status", ("open", "in_progress", "done", "cancelled")),
            nullable=False,
        ),
        sa.Column("assigned_to_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("details", sa.String(length=1000), nullable=False),
        *_stamps(),
        sa.Column("closed_at", _when(), nullable=True),
        sa.CheckConstraint(
            "(status IN ('done', 'cancelled')) = (closed_at IS NOT NULL)",
            name=op.f("ck_unit_tasks_closed_when_done"),
        ),
        _fk("unit_tasks", "assigned_to_id", "staff_users", "SET NULL"),
        _fk("unit_tasks", "offence_id", "unit_offences", "SET NULL"),
        _fk("unit_tasks", "person_id", "unit_people", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_tasks")),
    )
    _index("unit_tasks", "assigned_to_id")
    _index("unit_tasks", "person_id")
    _index("unit_tasks", "status", "due_on", named=True)

    op.create_table(
        "unit_caseload",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("since", _when(), nullable=False),
        _fk("unit_caseload", "person_id", "unit_people", "CASCADE"),
        _fk("unit_caseload", "user_id", "staff_users", "CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "person_id", name=op.f("pk_unit_caseload")),
    )
    _index("unit_caseload", "person_id")

    op.create_table(
        "unit_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("decision", _enum("review_decision", ("retain", "erase")), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", _when(), nullable=False),
        sa.Column("next_review", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "(decision = 'retain') = (next_review IS NOT NULL)",
            name=op.f("ck_unit_reviews_retain_until_next"),
        ),
        _fk("unit_reviews", "decided_by_id", "staff_users", "SET NULL"),
        _fk("unit_reviews", "person_id", "unit_people", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_reviews")),
    )
    _index("unit_reviews", "person_id")


_TABLES = (
    "unit_reviews",
    "unit_caseload",
    "unit_tasks",
    "unit_orders",
    "unit_bail",
    "unit_arrests",
    "unit_links",
    "unit_offences",
    "unit_people",
    "unit_quarantine",
    "unit_imports",
)


def downgrade() -> None:
    # Dropping a table drops its indexes with it, on both databases.
    for table in _TABLES:
        op.drop_table(table)
    # The unit roles cannot sign in under the old schema: their accounts (and what cascades
    # from them) go first.
    unit_roles = ", ".join(f"'{role}'" for role in _UNIT_ROLES)
    for child in ("staff_sessions", "staff_credentials", "webauthn_challenges"):
        op.execute(
            f"DELETE FROM {child} WHERE user_id IN "
            f"(SELECT id FROM staff_users WHERE role IN ({unit_roles}))"
        )
    op.execute(f"DELETE FROM staff_users WHERE role IN ({unit_roles})")
    _set_roles(_ROLES_BEFORE)
