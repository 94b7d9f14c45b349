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
    op.alter_column("t", "name", type_=sa.String(100), existing_type=sa.String(50))


def downgrade():
    pass
