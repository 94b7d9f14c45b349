"""drop t.x if present

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
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("t")}
    if "x" in columns:
        op.drop_column("t", "x")


def downgrade():
    op.add_column("t", sa.Column("x", sa.Integer()))
