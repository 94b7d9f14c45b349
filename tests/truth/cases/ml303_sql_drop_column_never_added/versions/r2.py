from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"


def upgrade():
    op.execute("ALTER TABLE t DROP COLUMN b")


def downgrade():
    pass
