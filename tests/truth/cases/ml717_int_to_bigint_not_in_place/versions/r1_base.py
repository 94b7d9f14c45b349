import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("scores", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("n", sa.Integer(), nullable=False))
    op.execute("INSERT INTO scores (id, n) VALUES (1, 10), (2, 20), (3, 30)")


def downgrade():
    pass
