import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.alter_column("users", "id", type_=sa.BigInteger(), existing_type=sa.Integer())


def downgrade():
    pass
