"""On-the-spot verification: engagements, one-time codes, public verifications, backup requests,
control-room chats and the console's event feed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29

Frozen on purpose, like 0001: column types are spelled out here, not imported from the models.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def _position_checks(table: str, lat: str, lon: str) -> tuple[sa.CheckConstraint, ...]:
    return (
        sa.CheckConstraint(
            f"{lat} IS NULL OR ({lat} BETWEEN -90 AND 90)", name=op.f(f"ck_{table}_lat_range")
        ),
        sa.CheckConstraint(
            f"{lon} IS NULL OR ({lon} BETWEEN -180 AND 180)", name=op.f(f"ck_{table}_lon_range")
        ),
    )


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "console_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", _when(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_events")),
    )
    op.create_table(
        "engagements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("duty_id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "reason",
            _enum("engagement_reason", "stop", "search", "arrest", "welfare", "witness", "other"),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=280), nullable=False),
        sa.Column("lon", sa.Double(), nullable=True),
        sa.Column("lat", sa.Double(), nullable=True),
        sa.Column("started_at", _when(), nullable=False),
        sa.Column(
            "status", _enum("engagement_status", "open", "confirmed", "flagged"), nullable=False
        ),
        sa.Column("status_by", sa.String(length=64), nullable=False),
        sa.Column("status_at", _when(), nullable=True),
        *_position_checks("engagements", "lat", "lon"),
        _fk("engagements", "duty_id", "duties", "RESTRICT"),
        _fk("engagements", "officer_id", "officers", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagements")),
        sa.UniqueConstraint("officer_id", "idempotency_key", name="uq_engagements_officer_key"),
    )
    op.create_index(
        "ix_engagements_officer_started", "engagements", ["officer_id", "started_at"], unique=False
    )
    op.create_table(
        "backup_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("responder_duty_id", sa.Integer(), nullable=True),
        sa.Column("distance_m", sa.Double(), nullable=True),
        sa.Column("eta_minutes", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            _enum("backup_status", "assigned", "unassigned", "arrived", "cancelled"),
            nullable=False,
        ),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("updated_at", _when(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        _fk("backup_requests", "engagement_id", "engagements", "RESTRICT"),
        _fk("backup_requests", "responder_duty_id", "duties", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backup_requests")),
        sa.UniqueConstraint("engagement_id", name=op.f("uq_backup_requests_engagement_id")),
    )
    op.create_index(
        op.f("ix_backup_requests_responder_duty_id"),
        "backup_requests",
        ["responder_duty_id"],
        unique=False,
    )
    op.create_table(
        "verification_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("expires_at", _when(), nullable=False),
        sa.Column("used_at", _when(), nullable=True),
        sa.Column("revoked_at", _when(), nullable=True),
        _fk("verification_codes", "engagement_id", "engagements", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_codes")),
    )
    op.create_index(
        op.f("ix_verification_codes_engagement_id"),
        "verification_codes",
        ["engagement_id"],
        unique=False,
    )
    op.create_table(
        "verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("warrant_number", sa.String(length=32), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("engagement_id", sa.Integer(), nullable=True),
        sa.Column(
            "outcome",
            _enum(
                "verification_outcome",
                "verified",
                "unknown_officer",
                "off_duty",
                "suspended",
                "no_engagement",
                "wrong_code",
                "expired_code",
                "used_code",
                "limited",
                "error",
            ),
            nullable=False,
        ),
        sa.Column("at", _when(), nullable=False),
        sa.Column("shared_lon", sa.Double(), nullable=True),
        sa.Column("shared_lat", sa.Double(), nullable=True),
        sa.Column("shared_place", sa.String(length=200), nullable=False),
        sa.Column("shared_at", _when(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=False),
        sa.Column("acknowledged_at", _when(), nullable=True),
        *_position_checks("verifications", "shared_lat", "shared_lon"),
        _fk("verifications", "engagement_id", "engagements", "SET NULL"),
        _fk("verifications", "officer_id", "officers", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verifications")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_verifications_token_hash")),
    )
    op.create_index(
        op.f("ix_verifications_engagement_id"), "verifications", ["engagement_id"], unique=False
    )
    op.create_table(
        "chats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("verification_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", _when(), nullable=False),
        sa.Column("closed_at", _when(), nullable=True),
        _fk("chats", "verification_id", "verifications", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chats")),
        sa.UniqueConstraint("verification_id", name=op.f("uq_chats_verification_id")),
    )
    op.create_table(
        "chat_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("body", sa.String(length=500), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("at", _when(), nullable=False),
        sa.CheckConstraint(
            "sender IN ('public', 'operator')", name=op.f("ck_chat_messages_sender")
        ),
        _fk("chat_messages", "chat_id", "chats", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_messages")),
        sa.UniqueConstraint("chat_id", "client_id", name="uq_chat_messages_chat_client"),
    )
    op.create_index(op.f("ix_chat_messages_chat_id"), "chat_messages", ["chat_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_chat_messages_chat_id"), table_name="chat_messages")
    op.drop_table("chat_messages")
    op.drop_table("chats")
    op.drop_index(op.f("ix_verifications_engagement_id"), table_name="verifications")
    op.drop_table("verifications")
    op.drop_index(op.f("ix_verification_codes_engagement_id"), table_name="verification_codes")
    op.drop_table("verification_codes")
    op.drop_index(op.f("ix_backup_requests_responder_duty_id"), table_name="backup_requests")
    op.drop_table("backup_requests")
    op.drop_index("ix_engagements_officer_started", table_name="engagements")
    op.drop_table("engagements")
    op.drop_table("console_events")
