"""branch b

Revision ID: r2b
Revises: r1
"""
from alembic import op
import sqlalchemy as sa

revision = "r2b"
down_revision = "r1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("b", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("b")
