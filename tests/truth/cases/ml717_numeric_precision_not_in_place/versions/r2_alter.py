import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.alter_column("prices", "amount", type_=sa.Numeric(12, 2), existing_type=sa.Numeric(10, 2), existing_nullable=False)


def downgrade():
    pass
