from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"


def upgrade():
    with op.batch_alter_table("t") as batch_op:
        batch_op.drop_column("b")


def downgrade():
    pass
