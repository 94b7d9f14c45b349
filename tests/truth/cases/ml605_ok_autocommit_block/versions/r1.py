import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.execute("CREATE TYPE mood AS ENUM ('ok')")
    op.create_table("a", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("a")
