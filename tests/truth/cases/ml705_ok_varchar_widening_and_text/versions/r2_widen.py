import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.alter_column("users", "name", type_=sa.String(200), existing_type=sa.String(50))
    op.alter_column("users", "bio", type_=sa.Text(), existing_type=sa.String(100))


def downgrade():
    pass
