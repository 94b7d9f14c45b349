"""add users.bio (another developer, same parent)

Revision ID: 6f708192a3b4
Revises: 4d5e6f708192
Create Date: 2026-10-27 15:02:47.912664
"""
from alembic import op
import sqlalchemy as sa

revision = "6f708192a3b4"
down_revision = "4d5e6f708192"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("bio", sa.Text(), nullable=True))
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE INDEX ix_users_bio_trgm ON users USING gin (bio gin_trgm_ops)")
    else:
        op.execute("CREATE INDEX ix_users_bio ON users (bio)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_users_bio_trgm")
    op.execute("DROP INDEX IF EXISTS ix_users_bio")
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("bio")
