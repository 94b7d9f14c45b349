import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    # utf8mb4 (4 bytes a character): 80 -> 240 bytes (one length byte before and after),
    # 400 -> 800 bytes (two length bytes before and after), 120 -> 400 bytes (at most
    # 127 bytes before: every stored length still fits the one byte InnoDB wrote)
    op.alter_column("users", "nick", type_=sa.String(60), existing_type=sa.String(20))
    op.alter_column("users", "bio", type_=sa.String(200), existing_type=sa.String(100))
    op.alter_column("users", "city", type_=sa.String(100), existing_type=sa.String(30))


def downgrade():
    pass
