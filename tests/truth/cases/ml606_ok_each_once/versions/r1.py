import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("name", sa.Text()), sa.Column("status", sa.Text()))
    op.execute("INSERT INTO users (id, name, status) VALUES (1, 'a', 'b')")
    op.execute("UPDATE users SET status = 'new', name = 'x' WHERE id = 1")
    op.execute("INSERT INTO users (id, name, status) VALUES (2, 'y', 's')")


def downgrade():
    op.drop_table("users")
