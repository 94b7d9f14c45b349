import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.create_primary_key("pk_users", "users", ["id"])


def downgrade():
    pass
