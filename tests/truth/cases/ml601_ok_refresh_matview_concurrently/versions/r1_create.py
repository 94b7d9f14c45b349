"""create t and a materialized view over it with a unique index

Revision ID: r1
Revises: 
"""
from alembic import op
import sqlalchemy as sa

revision = "r1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("t", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("INSERT INTO t (id) VALUES (1)")
    op.execute("CREATE MATERIALIZED VIEW mv AS SELECT id FROM t")
    op.execute("CREATE UNIQUE INDEX ix_mv_id ON mv (id)")


def downgrade():
    op.execute("DROP MATERIALIZED VIEW mv")
    op.drop_table("t")
