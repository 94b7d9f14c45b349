"""add t.created_at in batch

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
        batch_op.add_column(sa.Column("created_at", sa.DateTime(), server_default=sa.func.now()))


def downgrade():
    with op.batch_alter_table("t") as batch_op:
        batch_op.drop_column("created_at")
