"""create u reusing status_enum

Revision ID: r2
Revises: r1
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "r2"
down_revision = "r1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "u",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", postgresql.ENUM("draft", "published", name="status_enum", create_type=False)),
    )


def downgrade():
    op.drop_table("u")
