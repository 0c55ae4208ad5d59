"""Adaptive sessions: the adaptive test's saved state on the session row.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``assessment_sessions.adaptive`` (``AdaptiveSession.to_json``; null: a full session)."""
    with op.batch_alter_table("assessment_sessions") as batch:
        batch.add_column(sa.Column("adaptive", sa.Text(), nullable=True))


def downgrade() -> None:
    """Drop ``assessment_sessions.adaptive``."""
    with op.batch_alter_table("assessment_sessions") as batch:
        batch.drop_column("adaptive")
