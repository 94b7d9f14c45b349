"""index t.id concurrently

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
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY ix_t_id ON t (id)")


def downgrade():
    with op.get_context().autocommit_block():
        op.execute("DROP INDEX CONCURRENTLY ix_t_id")
