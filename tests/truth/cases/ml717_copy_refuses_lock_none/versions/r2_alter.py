import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.alter_column("scores", "n", type_=sa.BigInteger(), existing_type=sa.Integer(), existing_nullable=False)


def downgrade():
    pass
