import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("email", sa.Text()))
    op.execute("INSERT INTO users (id, email) SELECT g, 'u' || g FROM generate_series(1, 100) g")


def downgrade():
    pass
