"""use archived

Revision ID: r3
Revises: r2
"""
from alembic import op
import sqlalchemy as sa

revision = "r3"
down_revision = "r2"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("INSERT INTO t (id, status) VALUES (1, 'archived')")


def downgrade():
    op.execute("DELETE FROM t WHERE id = 1")
