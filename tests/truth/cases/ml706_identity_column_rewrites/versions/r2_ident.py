import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.add_column("users", sa.Column("seq", sa.BigInteger(), sa.Identity(), nullable=False))


def downgrade():
    pass
