"""create a

Revision ID: s1
Revises: 
"""
from alembic import op
import sqlalchemy as sa

revision = "s1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("a", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("a")
