from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.drop_index("ix_events_old", table_name="events")


def downgrade():
    op.create_index("ix_events_old", "events", ["id", "user_id"])
