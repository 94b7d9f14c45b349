"""branch a commits

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
    with op.get_context().autocommit_block():
        op.execute("CREATE TABLE a (id integer PRIMARY KEY)")


def downgrade():
    op.drop_table("a")
