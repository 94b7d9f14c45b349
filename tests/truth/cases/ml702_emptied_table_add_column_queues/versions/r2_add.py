import sqlalchemy as sa
from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.execute("DELETE FROM users")
    op.add_column("users", sa.Column("nickname", sa.Text()))


def downgrade():
    op.drop_column("users", "nickname")
