"""Conduct reports about officers: recipients with their sealed keys, reports, sealed items and
their wrapped keys, routing decisions, handlers' links and reminders; officers' shoulder numbers
and line managers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07

Frozen on purpose, like the revisions before it: column types are spelled out here. New tables,
and one nullable column on `officers` (a plain ADD COLUMN on both databases: no table copy).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CONTEXTS = ("public", "staff", "oversight")
_TABLES = (
    "conduct_reminders",
    "conduct_links",
    "conduct_routing",
    "conduct_keys",
    "conduct_items",
    "conduct_reports",
    "conduct_recipients",
    "officer_line_managers",
)


def _when() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _enum(name: str, values: tuple[str, ...]) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=16)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def upgrade() -> None:
    op.add_column("officers", sa.Column("shoulder_number", sa.String(length=16), nullable=True))
    _index("officers", "shoulder_number")
    op.create_table(
        "officer_line_managers",
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "officer_id <> manager_id", name=op.f("ck_officer_line_managers_not_own_manager")
        ),
        _fk("officer_line_managers", "officer_id", "officers", "CASCADE"),
        _fk("officer_line_managers", "manager_id", "officers", "CASCADE"),
        sa.PrimaryKeyConstraint("officer_id", name=op.f("pk_officer_line_managers")),
    )
    _index("officer_line_managers", "manager_id")
    op.create_table(
        "conduct_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("context", _enum("conduct_context", _CONTEXTS), nullable=False),
        sa.Column("senior", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("public_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("kdf_salt", sa.LargeBinary(length=16), nullable=False),
        sa.Column("kdf_time_cost", sa.Integer(), nullable=False),
        sa.Column("kdf_memory_kib", sa.Integer(), nullable=False),
        sa.Column("kdf_parallelism", sa.Integer(), nullable=False),
        sa.Column("sealed_private", sa.LargeBinary(), nullable=False),
        sa.Column("recovery_salt", sa.LargeBinary(length=16), nullable=False),
        sa.Column("recovery_sealed_private", sa.LargeBinary(), nullable=False),
        sa.Column("enrolled_at", _when(), nullable=False),
        _fk("conduct_recipients", "staff_user_id", "staff_users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conduct_recipients")),
        sa.UniqueConstraint("staff_user_id", name=op.f("uq_conduct_recipients_staff_user_id")),
    )
    op.create_table(
        "conduct_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("origin", _enum("conduct_origin", _CONTEXTS), nullable=False),
        sa.Column("context", _enum("conduct_context", _CONTEXTS), nullable=False),
        sa.Column("receipt_lookup", sa.String(length=64), nullable=False),
        sa.Column("receipt_salt", sa.LargeBinary(length=16), nullable=False),
        sa.Column("reporter_key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            _enum(
                "conduct_status", ("received", "acknowledged", "investigating", "waiting", "closed")
            ),
            nullable=False,
        ),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("unrouted", sa.Boolean(), nullable=False),
        sa.Column("received_at", _when(), nullable=False),
        sa.Column("acknowledged_at", _when(), nullable=True),
        sa.Column("feedback_at", _when(), nullable=True),
        sa.Column("closed_at", _when(), nullable=True),
        sa.Column("escalated_at", _when(), nullable=True),
        sa.Column("same_source_as_id", sa.Integer(), nullable=True),
        sa.Column("delete_after", sa.Date(), nullable=False),
        _fk("conduct_reports", "officer_id", "officers", "SET NULL"),
        _fk("conduct_reports", "handler_id", "conduct_recipients", "SET NULL"),
        _fk("conduct_reports", "same_source_as_id", "conduct_reports", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conduct_reports")),
        sa.UniqueConstraint("receipt_lookup", name=op.f("uq_conduct_reports_receipt_lookup")),
    )
    op.create_index(
        "ix_conduct_reports_context_received_at",
        "conduct_reports",
        ["context", "received_at"],
        unique=False,
    )
    _index("conduct_reports", "officer_id")
    _index("conduct_reports", "delete_after")
    op.create_table(
        "conduct_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            _enum("conduct_item_kind", ("report", "message", "attachment", "note")),
            nullable=False,
        ),
        sa.Column("by_reporter", sa.Boolean(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        _fk("conduct_items", "report_id", "conduct_reports", "CASCADE"),
        _fk("conduct_items", "author_id", "conduct_recipients", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conduct_items")),
    )
    _index("conduct_items", "report_id")
    op.create_table(
        "conduct_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=True),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        _fk("conduct_keys", "item_id", "conduct_items", "CASCADE"),
        _fk("conduct_keys", "recipient_id", "conduct_recipients", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conduct_keys")),
        sa.UniqueConstraint("item_id", "recipient_id", name=op.f("uq_conduct_keys_item_id")),
    )
    _index("conduct_keys", "recipient_id")
    op.create_table(
        "conduct_routing",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("receives", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        _fk("conduct_routing", "report_id", "conduct_reports", "CASCADE"),
        _fk("conduct_routing", "recipient_id", "conduct_recipients", "CASCADE"),
        sa.PrimaryKeyConstraint("report_id", "recipient_id", name=op.f("pk_conduct_routing")),
    )
    op.create_table(
        "conduct_links",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("other_id", sa.Integer(), nullable=False),
        sa.Column("linked_by_id", sa.Integer(), nullable=True),
        sa.Column("linked_at", _when(), nullable=False),
        sa.CheckConstraint("report_id < other_id", name=op.f("ck_conduct_links_ordered")),
        _fk("conduct_links", "report_id", "conduct_reports", "CASCADE"),
        _fk("conduct_links", "other_id", "conduct_reports", "CASCADE"),
        _fk("conduct_links", "linked_by_id", "conduct_recipients", "SET NULL"),
        sa.PrimaryKeyConstraint("report_id", "other_id", name=op.f("pk_conduct_links")),
    )
    _index("conduct_links", "other_id")
    op.create_table(
        "conduct_reminders",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("sent_at", _when(), nullable=False),
        _fk("conduct_reminders", "report_id", "conduct_reports", "CASCADE"),
        sa.PrimaryKeyConstraint("report_id", "key", name=op.f("pk_conduct_reminders")),
    )


def downgrade() -> None:
    # Dropping a table drops its indexes with it, on both databases.
    for table in _TABLES:
        op.drop_table(table)
    # SQLite 3.35 and later drop a plain column in place: no copy of `officers`, whose
    # referring rows (duties, verifications) would block one.
    op.drop_index(op.f("ix_officers_shoulder_number"), table_name="officers")
    op.drop_column("officers", "shoulder_number")
