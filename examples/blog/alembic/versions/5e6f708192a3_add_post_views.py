"""add posts.views (one developer)

Revision ID: 5e6f708192a3
Revises: 4d5e6f708192
Create Date: 2026-10-27 14:21:09.330118
"""
from alembic import op
import sqlalchemy as sa

revision = "5e6f708192a3"
down_revision = "4d5e6f708192"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("posts", sa.Column("views", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("posts") as batch_op:
        batch_op.drop_column("views")
