"""create a and b, each skipped when it exists

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
    op.execute("CREATE TABLE IF NOT EXISTS a (id INTEGER PRIMARY KEY)")
    op.create_table("b", sa.Column("id", sa.Integer(), primary_key=True), if_not_exists=True)
    op.create_index("ix_b", "b", ["id"], if_not_exists=True)
    op.execute("DROP TABLE IF EXISTS gone")


def downgrade():
    pass
