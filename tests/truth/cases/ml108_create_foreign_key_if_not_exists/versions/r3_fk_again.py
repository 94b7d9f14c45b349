"""add fk again

Revision ID: r3
Revises: r2
"""
from alembic import op
import sqlalchemy as sa

revision = "r3"
down_revision = "r2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_foreign_key("fk_t_u", "t", "u", ["u_id"], ["id"], if_not_exists=True)


def downgrade():
    pass
