"""drop t.x twice

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
    op.drop_column("t", "x", if_exists=True)
    op.drop_column("t", "x", if_exists=True)


def downgrade():
    op.add_column("t", sa.Column("x", sa.Integer()))
