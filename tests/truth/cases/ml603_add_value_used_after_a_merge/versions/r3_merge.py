"""merge

Revision ID: r3
Revises: r2a, r2b
"""
from alembic import op
import sqlalchemy as sa

revision = "r3"
down_revision = ("r2a", "r2b")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
