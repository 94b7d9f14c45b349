"""add archived

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
    op.execute("ALTER TYPE status_enum ADD VALUE 'archived'")


def downgrade():
    pass
