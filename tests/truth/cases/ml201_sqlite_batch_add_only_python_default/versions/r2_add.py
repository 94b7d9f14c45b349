"""add t.x in a batch that only adds it

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
    with op.batch_alter_table("t") as batch_op:
        batch_op.add_column(sa.Column("x", sa.String(10), nullable=False, default="filled"))


def downgrade():
    with op.batch_alter_table("t") as batch_op:
        batch_op.drop_column("x")
