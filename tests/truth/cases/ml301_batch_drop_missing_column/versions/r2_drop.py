"""drop a column that is already gone, in batch mode (a re-run after a failure)

Revision ID: r2
Revises: r1
"""
from alembic import op

revision = "r2"
down_revision = "r1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("t") as batch_op:
        batch_op.drop_column("c")


def downgrade():
    pass
