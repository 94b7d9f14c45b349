from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"


def upgrade():
    op.execute("CREATE INDEX ix_t_a ON t (a)")


def downgrade():
    pass
