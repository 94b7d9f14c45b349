from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"


def upgrade():
    op.add_column("t", sa.Column("a", sa.Integer()))


def downgrade():
    pass
