"""rename t.a, make it NOT NULL

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
    op.alter_column("t", "a", new_column_name="b", existing_type=sa.Integer())
    op.execute("UPDATE t SET b = 0 WHERE b IS NULL")
    with op.batch_alter_table("t") as batch_op:
        batch_op.alter_column("b", nullable=False, existing_type=sa.Integer())


def downgrade():
    with op.batch_alter_table("t") as batch_op:
        batch_op.alter_column("b", nullable=True, existing_type=sa.Integer())
    op.alter_column("t", "b", new_column_name="a", existing_type=sa.Integer())
