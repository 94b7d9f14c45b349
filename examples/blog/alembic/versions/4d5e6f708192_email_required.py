"""make users.email required

Revision ID: 4d5e6f708192
Revises: 3c4d5e6f7081
Create Date: 2026-10-20 08:55:31.771002
"""
from alembic import op
import sqlalchemy as sa

revision = "4d5e6f708192"
down_revision = "3c4d5e6f7081"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.alter_column("users", "email", existing_type=sa.String(255), nullable=False)
    op.add_column("posts", sa.Column("slug", sa.String(200), nullable=False))
    op.create_index("ix_posts_slug", "posts", ["slug"], unique=True, postgresql_concurrently=True)


def downgrade() -> None:
    op.drop_index("ix_posts_slug", table_name="posts")
    op.drop_column("posts", "slug")
    op.alter_column("users", "email", existing_type=sa.String(255), nullable=True)
