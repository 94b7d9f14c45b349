from alembic import op
import sqlalchemy as sa

revision = "r3"
down_revision = "r2"


def upgrade():
    op.drop_table("t")


def downgrade():
    pass
