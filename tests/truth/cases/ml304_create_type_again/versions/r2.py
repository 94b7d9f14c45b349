from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"


def upgrade():
    op.execute("CREATE TYPE mood AS ENUM ('a', 'b')")


def downgrade():
    pass
