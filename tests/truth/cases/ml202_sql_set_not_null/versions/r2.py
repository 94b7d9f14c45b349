from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"


def upgrade():
    op.execute("ALTER TABLE t ALTER COLUMN a SET NOT NULL")


def downgrade():
    pass
