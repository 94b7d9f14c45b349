import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.execute("REINDEX INDEX ix_users_email")


def downgrade():
    pass
