import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table("events", sa.Column("id", sa.Integer(), nullable=False), sa.Column("kind", sa.String(20)))
    op.execute("INSERT INTO events (id, kind) VALUES (1, 'a'), (2, 'b')")


def downgrade():
    pass
