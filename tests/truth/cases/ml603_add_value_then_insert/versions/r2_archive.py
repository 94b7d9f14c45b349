"""add and use archived

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
    op.execute("INSERT INTO t (id, status) VALUES (1, 'archived')")


def downgrade():
    pass
