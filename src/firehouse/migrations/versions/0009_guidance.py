"""Guidance: checklists, reminders, scheduler leases, postmortems, follow-ups, drill steps

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import firehouse.db


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduler_leases",
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=True),
        sa.Column("expires_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_run_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_leases")),
    )
    op.create_table(
        "checklist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("completed_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_checklist_items_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_items")),
        sa.UniqueConstraint("incident_id", "key", name="uq_checklist_items_key"),
    )
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_checklist_items_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "drill_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("due_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("done_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_drill_steps_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drill_steps")),
    )
    with op.batch_alter_table("drill_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_drill_steps_due_at"), ["due_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_drill_steps_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("tracker", sa.String(length=20), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=False),
        sa.Column("external_key", sa.String(length=100), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("external_status", sa.String(length=100), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_follow_ups_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
        sa.UniqueConstraint("request_key", name=op.f("uq_follow_ups_request_key")),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_ups_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(
            "ix_follow_ups_tracker_key", ["tracker", "external_key"], unique=False
        )

    op.create_table(
        "postmortems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column("due_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("published_at", firehouse.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_postmortems_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postmortems")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_postmortems_incident_id")),
    )
    op.create_table(
        "reminder_snoozes",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("reminder", sa.String(length=40), nullable=False),
        sa.Column("until", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("snoozed_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_reminder_snoozes_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("incident_id", "reminder", name=op.f("pk_reminder_snoozes")),
    )
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("reminder", sa.String(length=40), nullable=False),
        sa.Column("due_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", firehouse.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_reminders_sent_incident_id_incidents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_sent")),
        sa.UniqueConstraint("incident_id", "reminder", "due_at", name="uq_reminders_sent_due"),
    )
    with op.batch_alter_table("reminders_sent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reminders_sent_incident_id"), ["incident_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reminders_sent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminders_sent_incident_id"))

    op.drop_table("reminders_sent")
    op.drop_table("reminder_snoozes")
    op.drop_table("postmortems")
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_ups_tracker_key")
        batch_op.drop_index(batch_op.f("ix_follow_ups_incident_id"))

    op.drop_table("follow_ups")
    with op.batch_alter_table("drill_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_drill_steps_incident_id"))
        batch_op.drop_index(batch_op.f("ix_drill_steps_due_at"))

    op.drop_table("drill_steps")
    with op.batch_alter_table("checklist_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checklist_items_incident_id"))

    op.drop_table("checklist_items")
    op.drop_table("scheduler_leases")
