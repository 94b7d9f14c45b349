import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("status", sa.Text(), nullable=False, server_default="new"))
    op.execute("INSERT INTO users (id) VALUES (1)")


def downgrade():
    pass
