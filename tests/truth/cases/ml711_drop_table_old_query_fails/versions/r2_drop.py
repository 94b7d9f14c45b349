import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.drop_table("legacy_sessions")


def downgrade():
    pass
