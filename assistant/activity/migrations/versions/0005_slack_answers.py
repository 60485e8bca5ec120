"""answers to /signpost kept for 'Share in channel' (any replica can post them)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_answers",
        sa.Column("question_id", sa.String(32), primary_key=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_slack_answers_created_at", "slack_answers", ["created_at"])


def downgrade() -> None:
    op.drop_table("slack_answers")
