import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.add_column("users", sa.Column("double_id", sa.Integer(), sa.Computed("id * 2", persisted=True)))


def downgrade():
    pass
