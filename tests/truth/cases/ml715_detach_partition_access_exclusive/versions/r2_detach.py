import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.execute("ALTER TABLE measurements DETACH PARTITION measurements_2024")


def downgrade():
    pass
