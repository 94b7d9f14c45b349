"""slug

Revision ID: d2
Revises: d1
"""
import sqlalchemy as sa
from alembic import op

revision = "d2"
down_revision = "d1"


def upgrade():
    op.add_column("post", sa.Column("legacy_slug", sa.String(length=100), nullable=True))


def downgrade():
    op.drop_column("post", "legacy_slug")
