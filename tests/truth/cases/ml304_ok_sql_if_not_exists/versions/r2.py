from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"


def upgrade():
    op.execute("CREATE INDEX IF NOT EXISTS ix_t_a ON t (a)")
    op.execute("ALTER TABLE t ADD COLUMN IF NOT EXISTS a INTEGER")


def downgrade():
    pass
