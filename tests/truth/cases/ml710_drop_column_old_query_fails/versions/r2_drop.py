import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.drop_column("users", "email")


def downgrade():
    pass
