"""setting

Revision ID: d1
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "d1"
down_revision = None


def upgrade():
    op.create_table(
        "setting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False, server_default="pending"),
        sa.Column("level", sa.Integer(), nullable=False, server_default="2"),
        sa.Column("note", sa.String(length=50), nullable=True, server_default="n/a"),
        sa.Column("retries", sa.Integer(), nullable=False, server_default=sa.text("3")),
        sa.Column("label", sa.String(length=20), nullable=False, server_default="x"),
        sa.Column("created_at", sa.DateTime(), nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade():
    op.drop_table("setting")
