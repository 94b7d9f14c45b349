"""orders.total NOT NULL

Revision ID: g2
Revises: g1
"""
import sqlalchemy as sa
from alembic import op

revision = "g2"
down_revision = "g1"


def upgrade():
    op.execute("UPDATE orders SET total = 0 WHERE total IS NULL")
    with op.batch_alter_table("orders") as batch_op:
        batch_op.alter_column("total", existing_type=sa.Integer(), nullable=False)


def downgrade():
    with op.batch_alter_table("orders") as batch_op:
        batch_op.alter_column("total", existing_type=sa.Integer(), nullable=True)
