"""raw SQL

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
    op.execute('INSERT IGNORE INTO t (id, a) VALUES (1, 2)')


def downgrade():
    pass
