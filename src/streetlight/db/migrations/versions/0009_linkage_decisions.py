"""Reviewers' decisions about unsolved offences crime linkage suggests may be a known person's
(accept for investigation, reject), with their reasons and the score and model at the time.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07

Frozen on purpose, like the revisions before it: column types are spelled out here. New table
only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "unit_linkage_decisions"


def _fk(column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{TABLE}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("offence_id", sa.Integer(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum(
                "accept",
                "reject",
                name="linkage_decision",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("model", sa.String(length=32), nullable=False),
        sa.CheckConstraint("length(reason) > 0", name=op.f(f"ck_{TABLE}_reason_given")),
        _fk("person_id", "unit_people", "CASCADE"),
        _fk("offence_id", "unit_offences", "CASCADE"),
        _fk("decided_by_id", "staff_users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index(
        "ix_unit_linkage_decisions_person_id_offence_id",
        TABLE,
        ["person_id", "offence_id"],
        unique=False,
    )
    op.create_index(op.f(f"ix_{TABLE}_offence_id"), TABLE, ["offence_id"], unique=False)


def downgrade() -> None:
    # Dropping a table drops its indexes with it, on both databases.
    op.drop_table(TABLE)
