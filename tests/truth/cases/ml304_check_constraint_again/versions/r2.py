from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"


def upgrade():
    op.create_check_constraint("ck_t_a", "t", "a >= 0")


def downgrade():
    pass
