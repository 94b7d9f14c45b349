import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("a", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("COMMIT")
    op.execute("INSERT INTO missing_table VALUES (1)")


def downgrade():
    op.drop_table("a")
