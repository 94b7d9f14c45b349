"""create u reusing status_enum

Revision ID: r2
Revises: r1
"""
from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "u",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.Enum("draft", "published", name="status_enum")),
    )


def downgrade():
    op.drop_table("u")
