import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.create_table("b", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("ROLLBACK")
    op.create_table("c", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("c")
    op.drop_table("b")
