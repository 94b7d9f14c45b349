import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    # utf8mb4: 200 -> 400 bytes, from one length byte to two
    op.alter_column("users", "code", type_=sa.String(100), existing_type=sa.String(50), existing_nullable=False)


def downgrade():
    pass
