"""add t.s

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
    op.add_column("t", sa.Column("s", sa.String()))


def downgrade():
    op.drop_column("t", "s")
