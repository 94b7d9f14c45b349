"""refresh the view concurrently, inside alembic's transaction

Revision ID: r2
Revises: r1
"""
from alembic import op

revision = "r2"
down_revision = "r1"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("INSERT INTO t (id) VALUES (2)")
    op.execute("REFRESH MATERIALIZED VIEW CONCURRENTLY mv")


def downgrade():
    pass
