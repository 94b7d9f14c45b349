from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"


def upgrade():
    op.create_index("ix_t_a", "t", ["a"], unique=True)


def downgrade():
    pass
