from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"


def upgrade():
    op.drop_index("ix_t_a", table_name="t")
    op.execute("DROP INDEX ix_t_a")


def downgrade():
    pass
