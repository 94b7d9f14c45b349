"""product

Revision ID: e1
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "e1"
down_revision = None


def upgrade():
    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("stock", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
