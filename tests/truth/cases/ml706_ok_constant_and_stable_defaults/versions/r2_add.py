import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.add_column("users", sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False))
    op.add_column("users", sa.Column("created", sa.DateTime(), server_default=sa.func.now()))


def downgrade():
    pass
