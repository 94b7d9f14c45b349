"""guarded upsert

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
    if op.get_context().dialect.name in ("postgresql", "sqlite"):
        op.execute("INSERT INTO t (id, a) VALUES (1, 3) ON CONFLICT (id) DO UPDATE SET a = excluded.a")


def downgrade():
    pass
