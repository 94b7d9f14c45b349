"""t.a NOT NULL

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
    op.alter_column("t", "a", nullable=False, existing_type=sa.Integer())


def downgrade():
    op.alter_column("t", "a", nullable=True, existing_type=sa.Integer())
