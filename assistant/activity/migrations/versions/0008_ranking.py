"""feedback attributed to cited chunks, and trainers' document boosts and hiding

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.add_column(sa.Column("cited_chunk_ids", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "document_settings",
        sa.Column("doc_id", sa.String(120), primary_key=True),
        sa.Column("boost", sa.Float(), nullable=False, server_default="1.0"),
        sa.Column("hidden", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("document_settings")
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("cited_chunk_ids")
