"""Alerts that cannot be buried, codes burnt by wrong tries, backup reused.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06

Frozen on purpose, like the revisions before it: column types are spelled out here. A new table
of per-window tallies of junk checks; `verification_codes.burnt_at` (a plain nullable column,
which SQLite adds in place); `backup_requests.reuses_id`, a foreign key, which SQLite can only
add by copying the table (batch mode; the table is small).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "check_tallies",
        sa.Column("window_start", _when(), nullable=False),
        sa.Column("unknown", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("first_at", _when(), nullable=False),
        sa.Column("last_at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("window_start", name=op.f("pk_check_tallies")),
    )
    op.add_column("verification_codes", sa.Column("burnt_at", _when(), nullable=True))
    with op.batch_alter_table("backup_requests") as batch:
        batch.add_column(sa.Column("reuses_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_backup_requests_reuses_id_backup_requests"),
            "backup_requests",
            ["reuses_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("backup_requests") as batch:
        batch.drop_constraint(
            op.f("fk_backup_requests_reuses_id_backup_requests"), type_="foreignkey"
        )
        batch.drop_column("reuses_id")
    op.drop_column("verification_codes", "burnt_at")
    op.drop_table("check_tallies")
