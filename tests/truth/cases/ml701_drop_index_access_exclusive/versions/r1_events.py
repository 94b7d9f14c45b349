import sqlalchemy as sa
from alembic import op

revision = "r1"
down_revision = None


def upgrade():
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer()),
    )
    op.create_index("ix_events_old", "events", ["id", "user_id"])
    op.execute("INSERT INTO events (id, user_id) SELECT g, g % 10 FROM generate_series(1, 100) g")


def downgrade():
    op.drop_table("events")
