from alembic import op

revision = "r2"
down_revision = "r1"


def upgrade():
    op.create_index("ix_events_user_id", "events", ["user_id"])


def downgrade():
    op.drop_index("ix_events_user_id", table_name="events")
