"""guarded raw SQL

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
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("PRAGMA foreign_keys=ON")
        op.execute("INSERT OR REPLACE INTO t (id, a) VALUES (1, 2)")
    elif bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pgcrypto")
        op.execute("UPDATE t SET a = '2'::integer WHERE name ILIKE '%'")
    op.execute("UPDATE t SET a = CAST('2' AS INTEGER) WHERE id = 1")


def downgrade():
    pass
