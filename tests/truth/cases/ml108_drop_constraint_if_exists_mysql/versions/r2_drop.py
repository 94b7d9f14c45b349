"""drop a constraint that may not exist

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
    op.drop_constraint("uq_nope", "t", type_="unique", if_exists=True)


def downgrade():
    pass
