from alembic import op
import sqlalchemy as sa

revision = "r3"
down_revision = "r2"


def upgrade():
    if sa.inspect(op.get_bind()).has_table("t"):
        op.drop_table("t")


def downgrade():
    pass
