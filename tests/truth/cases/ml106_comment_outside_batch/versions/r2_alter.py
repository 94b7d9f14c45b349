"""comment on t.amount

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
    op.alter_column("t", "amount", comment="amount in cents", existing_type=sa.Integer())


def downgrade():
    pass
