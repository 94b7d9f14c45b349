"""post

Revision ID: d1
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "d1"
down_revision = None


def upgrade():
    op.create_table(
        "post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
