"""Assessment sessions and their answers.

Revision ID: 0001
Revises:
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``assessment_sessions`` and ``answers``."""
    op.create_table(
        "assessment_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("rubric_id", sa.String(length=200), nullable=False),
        sa.Column("rubric_version", sa.String(length=100), nullable=False),
        sa.Column("content_hash", sa.String(length=80), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("profile", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_assessment_sessions_token_hash")),
    )
    op.create_index(
        op.f("ix_assessment_sessions_rubric_id"),
        "assessment_sessions",
        ["rubric_id"],
        unique=False,
    )
    op.create_table(
        "answers",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["assessment_sessions.id"],
            name=op.f("fk_answers_session_id_assessment_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "item_id", name=op.f("pk_answers")),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("answers")
    op.drop_index(op.f("ix_assessment_sessions_rubric_id"), table_name="assessment_sessions")
    op.drop_table("assessment_sessions")
