"""add a value, skipped when it exists

Revision ID: r2
Revises: r1
"""
from alembic import op

revision = "r2"
down_revision = "r1"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("ALTER TYPE state_type ADD VALUE IF NOT EXISTS 'CRASHED'")


def downgrade():
    # values cannot be removed from an enum type
    pass
