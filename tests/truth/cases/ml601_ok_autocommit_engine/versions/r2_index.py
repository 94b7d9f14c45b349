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
    op.create_index("ix_t_a", "t", ["a"], postgresql_concurrently=True)


def downgrade():
    op.drop_index("ix_t_a", table_name="t")
