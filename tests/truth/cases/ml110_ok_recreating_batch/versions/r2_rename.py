"""rename t.a inside a batch that always recreates the table, no existing_type

Revision ID: r2
Revises: r1
"""
from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"
branch_labels = None
depends_on = None

t = sa.Table(
    "t",
    sa.MetaData(),
    sa.Column("id", sa.Integer(), primary_key=True),
    sa.Column("a", sa.Integer()),
)


def upgrade():
    with op.batch_alter_table("t", copy_from=t, recreate="always") as batch_op:
        batch_op.alter_column("a", new_column_name="b")


def downgrade():
    with op.batch_alter_table("t", recreate="always") as batch_op:
        batch_op.alter_column("b", new_column_name="a")
