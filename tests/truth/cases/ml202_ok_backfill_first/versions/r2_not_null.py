"""backfill t.a, make it NOT NULL

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
    op.execute("UPDATE t SET a = 0 WHERE a IS NULL")
    with op.batch_alter_table("t") as batch_op:
        batch_op.alter_column("a", nullable=False, existing_type=sa.Integer())


def downgrade():
    with op.batch_alter_table("t") as batch_op:
        batch_op.alter_column("a", nullable=True, existing_type=sa.Integer())
