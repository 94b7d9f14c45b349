"""note and audit

Revision ID: f1
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "f1"
down_revision = None


def upgrade():
    op.create_table(
        "note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "old_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("what", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
