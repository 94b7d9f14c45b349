import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.execute("CREATE SEQUENCE users_n_seq")
    op.add_column("users", sa.Column("n", sa.Integer(), sa.Sequence("users_n_seq")))


def downgrade():
    pass
