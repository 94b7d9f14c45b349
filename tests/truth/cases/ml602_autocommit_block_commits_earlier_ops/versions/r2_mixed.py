"""mixed

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
    op.create_table("a", sa.Column("id", sa.Integer(), primary_key=True))
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY ix_t_id ON t (id)")
    op.execute("INSERT INTO missing (id) VALUES (1)")


def downgrade():
    op.execute("DROP INDEX ix_t_id")
    op.drop_table("a")
