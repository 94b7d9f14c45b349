import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("email", sa.Text()))
    op.create_table("orders", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("user_id", sa.Integer()))
    op.execute("INSERT INTO users (id, email) SELECT g, 'u' || g FROM generate_series(1, 100) g")
    op.execute("INSERT INTO orders (id, user_id) SELECT g, g FROM generate_series(1, 100) g")


def downgrade():
    op.drop_table("orders")
    op.drop_table("users")
