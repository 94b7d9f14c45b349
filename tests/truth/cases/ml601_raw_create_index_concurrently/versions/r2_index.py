"""index t.a

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
    op.execute("CREATE INDEX CONCURRENTLY ix_t_a ON t (a)")


def downgrade():
    op.execute("DROP INDEX ix_t_a")
