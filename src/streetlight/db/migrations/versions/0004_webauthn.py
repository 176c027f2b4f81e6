"""Security keys (WebAuthn) as a second factor for staff: credentials and pending challenges.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Frozen on purpose, like the revisions before it: column types are spelled out here, not imported
from the models. Only new tables: nothing existing is altered, so SQLite needs no table copy.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"],
        ["staff_users.id"],
        name=op.f(f"fk_{table}_user_id_staff_users"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "staff_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=1366), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("transports", sa.String(length=100), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("last_used_at", _when(), nullable=True),
        _user_fk("staff_credentials"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_credentials")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_staff_credentials_credential_id")),
    )
    op.create_index(
        op.f("ix_staff_credentials_user_id"), "staff_credentials", ["user_id"], unique=False
    )
    op.create_table(
        "webauthn_challenges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge", sa.LargeBinary(length=32), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "registration",
                "authentication",
                name="webauthn_purpose",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("expires_at", _when(), nullable=False),
        sa.Column("used_at", _when(), nullable=True),
        _user_fk("webauthn_challenges"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webauthn_challenges")),
        sa.UniqueConstraint("challenge", name=op.f("uq_webauthn_challenges_challenge")),
    )
    op.create_index(
        op.f("ix_webauthn_challenges_expires_at"),
        "webauthn_challenges",
        ["expires_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_webauthn_challenges_user_id"), "webauthn_challenges", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_webauthn_challenges_user_id"), table_name="webauthn_challenges")
    op.drop_index(op.f("ix_webauthn_challenges_expires_at"), table_name="webauthn_challenges")
    op.drop_table("webauthn_challenges")
    op.drop_index(op.f("ix_staff_credentials_user_id"), table_name="staff_credentials")
    op.drop_table("staff_credentials")
