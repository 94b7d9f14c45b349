import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.alter_column("users", "status", existing_type=sa.Text(), server_default=None)


def downgrade():
    pass
