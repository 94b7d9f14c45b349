import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("legacy_sessions", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("token", sa.String(40)))
    op.execute("INSERT INTO legacy_sessions (id, token) VALUES (1, 'a'), (2, 'b')")


def downgrade():
    pass
