"""use archived

Revision ID: r4
Revises: r3
"""
from alembic import op
import sqlalchemy as sa

revision = "r4"
down_revision = "r3"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("INSERT INTO t (id, status) VALUES (1, 'archived')")


def downgrade():
    op.execute("DELETE FROM t WHERE id = 1")
