"""raw SQL

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
    op.execute('CREATE TABLE `x` (id INT AUTO_INCREMENT PRIMARY KEY, a INT)')


def downgrade():
    pass
