"""conversation turns, so a follow-up can be read with the earlier questions on any replica

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_turns",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("interpreted_as", sa.Text(), nullable=True),
        sa.Column("subjects", sa.Text(), nullable=False, server_default=""),
        sa.Column("cited_doc_ids", sa.Text(), nullable=False, server_default=""),
        sa.Column("answered", sa.Boolean(), nullable=False),
    )
    op.create_index(
        "ix_conversation_turns_conversation_id", "conversation_turns", ["conversation_id"]
    )
    op.create_index("ix_conversation_turns_asked_at", "conversation_turns", ["asked_at"])


def downgrade() -> None:
    op.drop_table("conversation_turns")
