"""branch a

Revision ID: r2a
Revises: r1
"""
from alembic import op
import sqlalchemy as sa

revision = "r2a"
down_revision = "r1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("a", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("a")
