import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.Text()))
    op.execute("INSERT INTO users (id, name, id) VALUES (1, 'a', 2)")


def downgrade():
    op.drop_table("users")
