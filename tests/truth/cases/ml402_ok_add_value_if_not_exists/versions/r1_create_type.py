"""create the enum type

Revision ID: r1
Revises: 
"""
from alembic import op

revision = "r1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE TYPE state_type AS ENUM ('RUNNING')")
    op.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, state state_type)")


def downgrade():
    op.execute("DROP TABLE t")
    op.execute("DROP TYPE state_type")
