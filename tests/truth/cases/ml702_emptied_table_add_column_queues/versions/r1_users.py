import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("INSERT INTO users (id) SELECT g FROM generate_series(1, 100) g")


def downgrade():
    op.drop_table("users")
