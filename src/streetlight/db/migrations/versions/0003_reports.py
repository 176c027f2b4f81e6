"""Public reports of places where people feel unsafe, and the analyst role that moderates them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

Frozen on purpose, like 0001 and 0002: column types are spelled out here, not imported from the
models. The role is a CHECK constraint (a non-native enum), so adding `analyst` replaces that
constraint; SQLite cannot alter a constraint, so there the table is copied (batch mode).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ROLES_BEFORE = ("officer", "operator", "supervisor", "admin")
_ROLES_AFTER = (*_ROLES_BEFORE, "analyst")
_SCORES = ("lighting", "openness", "visibility", "people", "security", "walkway", "transport")


def _roles_check(roles: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{role}'" for role in roles) + ")"


def _set_roles(roles: tuple[str, ...]) -> None:
    # SQLite: copying staff_users would run an implicit DELETE on the old table first, and with
    # foreign keys on, that cascades to staff_sessions (everyone signed out). Batch mode keeps
    # the foreign keys on, so the sessions are saved and put back around the copy.
    bind = op.get_bind()
    sessions: list[sa.Row[tuple[object, ...]]] = []
    if bind.dialect.name == "sqlite":
        sessions = list(bind.execute(sa.text("SELECT * FROM staff_sessions")).fetchall())
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_constraint(op.f("ck_staff_users_staff_role"), type_="check")
        batch.create_check_constraint(op.f("ck_staff_users_staff_role"), _roles_check(roles))
    if sessions:
        columns = list(sessions[0]._fields)
        names = ", ".join(columns)
        values = ", ".join(f":{c}" for c in columns)
        bind.execute(
            sa.text(f"INSERT OR IGNORE INTO staff_sessions ({names}) VALUES ({values})"),
            [dict(row._mapping) for row in sessions],
        )


def upgrade() -> None:
    op.create_table(
        "public_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("time_band", sa.SmallInteger(), nullable=False),
        sa.Column("factor_mask", sa.Integer(), nullable=False),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        *(sa.Column(f"score_{name}", sa.SmallInteger(), nullable=True) for name in _SCORES),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "accepted",
                "merged",
                "rejected",
                name="report_status",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("response", sa.String(length=1000), nullable=False),
        sa.Column("responded_on", sa.Date(), nullable=True),
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        sa.Column("dedupe_hash", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "time_band BETWEEN 0 AND 7", name=op.f("ck_public_reports_time_band_range")
        ),
        sa.CheckConstraint(
            "factor_mask BETWEEN 1 AND 2047", name=op.f("ck_public_reports_factor_mask_range")
        ),
        sa.CheckConstraint(
            "lat IS NULL OR (lat BETWEEN -90 AND 90)", name=op.f("ck_public_reports_lat_range")
        ),
        sa.CheckConstraint(
            "lon IS NULL OR (lon BETWEEN -180 AND 180)", name=op.f("ck_public_reports_lon_range")
        ),
        sa.CheckConstraint(
            "(lon IS NULL) = (lat IS NULL)", name=op.f("ck_public_reports_point_whole")
        ),
        sa.CheckConstraint("language IN ('en', 'fr')", name=op.f("ck_public_reports_language")),
        sa.CheckConstraint(
            "(status = 'merged' AND merged_into_id IS NOT NULL AND merged_into_id <> id)"
            " OR (status <> 'merged' AND merged_into_id IS NULL)",
            name=op.f("ck_public_reports_merged_has_target"),
        ),
        *(
            sa.CheckConstraint(
                f"score_{name} IS NULL OR (score_{name} BETWEEN 1 AND 5)",
                name=op.f(f"ck_public_reports_score_{name}_range"),
            )
            for name in _SCORES
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["public_reports.id"],
            name=op.f("fk_public_reports_merged_into_id_public_reports"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_reports")),
        sa.UniqueConstraint("nonce_hash", name=op.f("uq_public_reports_nonce_hash")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_public_reports_receipt_hash")),
    )
    op.create_index(
        op.f("ix_public_reports_dedupe_hash"), "public_reports", ["dedupe_hash"], unique=False
    )
    op.create_index(
        op.f("ix_public_reports_merged_into_id"), "public_reports", ["merged_into_id"], unique=False
    )
    op.create_index(
        "ix_public_reports_occurred_on", "public_reports", ["occurred_on"], unique=False
    )
    op.create_index("ix_public_reports_status_id", "public_reports", ["status", "id"], unique=False)
    _set_roles(_ROLES_AFTER)


def downgrade() -> None:
    # Analysts cannot sign in under the old schema: their accounts (and sessions) go first.
    op.execute(
        "DELETE FROM staff_sessions WHERE user_id IN "
        "(SELECT id FROM staff_users WHERE role = 'analyst')"
    )
    op.execute("DELETE FROM staff_users WHERE role = 'analyst'")
    _set_roles(_ROLES_BEFORE)
    op.drop_index("ix_public_reports_status_id", table_name="public_reports")
    op.drop_index("ix_public_reports_occurred_on", table_name="public_reports")
    op.drop_index(op.f("ix_public_reports_merged_into_id"), table_name="public_reports")
    op.drop_index(op.f("ix_public_reports_dedupe_hash"), table_name="public_reports")
    op.drop_table("public_reports")
