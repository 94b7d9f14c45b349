from alembic import op
import sqlalchemy as sa

revision = "r2"
down_revision = "r1"


def upgrade():
    with op.batch_alter_table("t", recreate="always") as batch_op:
        batch_op.add_column(sa.Column("a", sa.Integer()))


def downgrade():
    pass
