"""The harm ranking's list under human review: refreshes, their entries and the supervisors'
decisions (adopt, not now, remove) with their reasons and expiry dates.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07

Frozen on purpose, like the revisions before it: column types are spelled out here. New tables
only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "unit_list_refreshes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("top", sa.Integer(), nullable=False),
        sa.Column("ranked", sa.Integer(), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("top >= 1", name=op.f("ck_unit_list_refreshes_top_positive")),
        sa.CheckConstraint("ranked >= 0", name=op.f("ck_unit_list_refreshes_ranked_counted")),
        _fk("unit_list_refreshes", "created_by_id", "staff_users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_list_refreshes")),
    )
    op.create_index(
        "ix_unit_list_refreshes_method_created_at",
        "unit_list_refreshes",
        ["method", "created_at"],
        unique=False,
    )
    op.create_table(
        "unit_list_entries",
        sa.Column("refresh_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.CheckConstraint("rank >= 1", name=op.f("ck_unit_list_entries_rank_positive")),
        sa.CheckConstraint("score >= 0", name=op.f("ck_unit_list_entries_score_not_negative")),
        _fk("unit_list_entries", "refresh_id", "unit_list_refreshes", "CASCADE"),
        _fk("unit_list_entries", "person_id", "unit_people", "CASCADE"),
        sa.PrimaryKeyConstraint("refresh_id", "person_id", name=op.f("pk_unit_list_entries")),
        sa.UniqueConstraint("refresh_id", "rank", name=op.f("uq_unit_list_entries_refresh_id")),
    )
    op.create_index(
        op.f("ix_unit_list_entries_person_id"), "unit_list_entries", ["person_id"], unique=False
    )
    op.create_table(
        "unit_list_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column(
            "decision",
            sa.Enum(
                "adopt",
                "not_now",
                "remove",
                name="list_decision",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", _when(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.CheckConstraint("length(reason) > 0", name=op.f("ck_unit_list_decisions_reason_given")),
        _fk("unit_list_decisions", "person_id", "unit_people", "CASCADE"),
        _fk("unit_list_decisions", "decided_by_id", "staff_users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_list_decisions")),
    )
    op.create_index(
        "ix_unit_list_decisions_person_id_method",
        "unit_list_decisions",
        ["person_id", "method"],
        unique=False,
    )


def downgrade() -> None:
    # Dropping a table drops its indexes with it, on both databases.
    for table in ("unit_list_decisions", "unit_list_entries", "unit_list_refreshes"):
        op.drop_table(table)
