import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("a", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("ROLLBACK")
    op.create_table("b", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("b")
    op.drop_table("a")
