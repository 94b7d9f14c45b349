import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table("orders", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id")))
    op.execute("INSERT INTO users (id) SELECT g FROM generate_series(1, 10) g")
    op.execute("INSERT INTO orders (id, user_id) SELECT g, g FROM generate_series(1, 10) g")


def downgrade():
    pass
