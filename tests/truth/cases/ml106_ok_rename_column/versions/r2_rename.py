"""rename t.name

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
    op.alter_column("t", "name", new_column_name="title")


def downgrade():
    op.alter_column("t", "title", new_column_name="name")
