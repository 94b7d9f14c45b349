"""alter t

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
    op.create_unique_constraint("uq_t_amount", "t", ["amount"])


def downgrade():
    pass
