import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.alter_column("users", "email", new_column_name="email_address")


def downgrade():
    pass
