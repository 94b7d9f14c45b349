import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("email", sa.String(100), nullable=False))
    op.execute("INSERT INTO users (id, email) VALUES (1, 'a@example.com')")


def downgrade():
    pass
